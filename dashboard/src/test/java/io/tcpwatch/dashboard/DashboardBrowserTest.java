package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import io.tcpwatch.dashboard.testing.HeadlessChromium;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard page in real headless Chromium (Debian's chromium and chromium-driver) against a
 * real broker holding real job output: the overview lists the servers with their open incidents,
 * a filter narrows the detections table, a row opens the detail view with its Wireshark display
 * filter. Saves target/dashboard-overview.png (the fleet's overview, as README.md shows it) and, as each
 * test ends, target/dashboard*.png (and the pages as .html).
 */
@Timeout(600)
class DashboardBrowserTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    Dashboard dashboard;
    ChromeDriver browser;
    Path screenshot;

    @BeforeAll
    static void produce() throws Exception {
        Records.produceAll(KAFKA.broker());
    }

    @BeforeEach
    void start(TestInfo test) throws Exception {
        String name = test.getTestMethod().orElseThrow().getName();
        screenshot = Path.of("target", name.startsWith("theOverview") ? "dashboard" : "dashboard-" + name);
        dashboard = new Dashboard(Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(0));
        browser = HeadlessChromium.start("Asia/Tokyo"); // "local time" is UTC+9
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) { // what the page looked like, pass or fail
            HeadlessChromium.save(browser, screenshot);
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void theOverviewFiltersAndTheDetailViewWork() throws Exception {
        browser.get("http://127.0.0.1:" + dashboard.port() + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(3));

        // the overview: every server endpoint, with the charts library loaded
        wait.until(d -> d.findElements(By.cssSelector("#overview tbody tr")).size() == 3);
        assertThat(browser.findElement(By.cssSelector("#overview tr[data-server='10.77.1.2:7003']")).getText())
                .contains("10.77.1.2:7003", "REJECTED_AFTER_HANDSHAKE 32");
        assertThat((Boolean) browser.executeScript("return typeof Chart === 'function' && !!Chart.getChart('chart-rsts')")).isTrue();

        // the detections table, then a filter narrows it
        wait.until(d -> d.findElements(By.cssSelector("#detections tbody tr")).size() > 200);
        HeadlessChromium.save(browser, Path.of("target", "dashboard-overview")); // the picture in README.md
        new Select(browser.findElement(By.id("filter-type"))).selectByValue("CONNECTION_LIMIT");
        wait.until(d -> d.findElements(By.cssSelector("#detections tbody tr")).size() == 1);
        WebElement row = browser.findElement(By.cssSelector("#detections tbody tr"));
        assertThat(row.getText()).contains("CONNECTION_LIMIT", "RESOLVED", "10.77.1.2:7003");

        // the detail view shows the explanation and the Wireshark display filter
        row.click();
        wait.until(d -> d.findElement(By.id("detail")).isDisplayed());
        assertThat(browser.findElement(By.id("detail-explanation")).getText()).contains("serves at most 8 connections");
        assertThat(browser.findElement(By.id("display-filter")).getText())
                .startsWith("ip.addr == 10.77.1.2 && tcp.port == 7003 && frame.time_epoch >=");

        // a click on a server opens its page: the charts narrowed to it
        browser.findElement(By.id("detail-close")).click();
        browser.findElement(By.cssSelector("#overview tr[data-server='10.77.1.2:7006']")).click();
        wait.until(d -> d.findElement(By.id("chart-scope")).getText().equals("10.77.1.2:7006"));

        assertThat(browser.findElement(By.id("live")).getAttribute("class")).as("live updates connected").contains("on");

        // a tab in the background gives its stream up (a browser keeps six connections to one host) and
        // opens a new one when it is shown again
        visibility("hidden");
        wait.until(d -> d.findElement(By.id("live")).getAttribute("class").contains("off"));
        assertThat((Boolean) browser.executeScript("return events === null")).as("the stream closed").isTrue();
        visibility("visible");
        wait.until(d -> d.findElement(By.id("live")).getAttribute("class").contains("on"));
    }

    private void visibility(String state) {
        browser.executeScript("Object.defineProperty(document, 'visibilityState', {value: arguments[0], configurable: true});"
                + "document.dispatchEvent(new Event('visibilitychange'));", state);
    }

    @Test
    void worstFirstSortableSearchableWithConnectionsAndTheViewInTheUrl() throws Exception {
        String base = "http://127.0.0.1:" + dashboard.port() + "/";
        browser.get(base + "?type=CONNECTION_LIMIT&tz=local");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(3));

        // the filters and the time zone come from the URL; times are this browser's (UTC+9)
        wait.until(d -> d.findElements(By.cssSelector("#detections tbody tr")).size() == 1);
        assertThat(new Select(browser.findElement(By.id("filter-type"))).getFirstSelectedOption().getText())
                .isEqualTo("CONNECTION_LIMIT");
        assertThat(browser.findElement(By.id("tz-name")).getText()).isEqualTo("Asia/Tokyo");
        String opened = Records.load("detections").stream().filter(d -> d.path("type").asText().equals("CONNECTION_LIMIT"))
                .map(d -> d.path("start").asText()).min(String::compareTo).orElseThrow();
        DateTimeFormatter shown = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        Instant openedAt = Instant.parse(opened);
        assertThat(browser.findElement(By.cssSelector("#detections tbody tr td")).getText())
                .isEqualTo(shown.format(openedAt.atZone(ZoneId.of("Asia/Tokyo"))));
        new Select(browser.findElement(By.id("tz"))).selectByValue("utc");
        assertThat(browser.findElement(By.cssSelector("#detections tbody tr td")).getText())
                .isEqualTo(shown.format(openedAt.atZone(ZoneOffset.UTC)));
        assertThat(browser.getCurrentUrl()).contains("type=CONNECTION_LIMIT").doesNotContain("tz=");

        // worst first: the order the API gives, the server with the most resets on top
        wait.until(d -> d.findElements(By.cssSelector("#overview tbody tr")).size() == 3);
        List<String> worstFirst = servers();
        assertThat(worstFirst).first().isEqualTo("10.77.1.2:7003");
        List<String> api = new ArrayList<>();
        Records.JSON.readTree(URI.create(base + "api/fleet").toURL().openStream()).path("servers")
                .forEach(s -> api.add(s.path("server").asText()));
        assertThat(worstFirst).isEqualTo(api);

        // a heading sorts by its column (servers by name), a second click restores worst first; the sort is in the URL
        browser.findElement(By.cssSelector("#overview th[data-sort=server]")).click();
        assertThat(servers()).isSorted();
        assertThat(browser.getCurrentUrl()).contains("sort=server");
        browser.findElement(By.cssSelector("#overview th[data-sort=server]")).click();
        assertThat(servers()).isEqualTo(worstFirst);

        // search narrows the overview
        browser.findElement(By.id("server-search")).sendKeys("7006");
        wait.until(d -> servers().equals(List.of("10.77.1.2:7006")));
        assertThat(browser.getCurrentUrl()).contains("search=7006");

        // connection records on the page; on a server's page, that server's
        wait.until(d -> d.findElements(By.cssSelector("#connections tbody tr")).size() > 50);
        browser.findElement(By.cssSelector("#overview tr[data-server='10.77.1.2:7006']")).click();
        wait.until(d -> d.findElement(By.id("connections-scope")).getText().endsWith("10.77.1.2:7006"));
        wait.until(d -> !d.findElements(By.cssSelector("#connections tbody tr")).isEmpty()
                && d.findElements(By.cssSelector("#connections tbody tr td:nth-child(3)")).stream()
                .allMatch(td -> td.getText().equals("10.77.1.2:7006")));
        assertThat(browser.getCurrentUrl()).contains("selected=10.77.1.2%3A7006");

        // the URL as it now stands opens the same view
        String shared = browser.getCurrentUrl();
        browser.get(shared);
        wait.until(d -> servers().equals(List.of("10.77.1.2:7006")));
        wait.until(d -> d.findElement(By.id("chart-scope")).getText().equals("10.77.1.2:7006"));

        // the selected server's open episodes: none, until one opens (live, by server-sent events)
        wait.until(d -> d.findElement(By.id("server-episodes")).isDisplayed()
                && d.findElement(By.cssSelector("#server-episodes li")).getText().equals("none open"));
        ObjectNode flood = Records.load("detections").stream()
                .filter(d -> d.path("type").asText().equals("SYN_FLOOD") && d.path("server").asText().endsWith(":7006"))
                .findFirst().orElseThrow().deepCopy();
        flood.put("id", "flood-live").put("status", "OPEN").put("severity", "CRITICAL");
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>("tcp.detections", flood.path("server").asText(), flood.toString())).get();
        }
        wait.until(d -> d.findElements(By.cssSelector("#server-episodes li[data-id='flood-live']")).size() == 1);
        assertThat(browser.findElement(By.cssSelector("#server-episodes li[data-id='flood-live']")).getText())
                .startsWith("SYN_FLOOD OPEN since");
        browser.findElement(By.id("back")).click(); // from the server's page to the fleet
        browser.findElement(By.id("server-search")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        wait.until(d -> servers().size() == 3 && servers().get(0).equals("10.77.1.2:7006")); // open CRITICAL: first
    }

    private List<String> servers() {
        return browser.findElements(By.cssSelector("#overview tbody tr")).stream().map(r -> r.getAttribute("data-server"))
                .toList();
    }
}

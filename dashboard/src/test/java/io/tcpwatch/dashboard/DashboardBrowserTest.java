package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard page in real headless Chromium (Debian's chromium and chromium-driver) against a
 * real broker holding real job output: the overview lists the servers with their open incidents,
 * a filter narrows the detections table, a row opens the detail view with its Wireshark display
 * filter. Saves target/dashboard.png (and the page as target/dashboard.html).
 */
@Timeout(600)
class DashboardBrowserTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    Dashboard dashboard;
    ChromeDriver browser;

    @BeforeEach
    void start() throws Exception {
        assertThat(new File(CHROMEDRIVER)).as("chromium-driver is installed (.ci/run installs it)").exists();
        Records.produceAll(KAFKA.broker());
        dashboard = new Dashboard(Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(0));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000",
                "--user-data-dir=" + Files.createTempDirectory(Path.of("target"), "chromium").toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) { // what the page looked like, pass or fail
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), Path.of("target", "dashboard.png"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(Path.of("target", "dashboard.html"), browser.getPageSource());
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

        // a click on a server narrows the charts to it
        browser.findElement(By.id("detail-close")).click();
        browser.findElement(By.cssSelector("#overview tr[data-server='10.77.1.2:7006']")).click();
        wait.until(d -> d.findElement(By.id("chart-scope")).getText().equals("10.77.1.2:7006"));

        assertThat(browser.findElement(By.id("live")).getAttribute("class")).as("live updates connected").contains("on");
    }
}

package io.tcpwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.cli.demo.EmbeddedKafka;
import io.tcpwatch.dashboard.Dashboard;
import io.tcpwatch.dashboard.testing.HeadlessChromium;
import io.tcpwatch.job.analyze.AnalyzeCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The packets behind a finding, from a capture to the on-call engineer's screen: {@code tcpwatch analyze
 * --json --fleet-stats --connections} on five corpus server captures (real Linux stacks), the records
 * produced into a real broker's topics as the job's sinks write them, the dashboard reading them, and
 * real headless Chromium opening one finding of each kind: its detail draws the ladder of the segments
 * that make the case. Then a server's page. Saves target/dashboard-ladder-NAME.png.
 */
@Timeout(600)
class DashboardLadderTest {

    static final Path CORPUS = Path.of("..", "corpus", "fixtures");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> CAPTURES = List.of("port-reuse", "rst-after-fin", "refused", "zero-window", "backlog-and-flood");

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static Dashboard dashboard;
    static ChromeDriver browser;
    static WebDriverWait wait;
    /** What {@code analyze} made of each capture, as produced into the topics. */
    static final Map<String, List<JsonNode>> RECORDS = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        kafka = new EmbeddedKafka(dir, freePort(), freePort());
        kafka.createTopics(Map.of("tcp.detections", 2, "tcp.fleet-stats", 1, "tcp.connections", 1));
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrap()),
                new StringSerializer(), new StringSerializer())) {
            for (String name : CAPTURES) {
                for (String line : analyze(CORPUS.resolve(name + ".server.pcap")).split("\n")) {
                    JsonNode r = JSON.readTree(line);
                    RECORDS.computeIfAbsent(name, n -> new ArrayList<>()).add(r);
                    String topic = r.has("uid") ? "tcp.connections" : r.has("window_start") ? "tcp.fleet-stats" : "tcp.detections";
                    String key = r.has("uid") ? r.path("id.resp_h").asText() + ":" + r.path("id.resp_p").asText()
                            : r.path("server").asText();
                    p.send(new ProducerRecord<>(topic, key, line));
                }
            }
            p.flush();
        }
        dashboard = new Dashboard(Dashboard.Settings.defaults(kafka.bootstrap()).withPort(0));
        browser = HeadlessChromium.start("UTC");
        wait = new WebDriverWait(browser, Duration.ofMinutes(2));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            port-reuse        | PORT_REUSE_COLLISION         | [FIN, ACK];— the previous connection above, this one below —;[SYN] seq=0 win=;[ACK] seq=;[RST] seq=;[SYN, ACK] seq=0 ack=1
            rst-after-fin     | RST / RST_AFTER_FIN          | [SYN] seq=0;[FIN, ACK];[RST, ACK]
            refused           | RST / REFUSED                | [SYN] seq=0;[RST, ACK] seq=0 ack=1 win=0
            zero-window       | ZERO_WINDOW_STALL            | [SYN] seq=0;win=0;[PSH, ACK]
            backlog-and-flood | SYN_RETRANSMIT               | [SYN] seq=0;[SYN, ACK] seq=0 ack=1
            """)
    void aFindingsDetailDrawsThePacketsThatMakeItsCase(String capture, String kind, String shows) throws IOException {
        String type = kind.split(" / ")[0];
        String server = serverOf(capture, type);
        browser.get("http://127.0.0.1:" + dashboard.port() + "/?server=" + server + "&type=" + type);
        try {
            wait.until(d -> d.findElements(By.cssSelector("#detections tbody tr")).stream().anyMatch(r -> r.getText().contains(kind)));
            WebElement row = browser.findElements(By.cssSelector("#detections tbody tr")).stream()
                    .filter(r -> r.getText().contains(kind)).findFirst().orElseThrow();
            row.click();
            wait.until(d -> !d.findElements(By.cssSelector("#detail-ladder svg.ladder g.rung")).isEmpty());
            JsonNode record = detection(server, row.getAttribute("data-id"));
            String drawn = browser.findElement(By.cssSelector("#detail-ladder svg.ladder")).getAttribute("textContent");
            assertThat(drawn).as("the ladder of %s", kind).contains("client " + record.path("client").asText(), "server " + server)
                    .contains(shows.split(";"));
            int rungs = browser.findElements(By.cssSelector("#detail-ladder svg.ladder g.rung")).size();
            assertThat(rungs).as("one arrow per packet the record carries").isEqualTo(record.path("packets").size());
        } finally {
            HeadlessChromium.save(browser, Path.of("target", "dashboard-ladder-" + capture));
        }
    }

    @Test
    void aServersPageShowsItsWindowItsDetectionsAndItsConnections() throws IOException {
        String server = serverOf("zero-window", "ZERO_WINDOW_STALL");
        browser.get("http://127.0.0.1:" + dashboard.port() + "/");
        try {
            wait.until(d -> !d.findElements(By.cssSelector("#overview tr[data-server='" + server + "']")).isEmpty());
            browser.findElement(By.cssSelector("#overview tr[data-server='" + server + "']")).click();
            wait.until(d -> d.findElement(By.id("server-page")).isDisplayed() && !d.findElement(By.id("fleet")).isDisplayed());
            assertThat(browser.findElement(By.id("server-title")).getText()).isEqualTo(server);
            assertThat(browser.getCurrentUrl()).contains("selected=" + server.replace(":", "%3A"));
            wait.until(d -> d.findElement(By.id("chart-scope")).getText().equals(server));
            wait.until(d -> !d.findElements(By.cssSelector("#detections tbody tr")).isEmpty()
                    && d.findElements(By.cssSelector("#detections tbody tr td:nth-child(5)")).stream()
                    .allMatch(td -> td.getText().equals(server)));
            wait.until(d -> !d.findElements(By.cssSelector("#connections tbody tr")).isEmpty()
                    && d.findElements(By.cssSelector("#connections tbody tr td:nth-child(3)")).stream()
                    .allMatch(td -> td.getText().equals(server)));
            assertThat(browser.findElement(By.cssSelector("#server-latest tbody tr")).getText()).isNotBlank();
            HeadlessChromium.save(browser, Path.of("target", "dashboard-server-page"));

            // the page's URL opens it again; the way back is the fleet, with its filters as they were
            browser.get(browser.getCurrentUrl());
            wait.until(d -> d.findElement(By.id("server-page")).isDisplayed());
            wait.until(d -> d.findElement(By.id("server-title")).getText().equals(server));
            browser.findElement(By.id("back")).click();
            wait.until(d -> d.findElement(By.id("fleet")).isDisplayed() && !d.findElement(By.id("server-page")).isDisplayed());
            assertThat(browser.getCurrentUrl()).doesNotContain("selected=");
            assertThat(new Select(browser.findElement(By.id("filter-type"))).getFirstSelectedOption().getText()).isEqualTo("all types");
            wait.until(d -> d.findElements(By.cssSelector("#detections tbody tr td:nth-child(5)")).stream()
                    .map(WebElement::getText).distinct().count() > 1);
        } finally {
            HeadlessChromium.save(browser, Path.of("target", "dashboard-server-page-then-fleet"));
        }
    }

    /** The server endpoint of a corpus capture's first detection of {@code type}. */
    private static String serverOf(String capture, String type) {
        return RECORDS.get(capture).stream().filter(r -> r.path("type").asText().equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + capture)).path("server").asText();
    }

    /** The record the dashboard serves under {@code id}. */
    private static JsonNode detection(String server, String id) throws IOException {
        URL api = URI.create("http://127.0.0.1:" + dashboard.port() + "/api/detections?limit=1000&server=" + server).toURL();
        for (JsonNode d : JSON.readTree(api)) {
            if (d.path("id").asText().equals(id)) {
                return d;
            }
        }
        throw new AssertionError("no detection " + id + " served");
    }

    /** The JSON lines {@code analyze} prints for a capture: detections, fleet statistics, connection records. */
    private static String analyze(Path capture) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] args = Stream.of("--no-progress", "--json", "--fleet-stats", "--connections", capture.toString())
                    .toArray(String[]::new);
            assertThat(new CommandLine(new AnalyzeCommand()).execute(args)).isZero();
        } finally {
            System.setOut(saved);
        }
        assertThat(Files.exists(capture)).isTrue();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

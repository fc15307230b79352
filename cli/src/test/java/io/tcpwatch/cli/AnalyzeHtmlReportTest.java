package io.tcpwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.dashboard.testing.HeadlessChromium;
import io.tcpwatch.job.analyze.AnalyzeCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import picocli.CommandLine;

/**
 * {@code tcpwatch analyze F --html R} on every server capture of the corpus, opened in real headless
 * Chromium from the file: the same ranked diagnosis as the text report, each finding with its
 * Wireshark filter and a copy button, each finding on connections with the ladder of its packets
 * (the port-reuse collision's close, SYN, RST and retry; the refused SYN and its RST; the zero
 * window; the retried SYNs; the FIN answered with RST, a normal finding), a drawn timeline per server, and no request leaving the page. Saves
 * target/analyze-report-NAME.png.
 */
@Timeout(300)
class AnalyzeHtmlReportTest {

    static final Path CORPUS = Path.of("..", "corpus", "fixtures");
    /** What the ladders must draw, per capture: the segments that make each situation's case. */
    static final Map<String, List<String>> LADDER_SHOWS = Map.of(
            "port-reuse", List.of("[FIN, ACK]", "[SYN] seq=", "[RST]", "[SYN, ACK]"), // old close, SYN, stray ACK's RST, retry
            "refused", List.of("[SYN] seq=0", "[RST, ACK]"),
            "zero-window", List.of("win=0"),
            "backlog-and-flood", List.of("[SYN] seq=0"),
            "rst-after-fin", List.of("[FIN, ACK]", "[RST, ACK]")); // a normal finding's ladder, under its details
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        browser = HeadlessChromium.start("UTC");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    static Stream<String> captures() throws IOException {
        try (Stream<Path> files = Files.list(CORPUS)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".server.pcap")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("captures")
    void theReportRendersTheDiagnosisFiltersAndTimelinesWithoutTheNetwork(String capture) throws Exception {
        String name = capture.replace(".server.pcap", "");
        Path html = Path.of("target", "analyze-report-" + name + ".html").toAbsolutePath();
        String text = analyze(CORPUS.resolve(capture).toString(), "--html", html.toString());
        List<String> ranked = text.lines().filter(l -> l.matches("  \\d+\\. .*")).map(l -> l.replaceFirst("^  \\d+\\. ", ""))
                .toList();

        browser.get(html.toUri().toString());
        StringBuilder ladders = new StringBuilder();
        try {
            List<WebElement> findings = browser.findElements(By.cssSelector(".finding"));
            assertThat(findings).as("the text report's ranked diagnosis").hasSize(ranked.size());
            for (int i = 0; i < ranked.size(); i++) {
                WebElement f = findings.get(i);
                assertThat(f.findElement(By.tagName("h3")).getText()).endsWith((i + 1) + ". " + ranked.get(i));
                assertThat(f.findElement(By.cssSelector("code.filter")).getText()).contains("tcp.port ==");
                assertThat(f.findElement(By.cssSelector("button.copy")).getText()).isEqualTo("copy");
                if (ranked.get(i).matches(".* \\d+ connections? to .*")) { // a finding on connections: its packets
                    List<WebElement> rungs = f.findElements(By.cssSelector("svg.ladder g.rung"));
                    assertThat(rungs).as("the ladder of finding %d", i + 1).hasSizeGreaterThanOrEqualTo(2)
                            .hasSizeLessThanOrEqualTo(20); // a record carries at most 20 packets
                }
            }
            ladders.append((String) browser.executeScript( // every ladder's labels, the folded ones too
                    "return Array.from(document.querySelectorAll('svg.ladder')).map(s => s.textContent).join('\\n')"));
            LADDER_SHOWS.getOrDefault(name, List.of()).forEach(shown -> assertThat(ladders.toString())
                    .as("what %s's ladders show", name).contains(shown));
            long servers = browser.findElements(By.cssSelector("#servers tbody tr")).size();
            long canvases = browser.findElements(By.tagName("canvas")).size();
            assertThat(canvases).as("a timeline per server").isEqualTo(Math.min(servers, 12)).isPositive();
            assertThat((Long) browser.executeScript("return Array.from(document.querySelectorAll('canvas'))"
                    + ".filter(c => Chart.getChart(c) && Chart.getChart(c).data.labels.length > 0).length"))
                    .as("every timeline drawn").isEqualTo(canvases);
            assertThat((Long) browser.executeScript("return performance.getEntriesByType('resource').length"))
                    .as("requests made by the page").isZero();
        } finally {
            HeadlessChromium.save(browser, Path.of("target", "analyze-report-" + name));
        }
    }

    /** The text report {@code analyze} prints. */
    private static String analyze(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            String[] all = Stream.concat(Stream.of("--no-progress"), Stream.of(args)).toArray(String[]::new);
            assertThat(new CommandLine(new AnalyzeCommand()).execute(all)).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

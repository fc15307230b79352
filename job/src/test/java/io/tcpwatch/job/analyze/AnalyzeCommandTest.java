package io.tcpwatch.job.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.testing.CapturedOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tcpwatch analyze} on corpus captures, in its own local Flink environment. */
@Timeout(600)
class AnalyzeCommandTest {

    static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    private int analyze(String... args) {
        return new CommandLine(new AnalyzeCommand()).execute(args);
    }

    private String stdout() {
        return output.out();
    }

    @Test
    void theReportLeadsWithTheDiagnosisAndCallsRstAfterFinNormal() {
        assertThat(analyze(CORPUS.resolve("rst-after-fin.client.pcap").toString())).isZero();
        String report = stdout();
        assertThat(report).startsWith("tcpwatch analyze: 1 file, ");
        assertThat(report.indexOf("Diagnosis")).isLessThan(report.indexOf("Servers"));
        assertThat(report).contains("No faults found; only normal behaviour")
                .contains("RSTs answering the peer's FIN (abortive close after EOF) — 6 connections to 10.77.1.2:7002")
                .contains("The RST's window 0 is not overload")
                .contains("10.77.1.2:7002                    10      4      0      6      0      0");
    }

    @Test
    void aRunLeavesNothingInTheTemporaryDirectory() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Supplier<Set<String>> listing = () -> {
            try (Stream<Path> files = Files.list(tmp)) {
                return files.map(p -> p.getFileName().toString())
                        .filter(n -> n.startsWith("flink-rpc") || n.startsWith("tcpwatch-analyze-")).collect(Collectors.toSet());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        Set<String> before = listing.get();
        assertThat(analyze(CORPUS.resolve("refused.server.pcap").toString())).isZero();
        assertThat(listing.get()).as("Flink's RPC jar and the run's own folder, gone").isEqualTo(before);
    }

    @Test
    void theServersLineShowsConnectionStatesAndThePeakOfConcurrentConnections() {
        assertThat(analyze(CORPUS.resolve("idle-timeout.server.pcap").toString())).isZero();
        // three connections open at once; two reset by the idle timer, one closed gracefully; each request
        // answered within a millisecond (the slowest window's 90th percentile)
        assertThat(stdout()).containsPattern("10\\.77\\.1\\.2:7008 +3 +1 +0 +0 +2 +0 +0 +3 +0\\.\\d\\n");
    }

    @Test
    void aPortReuseReportLeadsWithTheCollisionsNotWithWhatTheyExplain() {
        assertThat(analyze(CORPUS.resolve("port-reuse.server.pcap").toString(), "--observer", "srv")).isZero();
        String report = stdout();
        String diagnosis = report.substring(report.indexOf("Diagnosis"), report.indexOf("\nServers"));
        assertThat(diagnosis).startsWith("Diagnosis\n  1. Port-reuse collisions with the server's TIME_WAIT — 4 connections to 10.77.1.2:7001")
                .contains("widen net.ipv4.ip_local_port_range")
                .doesNotContain("Ephemeral port exhaustion risk") // 13 connections against 28,232 ports
                .doesNotContainPattern("\\n  \\d\\. RST storm");
    }

    @Test
    void jsonLinesFollowThePublishedSchemas() throws IOException {
        Path pcapng = CORPUS.resolve("normal.server.pcapng");
        Path refused = CORPUS.resolve("refused.server.pcap");
        assertThat(analyze("--json", "--connections", refused.toString(), pcapng.toString())).isZero();
        JsonNode detectionSchema = schema("detection.schema.json");
        JsonNode connectionSchema = schema("connection.schema.json");
        int detections = 0;
        int connections = 0;
        for (String line : stdout().split("\n")) {
            JsonNode record = JSON.readTree(line);
            JsonNode schema = record.has("uid") ? connectionSchema : detectionSchema;
            if (record.has("uid")) {
                connections++;
            } else {
                detections++;
            }
            conforms(record, schema);
            if (!record.has("uid")) { // a refused connection's packets: the client's SYN, the server's RST
                assertThat(record.path("packets").findValuesAsText("flags")).as("packets of %s", record)
                        .startsWith("SYN").contains("RST,ACK");
            }
        }
        assertThat(detections).as("8 refused connections").isEqualTo(8);
        assertThat(connections).as("11 + 12 connections").isEqualTo(23);
    }

    @Test
    void fleetEpisodesLeadTheDiagnosisCausesBeforeTheStorm() {
        assertThat(analyze(CORPUS.resolve("connection-limit.server.pcap").toString())).isZero();
        assertThat(stdout()).containsSubsequence(
                "1. Connection limit — 10.77.1.2:7003", "serves at most 8 connections at a time",
                "2. Reconnect storm (thundering herd) — 10.77.1.2:7003",
                "3. Connections rejected by the application right after the handshake — 32 connections",
                "Explained by the findings above:", "- RST storm — 10.77.1.2:7003", "its resets are 32 REJECTED_AFTER_HANDSHAKE");
    }

    @Test
    void fleetStatsAndFleetDetectionsFollowThePublishedSchemas() throws IOException {
        Path flood = CORPUS.resolve("backlog-and-flood.server.pcap");
        assertThat(analyze("--json", "--fleet-stats", flood.toString())).isZero();
        JsonNode detectionSchema = schema("detection.schema.json");
        JsonNode statsSchema = schema("fleet-stats.schema.json");
        List<String> episodes = new ArrayList<>();
        int windows = 0;
        for (String line : stdout().split("\n")) {
            JsonNode record = JSON.readTree(line);
            if (record.has("window_start")) {
                windows++;
                conforms(record, statsSchema);
            } else {
                conforms(record, detectionSchema);
                if (record.has("status")) {
                    episodes.add(record.path("type").asText() + " " + record.path("status").asText() + " "
                            + record.path("server").asText());
                }
            }
        }
        assertThat(windows).isPositive();
        assertThat(episodes).containsExactlyInAnyOrder(
                "ACCEPT_BACKLOG_OVERFLOW OPEN 10.77.1.2:7005", "ACCEPT_BACKLOG_OVERFLOW RESOLVED 10.77.1.2:7005",
                "SYN_FLOOD OPEN 10.77.1.2:7006", "SYN_FLOOD RESOLVED 10.77.1.2:7006");
    }

    @Test
    void aBadThresholdIsOneSentenceAndExitCode2() {
        assertThat(analyze("--ephemeral-ports", "60999-32768", CORPUS.resolve("refused.server.pcap").toString())).isEqualTo(2);
        assertThat(output.err()).contains("--ephemeral-ports must be LOW-HIGH within 1-65535, not '60999-32768'.")
                .doesNotContain("\tat ");
        assertThat(analyze("--reconnect-burst", "0", CORPUS.resolve("refused.server.pcap").toString())).isEqualTo(2);
        assertThat(output.err()).contains("--reconnect-burst must be more than 0 seconds.").doesNotContain("\tat ");
    }

    @Test
    void aTruncatedCaptureIsAnalyzedUpToTheDamageThenExitCode6() throws IOException {
        Path cut = dir.resolve("cut.pcap");
        Files.copy(CORPUS.resolve("refused.client.pcap"), cut);
        try (FileChannel ch = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 20);
        }
        assertThat(analyze("--json", cut.toString())).isEqualTo(6);
        assertThat(stdout().lines().count()).isEqualTo(8);
        assertThat(output.err()).contains("cut.pcap: truncated record");
    }

    @Test
    void aMissingFileIsOneSentenceAndExitCode5() {
        assertThat(analyze(dir.resolve("none.pcap").toString())).isEqualTo(5);
        assertThat(output.err()).contains("none.pcap does not exist").doesNotContain("\tat ");
    }

    private static JsonNode schema(String name) throws IOException {
        try (InputStream in = io.tcpwatch.schema.SegmentSchema.class.getResourceAsStream(name)) {
            return JSON.readTree(in);
        }
    }

    /** Required properties present, no property the schema does not declare, enums respected. */
    private static void conforms(JsonNode record, JsonNode schema) {
        schema.path("required").forEach(r -> assertThat(record.has(r.asText())).as("%s in %s", r.asText(), record).isTrue());
        Set<String> declared = new HashSet<>();
        schema.path("properties").fieldNames().forEachRemaining(declared::add);
        List<String> names = new ArrayList<>();
        record.fieldNames().forEachRemaining(names::add);
        assertThat(declared).containsAll(names);
        for (Iterator<String> it = record.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode property = schema.path("properties").path(field);
            if (property.has("items")) { // an array of objects: its bound, then each element against its schema
                assertThat(record.path(field).size()).as(field).isLessThanOrEqualTo(property.path("maxItems").asInt(Integer.MAX_VALUE));
                record.path(field).forEach(element -> conforms(element, property.path("items")));
            }
            JsonNode allowed = property.path("enum");
            if (allowed.isArray()) {
                List<String> values = new ArrayList<>();
                allowed.forEach(v -> values.add(v.asText()));
                assertThat(values).as(field).contains(record.path(field).asText());
            }
        }
    }
}

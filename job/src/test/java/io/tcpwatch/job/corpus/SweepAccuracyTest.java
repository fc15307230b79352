package io.tcpwatch.job.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.job.fleet.FleetOptions;
import io.tcpwatch.core.record.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The sweep corpus ({@code corpus/fixtures/sweep}, {@code corpus/generate.py --sweep}): SYN floods,
 * accept-queue overflows, packet loss, reconnect storms and connection limits at parameter points on
 * both sides of their limits, labelled by the kernel's counters (a SYN queue that overflowed:
 * {@code SyncookiesSent}, {@code TCPReqQFullDrop}, {@code TCPReqQFullDoCookies}; an accept queue that
 * did: {@code ListenOverflows}; the sender's {@code TCP_INFO}), the relay's and the middlebox's logs
 * (an RST forged by a firewall on idle timeout: origin {@code MIDDLEBOX_SUSPECT}) and the applications'
 * logs. At every point and vantage, every incident is found and nothing is reported
 * where the kernel says nothing happened. The per-point table goes to target/sweep-accuracy.md and
 * is ACCURACY.md's ({@link AccuracyDoc}).
 */
class SweepAccuracyTest {

    static final Path SWEEP = CorpusAccuracyTest.CORPUS.resolve("sweep");
    static final List<String> FLEET = List.of("SYN_FLOOD", "ACCEPT_BACKLOG_OVERFLOW", "RETRANSMISSION_SURGE",
            "RECONNECT_STORM", "CONNECTION_LIMIT", "RST_STORM", "PORT_EXHAUSTION_RISK", "SLOW_RESPONSES");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** One row of the table: a label entry at a point and vantage, and what the detector did. */
    record Row(String point, String vantage, String kind, String client, String expected, String found, boolean ok) {}

    @Test
    void everyPointOnBothSidesOfTheKernelsLimitsIsToldRight() throws Exception {
        List<Path> labels;
        try (Stream<Path> files = Files.list(SWEEP)) {
            labels = files.filter(p -> p.toString().endsWith(".labels.json")).sorted().toList();
        }
        assertThat(labels).as("points × vantages").hasSizeGreaterThanOrEqualTo(50);
        List<Row> rows = new ArrayList<>();
        Map<String, int[]> perKind = new TreeMap<>(); // tp, fn, fp, tn
        for (Path labelFile : labels) {
            JsonNode label = CorpusAccuracyTest.JSON.readTree(labelFile.toFile());
            List<Detection> detections = CorpusAccuracyTest.run(SWEEP.resolve(label.path("capture").path("file").asText()),
                    label.path("observer").asText(), configuredAsTheLabelSays(label)).detections();
            for (JsonNode e : label.path("expected")) {
                Row row = score(label, e, detections);
                rows.add(row);
                int[] c = perKind.computeIfAbsent(row.kind(), k -> new int[4]);
                if (row.expected().equals("incident")) {
                    c[row.ok() ? 0 : 1]++;
                } else if (row.expected().equals("nothing")) {
                    c[row.ok() ? 3 : 2]++;
                }
            }
        }
        String table = table(labels, rows, perKind);
        Files.writeString(Path.of("target", "sweep-accuracy.md"), table);
        System.out.println(table);
        AccuracyDoc.check("sweep", table);
        assertThat(rows.stream().filter(r -> !r.ok()).toList()).as("points where the detector and the kernel disagree").isEmpty();
        for (String kind : FLEET) { // every fleet situation on both sides of its limit
            assertThat(perKind.get(kind)[0]).as("%s incidents found", kind).isPositive();
            assertThat(perKind.get(kind)[3]).as("%s negatives left alone", kind).isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * The detector set up as an operator would for these clients: a label's {@code detector} object
     * gives what the clients use ({@code ephemeral_ports}: their {@code ip_local_port_range}, which an
     * operator passes as {@code --ephemeral-ports}).
     */
    static FleetConfig configuredAsTheLabelSays(JsonNode label) {
        DetectorOptions options = new DetectorOptions();
        String ports = label.path("detector").path("ephemeral_ports").asText(null);
        new CommandLine(options).parseArgs(ports == null ? new String[0] : new String[] {"--ephemeral-ports", ports});
        return options.fleet.config();
    }

    /** The fleet options of {@code job} and {@code analyze}, parsed as they parse them. */
    @CommandLine.Command(name = "detector")
    static final class DetectorOptions {
        @CommandLine.Mixin
        FleetOptions fleet;
    }

    private static Row score(JsonNode label, JsonNode e, List<Detection> detections) {
        String point = label.path("scenario").asText();
        String vantage = label.path("vantage").asText();
        String kind = e.path("kind").asText();
        boolean fleet = FLEET.contains(kind);
        List<Detection> found = detections.stream()
                .filter(d -> fleet ? "OPEN".equals(d.status) : d.status == null)
                .filter(d -> kind.equals("ANY") || CorpusAccuracyTest.matches(d, e))
                .filter(d -> !kind.equals("ANY") || CorpusAccuracyTest.covers(e, d))
                .filter(d -> !e.has("origin") || e.path("origin").asText().equals(d.origin)) // who sent the RST
                .filter(d -> !e.path("detect").asBoolean()
                        || (fleet ? CorpusAccuracyTest.inFleetWindow(d, e) : CorpusAccuracyTest.inWindow(d, e)))
                .toList();
        String what = found.isEmpty() ? "—" : found.size() + " × " + found.get(0).type;
        if (!e.path("observable").asBoolean(true)) {
            return new Row(point, vantage, kind, e.path("client").asText(""), "not observable here", what, true);
        }
        boolean incident = e.path("detect").asBoolean();
        return new Row(point, vantage, kind, e.path("client").asText(""), incident ? "incident" : "nothing", what,
                incident != found.isEmpty());
    }

    private static String table(List<Path> labels, List<Row> rows, Map<String, int[]> perKind) throws Exception {
        StringBuilder t = new StringBuilder("| point | vantage | kernel | label | expected | found | |\n|---|---|---|---|---|---|---|\n");
        for (Path labelFile : labels) {
            JsonNode label = CorpusAccuracyTest.JSON.readTree(labelFile.toFile());
            StringBuilder kernel = new StringBuilder();
            label.path("sweep").path("kernel_verdict").fields().forEachRemaining(f -> {
                if (f.getValue().asLong() != 0) {
                    kernel.append(kernel.length() == 0 ? "" : ", ").append(f.getKey().replace("TcpExt:", "")).append(' ').append(f.getValue());
                }
            });
            String point = label.path("scenario").asText();
            String vantage = label.path("vantage").asText();
            rows.stream().filter(r -> r.point().equals(point) && r.vantage().equals(vantage) && r.client().isEmpty())
                    .forEach(r -> t.append(String.format("| %s | %s | %s | %s | %s | %s | %s |%n", point, vantage,
                            kernel.length() == 0 ? "—" : kernel, r.kind(), r.expected(), r.found(), r.ok() ? "ok" : "**wrong**")));
            long clients = rows.stream().filter(r -> r.point().equals(point) && r.vantage().equals(vantage) && !r.client().isEmpty()).count();
            long clientsOk = rows.stream().filter(r -> r.point().equals(point) && r.vantage().equals(vantage) && !r.client().isEmpty() && r.ok()).count();
            if (clients > 0) {
                t.append(String.format("| %s | %s | | per connection (kind, RST cause and origin) | %d entries | %d right | %s |%n",
                        point, vantage, clients, clientsOk, clients == clientsOk ? "ok" : "**wrong**"));
            }
        }
        t.append("\n| kind | true positives | false negatives | false positives | true negatives | precision | recall |\n|---|---:|---:|---:|---:|---:|---:|\n");
        perKind.forEach((k, c) -> t.append(String.format("| %s | %d | %d | %d | %d | %.3f | %.3f |%n", k, c[0], c[1], c[2], c[3],
                c[0] + c[2] == 0 ? 1.0 : (double) c[0] / (c[0] + c[2]), c[0] + c[1] == 0 ? 1.0 : (double) c[0] / (c[0] + c[1]))));
        return t.toString();
    }
}

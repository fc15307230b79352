package io.tcpwatch.agent.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.schema.Addresses;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed corpus (corpus/fixtures): each label file must be consistent with its capture.
 * Labels come from applications and kernel counters; here the capture, read by the agent's own
 * reader and parser, must agree with them — and with what Wireshark counted when it was made.
 */
class CorpusLabelsTest {

    static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));
    static final ObjectMapper JSON = new ObjectMapper();

    static final Set<String> KINDS = Set.of("PORT_REUSE_COLLISION", "RST", "ZERO_WINDOW_STALL", "HALF_OPEN",
            "SYN_RETRANSMIT", "RST_STORM", "SYN_FLOOD", "ACCEPT_BACKLOG_OVERFLOW", "PORT_EXHAUSTION_RISK",
            "CONNECTION_LIMIT", "RECONNECT_STORM", "RETRANSMISSION_SURGE", "SLOW_RESPONSES", "UNANSWERED_REQUEST", "ANY");
    static final Set<String> CAUSES = Set.of("REFUSED", "REJECTED_AFTER_HANDSHAKE", "ABORTIVE_CLOSE", "RST_AFTER_FIN",
            "IDLE_TIMEOUT", "CHALLENGE_ACK_REPLY", "OUT_OF_WINDOW", "DATA_AFTER_RST");
    static final Set<String> ORIGINS = Set.of("ENDPOINT_STACK", "ENDPOINT_APP", "MIDDLEBOX_SUSPECT");
    static final Set<String> CONN_STATES = Set.of("S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0",
            "RSTRH", "SH", "SHR", "OTH");
    static final List<String> SCENARIOS = List.of("port-reuse", "rst-after-fin", "connection-limit", "refused",
            "backlog-and-flood", "zero-window", "idle-timeout", "packet-loss", "normal");

    /** A label file with its capture, parsed once. */
    record Case(Path labelFile, JsonNode label, List<Segment> segments, String damage, long skipped) {
        @Override
        public String toString() {
            return labelFile.getFileName().toString();
        }
    }

    static Stream<Case> cases() throws Exception {
        return cases(CORPUS);
    }

    /** The sweep's points (corpus/fixtures/sweep): the same checks but Wireshark's, which the sweep does not record. */
    static Stream<Case> sweepCases() throws Exception {
        return cases(CORPUS.resolve("sweep"));
    }

    static Stream<Case> cases(Path dir) throws Exception {
        List<Case> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".labels.json")).sorted().toList()) {
                JsonNode label = JSON.readTree(f.toFile());
                Path capture = dir.resolve(label.path("capture").path("file").asText());
                FrameParser parser = new FrameParser(label.path("observer").asText());
                List<Segment> segments = new ArrayList<>();
                String damage;
                try (CaptureFileReader r = CaptureFileReader.open(capture)) {
                    r.read((iface, ts, buf, off, cap, orig) -> {
                        Segment s = parser.parse(iface.linkType(), ts, buf, off, cap);
                        if (s != null) {
                            segments.add(s.copy());
                        }
                    });
                    damage = r.damage();
                }
                out.add(new Case(f, label, segments, damage, parser.counters().skippedTotal()));
            }
        }
        return out.stream();
    }

    @Test
    void everyScenarioIsThereFromBothVantagePointsWithinAFewMegabytes() throws IOException {
        for (String scenario : SCENARIOS) {
            for (String vantage : List.of("client", "server")) {
                assertThat(CORPUS.resolve(scenario + "." + vantage + ".labels.json")).exists();
            }
        }
        try (Stream<Path> files = Files.list(CORPUS)) {
            List<Path> all = files.toList();
            assertThat(all).anyMatch(p -> p.toString().endsWith(".pcapng")).anyMatch(p -> p.toString().endsWith(".pcap"));
            long bytes = 0;
            for (Path p : all) {
                bytes += Files.size(p);
            }
            assertThat(bytes).isLessThan(5L << 20);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"cases", "sweepCases"})
    void labelsSpeakTheDesignVocabulary(Case c) {
        JsonNode l = c.label();
        assertThat(l.path("format").asText()).isEqualTo("tcpwatch-corpus-labels/1");
        if (l.has("sweep")) {
            assertThat(l.path("sweep").path("point").isObject()).as("the point's parameters").isTrue();
        } else {
            assertThat(l.path("scenario").asText()).isIn(SCENARIOS);
        }
        assertThat(l.path("vantage").asText()).isIn("client", "server");
        assertThat(l.path("kernel").path("release").asText()).isNotBlank();
        JsonNode sysctls = l.path("kernel").path("sysctls");
        for (String name : List.of("net.ipv4.tcp_timestamps", "net.ipv4.tcp_syn_linear_timeouts", "net.ipv4.ip_local_port_range")) {
            assertThat(sysctls.path(name).isTextual()).as(name).isTrue();
        }
        assertThat(l.path("expected").size()).isPositive();
        boolean anyDetection = false;
        for (JsonNode e : l.path("expected")) {
            assertThat(e.path("kind").asText()).isIn(KINDS);
            assertThat(e.path("detect").isBoolean()).isTrue();
            assertThat(e.path("anomaly").isBoolean()).isTrue();
            if (!e.path("detect").asBoolean()) {
                assertThat(e.path("anomaly").asBoolean()).as("a negative control is never an anomaly: %s", e).isFalse();
            }
            anyDetection |= e.path("detect").asBoolean();
            if (e.has("cause")) {
                assertThat(e.path("kind").asText()).isEqualTo("RST");
                assertThat(e.path("cause").asText()).isIn(CAUSES);
            }
            if (e.has("origin")) {
                assertThat(e.path("origin").asText()).isIn(ORIGINS);
            }
            if (e.has("conn_state")) {
                assertThat(e.path("conn_state").asText()).isIn(CONN_STATES);
            }
            if (e.has("from")) {
                assertThat(Instant.parse(e.path("from").asText())).isBeforeOrEqualTo(Instant.parse(e.path("to").asText()));
            }
        }
        assertThat(anyDetection || l.path("scenario").asText().equals("normal") || l.has("sweep"))
                .as("every scenario but 'normal' (and a sweep's negative points) expects at least one detection").isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"cases", "sweepCases"})
    void theCaptureAgreesWithTheKernelsOwnCounters(Case c) {
        assertThat(c.damage()).isNull();
        assertThat(c.skipped()).as("the capture filter was 'tcp': every frame is a segment").isZero();
        JsonNode k = c.label().path("kernel").path("counters");
        JsonNode late = c.label().path("kernel").path("counters_after_capture_stop");
        Set<String> own = new HashSet<>();
        c.label().path("capture").path("own_addresses").forEach(a -> own.add(a.asText()));
        List<Segment> sent = c.segments().stream().filter(s -> own.contains(s.srcHost())).toList();

        assertWithin(sent.stream().filter(s -> s.has(TcpFlags.RST)).count(), "Tcp:OutRsts", k, late);

        // a SYN or SYN/ACK seen before (same direction, ports and sequence number) is a retransmission
        Set<String> seenSyns = new HashSet<>();
        long firstSyns = 0;
        long synRetransmits = 0;
        for (Segment s : sent) {
            if (s.has(TcpFlags.SYN) && !s.has(TcpFlags.RST)) {
                boolean first = seenSyns.add(s.srcHost() + ":" + s.srcPort + ">" + s.dstHost() + ":" + s.dstPort
                        + "/" + s.seq + "/" + s.flags);
                if (!first) {
                    synRetransmits++;
                } else if (!s.has(TcpFlags.ACK)) {
                    firstSyns++;
                }
            }
        }
        assertWithin(firstSyns, "Tcp:ActiveOpens", k, late);
        assertWithin(synRetransmits, "TcpExt:TCPSynRetrans", k, late);

        JsonNode flood = c.label().path("flood");
        if (!flood.isMissingNode()) {
            long first = ipv4(flood.path("first_source").asText());
            long last = ipv4(flood.path("last_source").asText());
            long spoofed = c.segments().stream().filter(s -> s.ipVersion == 4 && s.flags == TcpFlags.SYN
                    && ipv4(s.srcHost()) >= first && ipv4(s.srcHost()) <= last).count();
            assertThat(spoofed).as("raw SYNs the flood role sent").isEqualTo(flood.path("raw_syns_sent").asLong());
        }

        long toZeroWindow = k.path("TcpExt:TCPToZeroWindowAdv").asLong();
        long zeroWindowsSent = sent.stream().filter(s -> s.window == 0 && !s.has(TcpFlags.RST)).count();
        assertThat(zeroWindowsSent).as("zero windows advertised ≥ TcpExt:TCPToZeroWindowAdv").isGreaterThanOrEqualTo(toZeroWindow);
        if (late.path("TcpExt:TCPToZeroWindowAdv").asLong() == 0) {
            assertThat(zeroWindowsSent).isZero();
        }
    }

    /** The capture's count lies between the counter read before and after the captures stopped. */
    private static void assertWithin(long captured, String counter, JsonNode before, JsonNode after) {
        assertThat(captured).as("%s in the capture vs the kernel's counter", counter)
                .isBetween(before.path(counter).asLong(), after.path(counter).asLong());
    }

    private static long ipv4(String dotted) {
        long v = 0;
        for (String part : dotted.split("\\.")) {
            v = (v << 8) | Integer.parseInt(part);
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"cases", "sweepCases"})
    void everyLabeledConnectionIsInTheCaptureInItsTimeRange(Case c) {
        for (JsonNode e : c.label().path("expected")) {
            String server = e.path("server").asText();
            String client = e.path("client").asText(null);
            long from = e.has("from") ? nanos(e.path("from").asText()) : Long.MIN_VALUE;
            long to = e.has("to") ? nanos(e.path("to").asText()) : Long.MAX_VALUE;
            boolean found = c.segments().stream().anyMatch(s -> s.tsNanos >= from && s.tsNanos <= to
                    && involves(s, server) && (client == null || involves(s, client)));
            assertThat(found).as("%s: segments of %s ↔ %s in [%s, %s]", c, client, server,
                    e.path("from").asText(), e.path("to").asText()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void wiresharkCountedTheSameResetsAndSyns(Case c) {
        JsonNode counts = c.label().path("wireshark").path("counts");
        assertThat(counts.isObject()).as("tshark counts recorded").isTrue();
        assertThat(c.segments().stream().filter(s -> s.has(TcpFlags.RST)).count())
                .isEqualTo(counts.path("tcp.flags.reset == 1").asLong());
        assertThat(c.segments().stream().filter(s -> s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)).count())
                .isEqualTo(counts.path("tcp.flags.syn == 1 && tcp.flags.ack == 0").asLong());
    }

    /** True when the segment comes from or goes to {@code endpoint} ("ip:port", or "ip" alone). */
    static boolean involves(Segment s, String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String host = colon < 0 ? endpoint : endpoint.substring(0, colon);
        int port = colon < 0 ? -1 : Integer.parseInt(endpoint.substring(colon + 1));
        return (Addresses.format(s.srcAddr).equals(host) && (port < 0 || s.srcPort == port))
                || (Addresses.format(s.dstAddr).equals(host) && (port < 0 || s.dstPort == port));
    }

    static long nanos(String iso) {
        Instant i = Instant.parse(iso);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}

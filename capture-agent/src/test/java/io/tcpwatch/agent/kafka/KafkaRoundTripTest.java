package io.tcpwatch.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.agent.testing.CapturedOutput;
import io.tcpwatch.agent.testing.JsonFields;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import io.tcpwatch.agent.testing.SyntheticTraffic;
import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentRecordDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent replays a capture into a real KRaft broker; every segment must come back exactly. */
@Timeout(600)
class KafkaRoundTripTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    /**
     * Flow batches (the default) and one record per segment (for jobs older than batches): every
     * segment comes back exactly, a flow's in capture order, in one partition.
     */
    @ParameterizedTest(name = "--batch-segments {0}")
    @ValueSource(ints = {64, 1})
    void everySegmentRoundTripsExactlyAndEachConnectionStaysInOnePartition(int batchSegments) throws Exception {
        Path pcap = dir.resolve("traffic.pcap");
        long frames = SyntheticTraffic.write(pcap, 20_000, 150, 11);
        List<Segment> expected = parseFile(pcap, "it-observer");
        assertThat(expected).hasSize((int) frames);
        String topic = "seg-it-" + batchSegments;
        String statsTopic = "stats-it-" + batchSegments;
        KAFKA.broker().createTopic(topic, 4);

        int exit = new CommandLine(new AgentCommand()).execute("--read", pcap.toString(), "--bootstrap",
                KAFKA.broker().bootstrap(), "--topic", topic, "--stats-topic", statsTopic, "--observer", "it-observer",
                "--batch-segments", String.valueOf(batchSegments), "--no-progress");
        assertThat(exit).isZero();

        SegmentRecordDecoder decoder = new SegmentRecordDecoder();
        Map<ByteBuffer, Integer> partitionOfFlow = new HashMap<>();
        Map<ByteBuffer, List<Segment>> consumedByFlow = new LinkedHashMap<>();
        long consumed = 0;
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().readToEnd(topic, Duration.ofMinutes(2));
        for (ConsumerRecord<byte[], byte[]> r : records) { // the agent has exited: every record is there
            List<Segment> segments = decoder.decode(r.value());
            consumed += segments.size();
            assertThat(segments.size()).isBetween(1, batchSegments);
            for (Segment s : segments) {
                ByteBuffer key = ByteBuffer.wrap(r.key());
                assertThat(r.key()).isEqualTo(FlowKey.of(s));
                Integer before = partitionOfFlow.putIfAbsent(key, r.partition());
                assertThat(before == null || before == r.partition()).as("flow split across partitions").isTrue();
                consumedByFlow.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
            }
        }
        assertThat(consumed).isEqualTo(frames);
        if (batchSegments == 1) {
            assertThat(records).hasSize((int) frames);
        } else {
            assertThat(records.size()).as("records, for %,d segments", frames).isLessThan((int) frames / 4);
        }
        assertThat(partitionOfFlow.values()).as("flows spread over every partition").containsOnly(0, 1, 2, 3)
                .contains(0, 1, 2, 3);

        Map<ByteBuffer, List<Segment>> expectedByFlow = new LinkedHashMap<>();
        for (Segment s : expected) {
            expectedByFlow.computeIfAbsent(ByteBuffer.wrap(FlowKey.of(s)), k -> new ArrayList<>()).add(s);
        }
        assertThat(consumedByFlow).hasSameSizeAs(expectedByFlow);
        for (Map.Entry<ByteBuffer, List<Segment>> e : expectedByFlow.entrySet()) {
            assertThat(consumedByFlow.get(e.getKey())).as("segments of one flow, in capture order")
                    .containsExactlyElementsOf(e.getValue());
        }

        // the last agent-stats record accounts for every segment
        List<ConsumerRecord<byte[], byte[]>> stats = KAFKA.broker().readAll(statsTopic, 1, Duration.ofMinutes(2));
        assertThat(stats).isNotEmpty();
        Map<String, String> last = JsonFields.of(stats.get(stats.size() - 1).value());
        assertThat(last).containsEntry("packets_seen", String.valueOf(frames)).containsEntry("parsed", String.valueOf(frames))
                .containsEntry("dropped", "0").containsEntry("send_errors", "0");
        assertThat(new String(stats.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("it-observer");
    }

    @Test
    void anUnreachableBrokerEndsWithExitCode7AfterTheConfiguredTime() throws Exception {
        Path pcap = dir.resolve("small.pcap");
        SyntheticTraffic.write(pcap, 10, 2, 1);
        long start = System.nanoTime();
        int exit = new CommandLine(new AgentCommand()).execute("--read", pcap.toString(),
                "--bootstrap", "127.0.0.1:1", "--broker-timeout", "3", "--no-progress");
        assertThat(exit).isEqualTo(7);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("it retried for the configured time")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(output.err()).as("and gave up after it, not after the default 60 s")
                .contains("Kafka at 127.0.0.1:1 is unreachable").contains("gave up after 3 s (--broker-timeout).");
    }

    static List<Segment> parseFile(Path pcap, String observer) throws Exception {
        List<Segment> out = new ArrayList<>();
        FrameParser parser = new FrameParser(observer);
        try (CaptureFileReader r = CaptureFileReader.open(pcap)) {
            r.read((iface, ts, buf, off, cap, orig) -> {
                Segment s = parser.parse(iface.linkType(), ts, buf, off, cap);
                if (s != null) {
                    out.add(s.copy());
                }
            });
        }
        return out;
    }
}

package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.capture.CaptureFileReader;
import io.tcpwatch.agent.parse.FrameParser;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;
import io.tcpwatch.schema.TcpFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running (unbounded) job whose segments topic has three partitions that never receive a record:
 * with idleness they stop holding the watermark back and the fleet episode of the one busy
 * partition is published; with idleness set beyond the test's patience, nothing that needs event
 * time to pass comes out (the control that shows what idleness does).
 */
@Timeout(240)
class IdlePartitionTest extends JobOnKafka {

    static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));

    @Test
    void idlePartitionsDoNotStallTheJob() throws Exception {
        List<Segment> segments = new ArrayList<>();
        FrameParser parser = new FrameParser("idle");
        try (CaptureFileReader r = CaptureFileReader.open(CORPUS.resolve("connection-limit.server.pcap"))) {
            r.read((iface, ts, buf, off, cap, orig) -> {
                Segment s = parser.parse(iface.linkType(), ts, buf, off, cap);
                if (s != null) {
                    segments.add(s.copy());
                }
            });
        }
        Segment tick = segments.get(segments.size() - 1).copy(); // a later SYN moves event time past the windows
        tick.tsNanos += 60_000_000_000L;
        tick.flags = TcpFlags.SYN;
        tick.srcPort = 55555;
        segments.add(tick);

        for (String run : List.of("idle", "stalled")) {
            for (String t : List.of("segments", "detections", "connections", "fleet-stats", "agent-stats", "dlq")) {
                KAFKA.broker().createTopic(run + "-" + t, t.equals("segments") ? 4 : 1);
            }
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                SegmentEncoder encoder = new SegmentEncoder();
                for (Segment s : segments) { // all into partition 0: partitions 1-3 stay silent
                    p.send(new ProducerRecord<>(run + "-segments", 0, null, encoder.encodeToArray(s)));
                }
            }
        }

        assertThat(runUntilEpisode("idle", Duration.ofSeconds(2), Duration.ofSeconds(90)))
                .as("with idleness, the busy partition's episode comes out").isTrue();
        assertThat(runUntilEpisode("stalled", Duration.ofHours(1), Duration.ofSeconds(15)))
                .as("without it, three silent partitions hold the watermark back").isFalse();
    }

    /** Runs the job unbounded; true when a CONNECTION_LIMIT episode is committed within {@code patience}. */
    private static boolean runUntilEpisode(String run, Duration idleness, Duration patience) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamingJob.attach(env, new StreamingJob.Settings(KAFKA.broker().bootstrap(), run + "-segments", run + "-detections",
                run + "-connections", run + "-fleet-stats", run + "-agent-stats", run + "-dlq", run, Duration.ofMillis(500),
                Duration.ofSeconds(2), idleness, false, new Properties(), TrackerConfig.defaults(), FleetConfig.defaults()));
        JobClient job = env.executeAsync("idle partitions " + run);
        try {
            long deadline = System.nanoTime() + patience.toNanos();
            while (System.nanoTime() < deadline) {
                boolean found = KAFKA.broker().readToEnd(run + "-detections", Duration.ofSeconds(10)).stream()
                        .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                        .anyMatch(d -> d.contains("\"type\":\"CONNECTION_LIMIT\"") && d.contains("\"status\":\"OPEN\""));
                if (found) {
                    return true;
                }
                Thread.sleep(1_000);
            }
            return false;
        } finally {
            job.cancel().get();
        }
    }
}

package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;
import io.tcpwatch.schema.TcpFlags;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * time to pass comes out (the control that shows what idleness does). The control waits for the
 * same milestone (every segment read by the tracker), then at least as long as the positive run
 * took in all, and for checkpoints that would have committed an episode.
 */
@Timeout(900)
class IdlePartitionTest extends JobOnKafka {

    /** Only a stuck run takes this long for a condition. */
    private static final Duration WAIT = Duration.ofMinutes(4);

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
            StreamingJob.Topics topics = StreamingJob.Topics.prefixed(run);
            for (String t : topics.all()) {
                KAFKA.broker().createTopic(t, t.equals(topics.segments()) ? 4 : 1);
            }
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                SegmentEncoder encoder = new SegmentEncoder();
                for (Segment s : segments) { // all into partition 0: partitions 1-3 stay silent
                    p.send(new ProducerRecord<>(topics.segments(), 0, null, encoder.encodeToArray(s)));
                }
            }
        }

        // with idleness: the episode comes out; how long that took is the control's patience
        Run idle = start("idle", Duration.ofSeconds(2));
        try {
            await("the tracker read every segment").atMost(WAIT).until(() -> idle.rest.recordsRead("connection tracker") == segments.size());
            await("the busy partition's episode, with idleness").atMost(WAIT).until(() -> hasEpisode("idle"));
        } finally {
            idle.job.cancel().get();
        }
        Duration patience = Duration.ofNanos(System.nanoTime() - idle.startNs);

        // without it (idleness beyond the test), the same milestones, then at least as long again
        Run stalled = start("stalled", Duration.ofHours(1));
        try {
            await("the tracker read every segment").atMost(WAIT)
                    .until(() -> stalled.rest.recordsRead("connection tracker") == segments.size());
            long checkpointsAtMilestone = stalled.rest.completedCheckpoints();
            long quietFrom = System.nanoTime();
            await("as long as the positive run took, and two checkpoints that would have committed an episode")
                    .atMost(patience.plus(WAIT)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> System.nanoTime() - quietFrom >= patience.toNanos()
                            && stalled.rest.completedCheckpoints() >= checkpointsAtMilestone + 2);
            assertThat(hasEpisode("stalled")).as("without idleness, three silent partitions hold the episode back").isFalse();
            assertThat(stalled.rest.inputWatermark("connection tracker", 2)).as("and the watermark never started")
                    .isEqualTo(Long.MIN_VALUE);
        } finally {
            stalled.job.cancel().get();
        }
        System.out.printf("idle partitions: episode after %.1f s with idleness; none in as long again without%n",
                patience.toMillis() / 1e3);
    }

    private record Run(JobClient job, JobRest rest, long startNs) {}

    /** Starts the job unbounded on the run's topics. */
    private static Run start(String run, Duration idleness) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).withTopics(StreamingJob.Topics.prefixed(run))
                .as(run, StartAt.EARLIEST).withCheckpoints(Duration.ofMillis(500)).withWatermarks(Duration.ofSeconds(2), idleness));
        long startNs = System.nanoTime();
        JobClient job = env.executeAsync("idle partitions " + run);
        return new Run(job, rest(job.getJobID()), startNs);
    }

    /** True when a CONNECTION_LIMIT episode is committed to the run's detections topic. */
    private static boolean hasEpisode(String run) {
        return KAFKA.broker().readToEnd(run + "-detections", Duration.ofMinutes(2)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .anyMatch(d -> d.contains("\"type\":\"CONNECTION_LIMIT\"") && d.contains("\"status\":\"OPEN\""));
    }
}

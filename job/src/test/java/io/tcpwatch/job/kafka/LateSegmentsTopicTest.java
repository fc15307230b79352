package io.tcpwatch.job.kafka;

import io.tcpwatch.core.tracker.Tracker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production job keeps what arrives behind its watermark: every segment of an agent 30 s
 * behind, published after event time passed it, is on {@code tcp.segments.late} (committed,
 * keyed by observer) with how far behind it was and why, and the metric counts it per observer.
 */
@Timeout(600)
class LateSegmentsTopicTest extends JobOnKafka {

    private static final Duration WAIT = Duration.ofMinutes(4);

    @Test
    void lateSegmentsArePublishedWithTheirReason() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 3;
        cfg.seconds = 20;
        cfg.clientVantageEvery = 0;
        List<Segment> fleet = new ArrayList<>();
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                fleet.add(s.copy());
            }

            @Override
            public void close() {}
        });
        List<Segment> behind = fleet.subList(0, 500).stream().map(s -> {
            Segment b = s.copy();
            b.observer = "behind";
            b.tsNanos -= 30_000_000_000L;
            return b;
        }).toList();
        long newestBehindMs = behind.stream().mapToLong(Tracker::eventTimeMs).max().orElseThrow();

        StreamingJob.Topics topics = StreamingJob.Topics.prefixed("late");
        for (String t : topics.all()) {
            KAFKA.broker().createTopic(t, 2);
        }
        publish(topics.segments(), fleet);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).withTopics(topics).as("late", StartAt.EARLIEST)
                .withCheckpoints(Duration.ofMillis(500)).withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(2)));
        JobClient job = env.executeAsync("late segments");
        List<ConsumerRecord<byte[], byte[]>> late;
        Long counted;
        try {
            JobRest rest = rest(job.getJobID());
            await("the tracker's watermark passes the lagging agent's newest timestamp").atMost(WAIT)
                    .until(() -> rest.inputWatermark("connection tracker", 2) > newestBehindMs);
            publish(topics.segments(), behind);
            await("every late segment committed to " + topics.lateSegments()).atMost(WAIT).pollInterval(Duration.ofSeconds(1))
                    .until(() -> KAFKA.broker().readToEnd(topics.lateSegments(), WAIT).size() >= behind.size());
            late = KAFKA.broker().readToEnd(topics.lateSegments(), WAIT);
            await("the per-observer count").atMost(WAIT).until(() -> Long.valueOf(behind.size()).equals(
                    sum(rest, id -> id.endsWith(".observer.behind.lateSegments"))));
            counted = sum(rest, id -> id.endsWith(".observer.behind.lateSegments"));
        } finally {
            job.cancel().get();
        }

        assertThat(late).hasSize(behind.size());
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<byte[], byte[]> r : late) {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("behind");
            JsonNode l = json.readTree(r.value());
            assertThat(l.path("observer").asText()).isEqualTo("behind");
            long tsMs = Math.floorDiv(l.path("ts_ns").asLong(), 1_000_000L);
            assertThat(l.path("behind_ms").asLong()).as("watermark − capture time")
                    .isEqualTo(Instant.parse(l.path("watermark").asText()).toEpochMilli() - tsMs).isPositive();
            assertThat(l.path("reason").asText()).contains("behind the job's event time");
            assertThat(l.has("src") && l.has("dst_port") && l.has("seq") && l.has("flags") && l.has("watermark")).isTrue();
        }
        assertThat(counted).as("lateSegments of observer 'behind', over the tracker's subtasks").isEqualTo(behind.size());
        System.out.printf("late segments: %,d of an agent 30 s behind, all on %s with their reason, counted per observer%n",
                late.size(), topics.lateSegments());
    }

    private static Long sum(JobRest rest, java.util.function.Predicate<String> id) {
        return rest.metricSum("connection tracker", id);
    }

    private static void publish(String topic, List<Segment> segments) {
        SegmentEncoder encoder = new SegmentEncoder();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Segment s : segments) {
                p.send(new ProducerRecord<>(topic, io.tcpwatch.schema.FlowKey.of(s), encoder.encodeToArray(s)));
            }
        }
    }
}

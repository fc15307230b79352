package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentBatchDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling upgrade of the agents: each agent of a simulated fleet publishes one record per segment
 * until its own upgrade instant and flow batches after it, all into one topic. The job reads that
 * topic and finds exactly what it finds when every agent publishes single segments: the same
 * detections and connection records, byte for byte after a sort.
 */
@Timeout(600)
class MixedSegmentVersionsTest extends JobOnKafka {

    @Test
    void aTopicOfSingleSegmentsAndBatchesGivesTheSameFindingsAsSingleSegmentsAlone() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.seconds = 50;
        // one agent per connection: where both ends watch one, the first to arrive owns it (VantageOwners),
        // and batching changes arrival order, hence whose TIME_WAIT a pair window counts
        cfg.clientVantageEvery = 0;
        for (String incident : List.of("rst-storm@12:1", "syn-flood@15:2", "backlog@20:3", "connection-limit@25:4")) {
            cfg.incidents.add(Incident.parse(incident));
        }
        List<Segment> segments = new ArrayList<>();
        new FleetSimulation(cfg).run(collect(segments));

        publish("single", segments, s -> false);
        // agent i upgrades i seconds after the start: the topic holds both kinds from 0 to 20 s, batches after
        long upgradeBase = cfg.startNs;
        publish("mixed", segments, s -> s.tsNanos >= upgradeBase + (Math.floorMod(s.observer.hashCode(), 20)) * 1_000_000_000L);

        List<ConsumerRecord<byte[], byte[]>> mixed = KAFKA.broker().readToEnd("mixed-segments", Duration.ofMinutes(2));
        long batches = mixed.stream().filter(r -> SegmentBatchDecoder.isBatch(r.value())).count();
        assertThat(batches).as("batches in the mixed topic").isPositive().isLessThan(mixed.size());

        Findings single = run("single");
        Findings both = run("mixed");
        assertThat(single.detections()).as("detections").isNotEmpty().anyMatch(d -> d.contains("\"status\":\"OPEN\""));
        assertThat(both.detections()).as("detections").isEqualTo(single.detections());
        assertThat(both.connections()).as("connection records").hasSize(single.connections().size())
                .isEqualTo(single.connections());
    }

    /** Sorted JSON lines of a run's outputs. */
    private record Findings(List<String> detections, List<String> connections) {}

    private interface Upgraded {
        boolean test(Segment s);
    }

    /** Publishes {@code segments} to {@code <run>-segments}: single records, or batches once an agent has upgraded. */
    private static void publish(String run, List<Segment> segments, Upgraded upgraded) throws Exception {
        StreamingJob.Topics topics = StreamingJob.Topics.prefixed(run);
        KAFKA.broker().createTopic(topics.segments(), 4);
        for (String t : List.of(topics.detections(), topics.connections(), topics.fleetStats(), topics.agentStats(),
                topics.deadLetters(), topics.lateSegments())) {
            KAFKA.broker().createTopic(t, 1);
        }
        SegmentPublisher publisher = new SegmentPublisher(
                KafkaSettings.producer(KAFKA.broker().bootstrap(), run, "zstd", Map.of()), topics.segments(), 100_000);
        KafkaSink before = new KafkaSink(publisher, true, KafkaSink.Batching.NONE);
        KafkaSink after = new KafkaSink(publisher, true, KafkaSink.Batching.DEFAULT);
        for (Segment s : segments) {
            (upgraded.test(s) ? after : before).accept(s);
        }
        after.flush();
        publisher.close(Duration.ofSeconds(60));
        assertThat(publisher.sent()).isEqualTo(segments.size());
    }

    private static Findings run(String run) throws Exception {
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        StreamingJob.Topics topics = StreamingJob.Topics.prefixed(run);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).withTopics(topics)
                .as(run, StartAt.EARLIEST).withCheckpoints(Duration.ofSeconds(2))
                .withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)).boundedRun());
        env.execute("tcpwatch " + run);
        assertThat(KAFKA.broker().readToEnd(topics.deadLetters(), Duration.ofSeconds(30))).as("dead letters").isEmpty();
        return new Findings(sorted(topics.detections()), sorted(topics.connections()));
    }

    private static List<String> sorted(String topic) {
        return KAFKA.broker().readToEnd(topic, Duration.ofMinutes(2)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).sorted().toList();
    }

    private static SegmentSink collect(List<Segment> into) {
        return new SegmentSink() {
            @Override
            public void accept(Segment s) {
                into.add(s.copy());
            }

            @Override
            public void close() {}
        };
    }
}

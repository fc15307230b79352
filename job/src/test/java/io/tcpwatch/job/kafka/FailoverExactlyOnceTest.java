package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.Segment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Job failover with exactly-once sinks: the same simulated fleet runs once without interruption
 * and once with a task failing mid-stream after a completed checkpoint; after the restore, the
 * committed detections (read_committed) are exactly those of the uninterrupted run — no
 * duplicates, none missing. Mid-stream by construction: the failing run reads the first half of
 * the topic, checkpoints, and only then is the second half published, with the failure armed.
 */
@Timeout(900)
class FailoverExactlyOnceTest extends JobOnKafka {

    /** Fails the task once, at the first segment after the test armed it. */
    static final class FailOnce extends RichMapFunction<SegmentRun, SegmentRun> {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public SegmentRun map(SegmentRun s) {
            if (ARMED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return s;
        }
    }

    private static final Duration WAIT = Duration.ofMinutes(4);

    @Test
    void afterATaskFailureTheCommittedDetectionsEqualAnUninterruptedRun() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 10;
        cfg.seconds = 60;
        cfg.clientVantageEvery = 0; // one reporter per connection: records do not depend on arrival order
        cfg.incidents.add(Incident.parse("connection-limit@15:2"));
        cfg.incidents.add(Incident.parse("syn-flood@20:4"));
        List<Segment> all = new ArrayList<>();
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                all.add(s.copy());
            }

            @Override
            public void close() {}
        });
        List<Segment> first = all.subList(0, all.size() / 2);
        List<Segment> second = all.subList(all.size() / 2, all.size());
        PartitionedTopic segments = new PartitionedTopic(KAFKA.broker(), "segments", 4);
        for (String t : List.of("detections-reference", "detections-failover", "connections-reference", "connections-failover",
                "fleet-reference", "fleet-failover", "late-reference", "late-failover")) {
            KAFKA.broker().createTopic(t, 2);
        }
        Map<TopicPartition, Long> end = segments.endAfter(all);

        // the failing run: the first half, a checkpoint, then a failure at the first segment of the second half
        segments.publish(first);
        JobClient failover = start(segments, end, "failover", true);
        JobRest rest = rest(failover.getJobID());
        await("the tracker read the first half").atMost(WAIT).until(() -> rest.recordsRead("connection tracker") == first.size());
        long checkpoints = rest.completedCheckpoints();
        await("a checkpoint completed after the first half").atMost(WAIT).until(() -> rest.completedCheckpoints() > checkpoints);
        // and its transactions committed: every detection the sink wrote is readable (read_committed)
        await("the first half's detections committed").atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Long written = rest.metricSum("detections-failover", id -> id.contains("detections-failover") && id.endsWith(".numRecordsSend"));
            return written != null && written > 0 && values("detections-failover").size() == written;
        });
        FailOnce.ARMED.set(true);
        segments.publish(second);
        failover.getJobExecutionResult().get();
        assertThat(FailOnce.FAILED.get()).as("the failure was injected").isTrue();

        FailOnce.ARMED.set(false);
        start(segments, end, "reference", false).getJobExecutionResult().get();

        // both runs saw every segment in event time: a segment late in one run would change its output
        assertThat(values("late-failover")).as("late segments in the failover run").isEmpty();
        assertThat(values("late-reference")).as("late segments in the reference run").isEmpty();
        List<String> reference = values("detections-reference");
        List<String> failed = values("detections-failover");
        assertThat(reference).hasSizeGreaterThan(100);
        assertThat(failed).as("committed detections after a failover").containsExactlyInAnyOrderElementsOf(reference);
        assertThat(values("connections-failover")).as("connection records")
                .containsExactlyInAnyOrderElementsOf(values("connections-reference"));
        assertThat(values("fleet-failover")).as("fleet statistics")
                .containsExactlyInAnyOrderElementsOf(values("fleet-reference"));
        System.out.printf("failover: %,d segments; %,d detections committed in both runs, identical%n", all.size(), reference.size());
    }

    /** Starts the job with exactly-once sinks on the topic up to {@code end}; {@code failing} allows restarts. */
    private static JobClient start(PartitionedTopic topic, Map<TopicPartition, Long> end, String name, boolean failing)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, failing ? "fixed-delay" : "none");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        String bootstrap = KAFKA.broker().bootstrap();
        DataStream<SegmentRun> segments = KafkaTopics.readSegments(env, topic.source("failover-" + name, end), topic.name(),
                        Duration.ofSeconds(2), KafkaTopics.NO_IDLENESS)
                .map(new FailOnce()).name("failure injection");
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults(), FleetConfig.defaults(), TcpwatchJob.Health.NONE);
        out.detections().sinkTo(KafkaTopics.detections("test", bootstrap, "detections-" + name, true, new Properties()))
                .name("detections-" + name);
        out.connections().sinkTo(KafkaTopics.connections("test", bootstrap, "connections-" + name, true, new Properties()));
        out.fleetStats().sinkTo(KafkaTopics.fleetStats("test", bootstrap, "fleet-" + name, true, new Properties()));
        out.lateSegments().sinkTo(KafkaTopics.lateSegments("test", bootstrap, "late-" + name, true, new Properties()));
        return env.executeAsync("failover " + name);
    }

    private static List<String> values(String topic) {
        return KAFKA.broker().readToEnd(topic, Duration.ofMinutes(2)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}

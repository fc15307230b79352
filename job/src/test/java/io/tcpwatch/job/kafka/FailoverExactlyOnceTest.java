package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.kafka.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Job failover with exactly-once sinks: the same simulated fleet runs once without interruption
 * and once with a task failing mid-stream after a completed checkpoint; after the restore, the
 * committed detections (read_committed) are exactly those of the uninterrupted run — no
 * duplicates, none missing.
 */
@Timeout(300)
class FailoverExactlyOnceTest extends JobOnKafka {

    /** Fails the task once, at the first segment after a checkpoint completed and {@code after} segments passed. */
    static final class FailOnce extends RichMapFunction<Segment, Segment> implements CheckpointListener {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicLong SEEN = new AtomicLong();
        private final long after;
        private transient boolean checkpointed;

        FailOnce(long after) {
            this.after = after;
        }

        @Override
        public Segment map(Segment s) throws InterruptedException {
            if (!checkpointed) {
                Thread.sleep(0, 200_000); // slow until the first checkpoint, so the failure comes mid-stream
            }
            if (ARMED.get() && checkpointed && SEEN.incrementAndGet() > after && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure");
            }
            return s;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    @Test
    void afterATaskFailureTheCommittedDetectionsEqualAnUninterruptedRun() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 10;
        cfg.seconds = 60;
        cfg.clientVantageEvery = 0; // one reporter per connection: records do not depend on arrival order
        cfg.incidents.add(Incident.parse("connection-limit@15:2"));
        cfg.incidents.add(Incident.parse("syn-flood@20:4"));
        KAFKA.broker().createTopic("segments", 4);
        for (String t : List.of("detections-reference", "detections-failover", "connections-reference", "connections-failover",
                "fleet-reference", "fleet-failover")) {
            KAFKA.broker().createTopic(t, 2);
        }
        SegmentPublisher publisher = new SegmentPublisher(
                KafkaSettings.producer(KAFKA.broker().bootstrap(), "failover", "lz4", Map.of()), "segments", 100_000);
        long segments;
        try (KafkaSink sink = new KafkaSink(publisher, true)) {
            segments = new FleetSimulation(cfg).run(sink).segments();
        }

        FailOnce.ARMED.set(false);
        run("reference", false);
        FailOnce.SEEN.set(0);
        FailOnce.ARMED.set(true);
        run("failover", true);
        assertThat(FailOnce.FAILED.get()).as("the failure was injected").isTrue();

        List<String> reference = values("detections-reference");
        List<String> failover = values("detections-failover");
        assertThat(reference).hasSizeGreaterThan(100);
        assertThat(failover).as("committed detections after a failover").containsExactlyInAnyOrderElementsOf(reference);
        assertThat(values("connections-failover")).containsExactlyInAnyOrderElementsOf(values("connections-reference"));
        assertThat(values("fleet-failover")).containsExactlyInAnyOrderElementsOf(values("fleet-reference"));
        System.out.printf("failover: %,d segments; %,d detections committed in both runs, identical%n", segments, reference.size());
    }

    private static void run(String name, boolean failing) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, failing ? "fixed-delay" : "none");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        String bootstrap = KAFKA.broker().bootstrap();
        DataStream<Segment> segments = KafkaTopics.readSegments(env, bootstrap, "segments", "failover-" + name, true,
                        new Properties(), Duration.ofSeconds(2), Duration.ofSeconds(5))
                .map(new FailOnce(5_000)).name("failure injection");
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults(), FleetConfig.defaults(), null);
        out.detections().sinkTo(KafkaTopics.detections(bootstrap, "detections-" + name, true, new Properties()));
        out.connections().sinkTo(KafkaTopics.connections(bootstrap, "connections-" + name, true, new Properties()));
        out.fleetStats().sinkTo(KafkaTopics.fleetStats(bootstrap, "fleet-" + name, true, new Properties()));
        env.execute("failover " + name);
    }

    private static List<String> values(String topic) {
        return KAFKA.broker().readToEnd(topic, Duration.ofSeconds(30)).stream()
                .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}

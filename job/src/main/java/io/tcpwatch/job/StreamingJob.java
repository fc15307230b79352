package io.tcpwatch.job;

import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.kafka.StartAt;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.job.health.AgentReport;
import io.tcpwatch.job.kafka.DeadLetterSplit;
import io.tcpwatch.job.source.SegmentRun;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import io.tcpwatch.job.time.ObserverClockOffsets;
import io.tcpwatch.core.connection.TrackerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production wiring: {@code tcp.segments} → {@link TcpwatchJob} → {@code tcp.detections},
 * {@code tcp.connections}, {@code tcp.fleet-stats}, and what could not be used: records that are
 * not segments on {@code tcp.segments.dlq}, segments behind the watermark on
 * {@code tcp.segments.late}. Exactly-once into Kafka when checkpointing is on.
 */
public final class StreamingJob {

    /** The job's topics; {@code agentStats} null when agents' reports are not read. */
    public record Topics(String segments, String detections, String connections, String fleetStats, String agentStats,
                         String deadLetters, String lateSegments) {

        /** The topic names the agent, the dashboard and the manifests use. */
        public static Topics defaults() {
            return new Topics(KafkaTopics.SEGMENTS, KafkaTopics.DETECTIONS, KafkaTopics.CONNECTIONS, KafkaTopics.FLEET_STATS,
                    KafkaTopics.AGENT_STATS, KafkaTopics.DEAD_LETTERS, KafkaTopics.LATE_SEGMENTS);
        }

        /** Every topic named {@code <prefix>-<role>}: several jobs side by side on one broker. */
        public static Topics prefixed(String prefix) {
            return new Topics(prefix + "-segments", prefix + "-detections", prefix + "-connections", prefix + "-fleet-stats",
                    prefix + "-agent-stats", prefix + "-dlq", prefix + "-late");
        }

        public List<String> all() {
            return Stream.of(segments, detections, connections, fleetStats, agentStats, deadLetters, lateSegments)
                    .filter(Objects::nonNull).toList();
        }
    }

    /**
     * Where the job reads and writes, and how. {@code deployment} names this job among others on
     * the same Kafka: its consumer group and the prefix of its transactional ids. {@code start}:
     * where a first start (no checkpoint, no savepoint) reads the segments topic from. Start from
     * {@link #of} (the defaults of {@code tcpwatch job}) and change what differs.
     */
    public record Settings(String bootstrap, Topics topics, String deployment, StartAt start, Duration checkpointInterval,
                           Duration outOfOrderness, Duration idleness, boolean bounded, Properties kafkaClient,
                           TrackerConfig tracker, FleetConfig fleet) {

        /** The defaults of {@code tcpwatch job} on {@code bootstrap}: checkpoints every 30 s, first start at the end. */
        public static Settings of(String bootstrap) {
            return new Settings(bootstrap, Topics.defaults(), "tcpwatch", StartAt.LATEST, Duration.ofSeconds(30),
                    Duration.ofSeconds(2), Duration.ofSeconds(10), false, new Properties(), TrackerConfig.defaults(),
                    FleetConfig.defaults());
        }

        public Settings withTopics(Topics t) {
            return new Settings(bootstrap, t, deployment, start, checkpointInterval, outOfOrderness, idleness, bounded,
                    kafkaClient, tracker, fleet);
        }

        /** Names the job on its Kafka and reads from {@code where} on a first start. */
        public Settings as(String deploymentName, StartAt where) {
            return new Settings(bootstrap, topics, deploymentName, where, checkpointInterval, outOfOrderness, idleness, bounded,
                    kafkaClient, tracker, fleet);
        }

        /** Checkpoints every {@code interval} (zero: none, at-least-once). */
        public Settings withCheckpoints(Duration interval) {
            return new Settings(bootstrap, topics, deployment, start, interval, outOfOrderness, idleness, bounded,
                    kafkaClient, tracker, fleet);
        }

        /** How far segments may come out of order, and how long a silent partition holds the watermark back. */
        public Settings withWatermarks(Duration maxOutOfOrderness, Duration partitionIdleness) {
            return new Settings(bootstrap, topics, deployment, start, checkpointInterval, maxOutOfOrderness, partitionIdleness,
                    bounded, kafkaClient, tracker, fleet);
        }

        /** Reads what the topics hold when the job starts, then ends. */
        public Settings boundedRun() {
            return new Settings(bootstrap, topics, deployment, start, checkpointInterval, outOfOrderness, idleness, true,
                    kafkaClient, tracker, fleet);
        }
    }

    private StreamingJob() {}

    /** Adds the job to {@code env}; {@code env.execute()} runs it. */
    public static void attach(StreamExecutionEnvironment env, Settings s) {
        boolean exactlyOnce = !s.checkpointInterval().isZero();
        if (exactlyOnce) {
            env.enableCheckpointing(s.checkpointInterval().toMillis());
        }
        // source: segment runs (a flow batch, or one segment) with event time = capture time, watermarks per Kafka partition;
        // records that are not segments go to the dead-letter topic with their reason
        Topics t = s.topics();
        SingleOutputStreamOperator<SegmentRun> segments = KafkaTopics.readSegments(env, s.bootstrap(), t.segments(),
                s.deployment(), s.start(), s.bounded(), s.kafkaClient(), s.outOfOrderness(), s.idleness());
        segments.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(KafkaTopics.deadLetters(s.deployment(), s.bootstrap(), t.deadLetters(), exactlyOnce, s.kafkaClient()))
                .name("dead letters").uid("dead-letter-sink");

        // the agents' own reports: what they lost lowers the confidence of what was seen meanwhile
        DataStream<AgentReport> agentStats = t.agentStats() == null ? null : env.fromSource(
                KafkaTopics.agentStats(s.bootstrap(), t.agentStats(), s.deployment(), s.bounded(), s.kafkaClient()),
                WatermarkStrategy.noWatermarks(), "tcp.agent-stats")
                .uid("agent-stats-source");

        // how far each observer's clock runs ahead of event time: a metric per observer, and reports
        SingleOutputStreamOperator<SegmentRun> timed = segments.transform("observer clocks", segments.getType(),
                new ObserverClockOffsets(s.outOfOrderness().toMillis())).uid("observer-clocks");

        // the tcpwatch graph: tracker, fleet windows and rules, confidence
        TcpwatchJob.Outputs out = TcpwatchJob.build(timed, s.tracker(), s.fleet(),
                new TcpwatchJob.Health(agentStats, timed.getSideOutput(ObserverClockOffsets.OFFSETS)));

        // sinks
        out.detections().sinkTo(KafkaTopics.detections(s.deployment(), s.bootstrap(), t.detections(), exactlyOnce, s.kafkaClient()))
                .name("tcp.detections").uid("detections-sink");
        out.connections().sinkTo(KafkaTopics.connections(s.deployment(), s.bootstrap(), t.connections(), exactlyOnce, s.kafkaClient()))
                .name("tcp.connections").uid("connections-sink");
        out.fleetStats().sinkTo(KafkaTopics.fleetStats(s.deployment(), s.bootstrap(), t.fleetStats(), exactlyOnce, s.kafkaClient()))
                .name("tcp.fleet-stats").uid("fleet-stats-sink");
        out.lateSegments().sinkTo(KafkaTopics.lateSegments(s.deployment(), s.bootstrap(), t.lateSegments(), exactlyOnce, s.kafkaClient()))
                .name("tcp.segments.late").uid("late-segments-sink");
    }
}

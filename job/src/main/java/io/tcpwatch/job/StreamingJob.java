package io.tcpwatch.job;

import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.health.AgentReport;
import io.tcpwatch.job.kafka.DeadLetterSplit;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The production wiring: {@code tcp.segments} → {@link TcpwatchJob} → {@code tcp.detections},
 * {@code tcp.connections} and {@code tcp.fleet-stats}. Exactly-once into Kafka when checkpointing is on.
 */
public final class StreamingJob {

    /** Where the job reads and writes, and how. */
    public record Settings(String bootstrap, String segmentsTopic, String detectionsTopic, String connectionsTopic,
                           String fleetStatsTopic, String agentStatsTopic, String deadLetterTopic, String groupId, Duration checkpointInterval, Duration outOfOrderness, Duration idleness,
                           boolean bounded, Properties kafkaClient, TrackerConfig tracker, FleetConfig fleet) {}

    private StreamingJob() {}

    /** Adds the job to {@code env}; {@code env.execute()} runs it. */
    public static void attach(StreamExecutionEnvironment env, Settings s) {
        boolean exactlyOnce = !s.checkpointInterval().isZero();
        if (exactlyOnce) {
            env.enableCheckpointing(s.checkpointInterval().toMillis());
        }
        // source: segments with event time = capture time, watermarks per Kafka partition;
        // records that are not segments go to the dead-letter topic with their reason
        SingleOutputStreamOperator<Segment> segments = KafkaTopics.readSegments(env, s.bootstrap(), s.segmentsTopic(),
                s.groupId(), s.bounded(), s.kafkaClient(), s.outOfOrderness(), s.idleness());
        segments.getSideOutput(DeadLetterSplit.DEAD_LETTERS)
                .sinkTo(KafkaTopics.deadLetters(s.bootstrap(), s.deadLetterTopic(), exactlyOnce, s.kafkaClient()))
                .name("dead letters").uid("dead-letter-sink");

        // the agents' own reports: what they lost lowers the confidence of what was seen meanwhile
        DataStream<AgentReport> agentStats = s.agentStatsTopic() == null ? null : env.fromSource(
                KafkaTopics.agentStats(s.bootstrap(), s.agentStatsTopic(), s.groupId(), s.bounded(), s.kafkaClient()),
                WatermarkStrategy.noWatermarks(), "tcp.agent-stats")
                .uid("agent-stats-source");

        // the tcpwatch graph: tracker, fleet windows and rules, confidence
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, s.tracker(), s.fleet(), agentStats);

        // sinks
        out.detections().sinkTo(KafkaTopics.detections(s.bootstrap(), s.detectionsTopic(), exactlyOnce, s.kafkaClient()))
                .name("tcp.detections").uid("detections-sink");
        out.connections().sinkTo(KafkaTopics.connections(s.bootstrap(), s.connectionsTopic(), exactlyOnce, s.kafkaClient()))
                .name("tcp.connections").uid("connections-sink");
        out.fleetStats().sinkTo(KafkaTopics.fleetStats(s.bootstrap(), s.fleetStatsTopic(), exactlyOnce, s.kafkaClient()))
                .name("tcp.fleet-stats").uid("fleet-stats-sink");
    }
}

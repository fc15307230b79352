package io.tcpwatch.job.kafka;

import io.tcpwatch.core.fleet.FleetStatsJson;
import io.tcpwatch.core.record.DeadLetter;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.job.health.AgentReport;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.time.ObserverWatermarks;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;

/**
 * The job's Kafka sources ({@code tcp.segments}, {@code tcp.agent-stats}) and sinks ({@code tcp.detections},
 * {@code tcp.connections}, {@code tcp.fleet-stats}).
 */
public final class KafkaTopics {

    public static final String SEGMENTS = "tcp.segments";
    public static final String DETECTIONS = "tcp.detections";
    public static final String CONNECTIONS = "tcp.connections";
    public static final String FLEET_STATS = "tcp.fleet-stats";
    public static final String AGENT_STATS = "tcp.agent-stats";
    public static final String DEAD_LETTERS = "tcp.segments.dlq";
    public static final String LATE_SEGMENTS = "tcp.segments.late";

    /**
     * An observer silent this long in a partition no longer counts for event time there, and a
     * lone observer is followed once it has been alone this long (ObserverClocks).
     */
    static final Duration OBSERVER_SILENCE = Duration.ofSeconds(10);

    /**
     * Idleness for a bounded read: none. Every partition ends there, and a partition that ended
     * stands for the end of time: were another idle meanwhile (a reader stalled longer than the
     * idle time), the job's event time would jump to the end and that partition's remaining
     * segments would all be late.
     */
    public static final Duration NO_IDLENESS = Duration.ofDays(365);

    private KafkaTopics() {}

    /**
     * Segments from where {@code start} says (a consumer group's committed offsets first, unless it
     * is an instant); {@code bounded} stops at the offsets current when the job starts (replays, tests).
     */
    public static KafkaSource<Either<SegmentRun, DeadLetter>> segments(String bootstrap, String topic, String groupId,
                                                                   StartAt start, boolean bounded, Properties client) {
        return source(bootstrap, topic, groupId, start, bounded, client, new SegmentDeserializer());
    }

    /**
     * The segments of {@code topic} with event time = capture time and watermarks per partition;
     * records that are not segments leave on the {@link DeadLetterSplit#DEAD_LETTERS} side output
     * of the returned stream, without moving the watermark.
     */
    public static SingleOutputStreamOperator<SegmentRun> readSegments(StreamExecutionEnvironment env, String bootstrap,
            String topic, String groupId, StartAt start, boolean bounded, Properties client, Duration outOfOrderness,
            Duration idleness) {
        return readSegments(env, segments(bootstrap, topic, groupId, start, bounded, client), topic, outOfOrderness,
                bounded ? NO_IDLENESS : idleness);
    }

    /** The same, from a source of the caller's (tests stop it at offsets of their own). */
    static SingleOutputStreamOperator<SegmentRun> readSegments(StreamExecutionEnvironment env,
            KafkaSource<Either<SegmentRun, DeadLetter>> source, String name, Duration outOfOrderness, Duration idleness) {
        // event time follows the observers' agreed clocks, not the fastest one (ObserverClocks)
        long outOfOrdernessMs = outOfOrderness.toMillis();
        long forgetAfterMs = OBSERVER_SILENCE.toMillis();
        long idleAfterMs = idleness.toMillis();
        WatermarkStrategy<Either<SegmentRun, DeadLetter>> watermarks = WatermarkStrategy
                .<Either<SegmentRun, DeadLetter>>forGenerator(ctx -> new ObserverWatermarks<>(
                        e -> e.isLeft() ? e.left().first().observer : null, outOfOrdernessMs, forgetAfterMs, idleAfterMs,
                        System::currentTimeMillis))
                .withTimestampAssigner((e, kafkaTs) -> e.isLeft() ? e.left().eventTimeMs() : Long.MIN_VALUE);
        return env.fromSource(source, watermarks, name)
                .uid("segments-source")
                .process(new DeadLetterSplit())
                .name("dead letters")
                .uid("dead-letter-split");
    }

    /** Records of the segments topic that were not segments, as JSON, keyed by their topic. */
    public static KafkaSink<DeadLetter> deadLetters(String deployment, String bootstrap, String topic, boolean exactlyOnce, Properties client) {
        return jsonSink(deployment, bootstrap, topic, new JsonRecordSerializer<DeadLetter>(topic, d -> d.topic, RecordJson::deadLetter),
                "dead-letters", exactlyOnce, client);
    }

    /** The agents' own reports (what they lost), from the group's committed offsets (earliest when none). */
    public static KafkaSource<AgentReport> agentStats(String bootstrap, String topic, String groupId, boolean bounded,
                                                      Properties client) {
        return source(bootstrap, topic, groupId, StartAt.EARLIEST, bounded, client, new AgentStatsDeserializer());
    }

    /** From {@code start}; bounded: up to the offsets at start. */
    private static <T> KafkaSource<T> source(String bootstrap, String topic, String groupId, StartAt start, boolean bounded,
                                             Properties client, KafkaRecordDeserializationSchema<T> deserializer) {
        KafkaSourceBuilder<T> b = KafkaSource.<T>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start.offsets())
                .setDeserializer(deserializer)
                .setProperties(client);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /**
     * Producer settings for the sinks: the connector's one-hour transaction timeout exceeds a
     * broker's default maximum (transaction.max.timeout.ms, 15 min), so 15 min unless told otherwise.
     */
    static Properties producer(Properties client) {
        Properties p = new Properties();
        p.put("transaction.timeout.ms", "900000");
        p.putAll(client);
        return p;
    }

    /** Detections, keyed by server endpoint. */
    public static KafkaSink<Detection> detections(String deployment, String bootstrap, String topic, boolean exactlyOnce, Properties client) {
        return jsonSink(deployment, bootstrap, topic, new JsonRecordSerializer<Detection>(topic, d -> d.server, RecordJson::detection),
                "detections", exactlyOnce, client);
    }

    /** Connection records, keyed by server endpoint. */
    public static KafkaSink<ConnectionRecord> connections(String deployment, String bootstrap, String topic, boolean exactlyOnce,
                                                          Properties client) {
        return jsonSink(deployment, bootstrap, topic, new JsonRecordSerializer<ConnectionRecord>(topic, r -> r.respHost + ":" + r.respPort,
                RecordJson::connection), "connections", exactlyOnce, client);
    }

    /** Segments that arrived behind the watermark, as JSON with how far behind, keyed by observer. */
    public static KafkaSink<LateSegment> lateSegments(String deployment, String bootstrap, String topic, boolean exactlyOnce, Properties client) {
        return jsonSink(deployment, bootstrap, topic, new JsonRecordSerializer<LateSegment>(topic, l -> l.segment.observer, RecordJson::lateSegment),
                "late-segments", exactlyOnce, client);
    }

    /** Fleet statistics, keyed by server endpoint. */
    public static KafkaSink<FleetStats> fleetStats(String deployment, String bootstrap, String topic, boolean exactlyOnce, Properties client) {
        return jsonSink(deployment, bootstrap, topic, new JsonRecordSerializer<FleetStats>(topic, w -> w.server, FleetStatsJson::of),
                "fleet-stats", exactlyOnce, client);
    }

    /**
     * Exactly-once (Kafka transactions) when checkpointing is on, at-least-once otherwise. The
     * transactional ids name the deployment, the sink and its topic: two deployments on one Kafka,
     * or a job that starts writing another topic, never fence (and abort the pending transactions
     * of) one another.
     */
    private static <T> KafkaSink<T> jsonSink(String deployment, String bootstrap, String topic,
                                             JsonRecordSerializer<T> serializer, String sink, boolean exactlyOnce,
                                             Properties client) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(producer(client))
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(deployment + "/" + sink + "@" + topic)
                .build();
    }
}

package io.tcpwatch.job.kafka;

import io.tcpwatch.core.record.DeadLetter;
import io.tcpwatch.agent.testing.KafkaBroker;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A segments topic whose partitions the test chooses (each flow in one), so that the offsets
 * where a run must stop are known before the records exist: a bounded job can start, wait at
 * an event the test observes, and read what is published afterwards.
 */
final class PartitionedTopic {

    private final KafkaBroker broker;
    private final String name;
    private final int partitions;
    private final Map<TopicPartition, Long> end = new HashMap<>();

    PartitionedTopic(KafkaBroker broker, String name, int partitions) throws Exception {
        this.broker = broker;
        this.name = name;
        this.partitions = partitions;
        broker.createTopic(name, partitions);
        for (int p = 0; p < partitions; p++) {
            end.put(new TopicPartition(name, p), 0L);
        }
    }

    /** Publishes in order, each flow to its partition. */
    void publish(List<Segment> segments) {
        SegmentEncoder encoder = new SegmentEncoder();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrap(),
                "acks", "all", "linger.ms", "20"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Segment s : segments) {
                p.send(new ProducerRecord<>(name, partition(s), FlowKey.of(s), encoder.encodeToArray(s)));
            }
        }
        end.putAll(endAfter(segments));
    }

    /** The end offsets once {@code more} is published too. */
    Map<TopicPartition, Long> endAfter(List<Segment> more) {
        Map<TopicPartition, Long> after = new HashMap<>(end);
        more.forEach(s -> after.merge(new TopicPartition(name, partition(s)), 1L, Long::sum));
        return after;
    }

    /** The job's segment source on this topic from the beginning, bounded at {@code stop}. */
    KafkaSource<Either<SegmentRun, DeadLetter>> source(String groupId, Map<TopicPartition, Long> stop) {
        return KafkaSource.<Either<SegmentRun, DeadLetter>>builder()
                .setBootstrapServers(broker.bootstrap())
                .setTopics(name)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.offsets(stop))
                .setDeserializer(new SegmentDeserializer())
                .setProperties(new Properties())
                .build();
    }

    String name() {
        return name;
    }

    private int partition(Segment s) {
        return Math.floorMod(Arrays.hashCode(FlowKey.of(s)), partitions);
    }
}

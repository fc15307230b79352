package io.tcpwatch.agent.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/** A real single-node KRaft Kafka broker (combined broker + controller) in this JVM, for tests. */
public final class KafkaBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private boolean closed;

    public KafkaBroker(Path baseDir) throws Exception {
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(baseDir)
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build())
                .setConfigProp("auto.create.topics.enable", "true")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                // retention enforced from the start and every second, not after 30 s and every 5 min: a
                // record whose timestamp is older than the retention (7 days) is deleted while the test
                // runs, not at a random moment
                .setConfigProp("log.initial.task.delay.ms", "0")
                .setConfigProp("log.retention.check.interval.ms", "1000")
                // one node: internal topics (consumer offsets, transactions) with one replica
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    /** Reads {@code topic}'s committed records from the beginning until {@code expected} arrived or the time is up. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, long expected, Duration timeout) {
        Properties p = consumer();
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Reads the committed records of everything {@code topic} holds now: up to its high watermark,
     * not its last stable offset, so a transaction still open (a job's last commit whose markers
     * the broker has not written yet) is waited for rather than cut off; its records are returned
     * if it commits, skipped if it aborts.
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, Duration timeout) {
        Properties uncommitted = consumer();
        uncommitted.put("isolation.level", "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumer());
             KafkaConsumer<byte[], byte[]> highWatermarks = new KafkaConsumer<>(uncommitted)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            java.util.Map<TopicPartition, Long> end = highWatermarks.endOffsets(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end in " + timeout + " ("
                            + openTransactions(topic) + ")");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /**
     * Per partition of {@code topic}, how many offsets lie beyond the last stable offset: records of
     * transactions still open, which a read_committed reader waits behind ("" when none).
     */
    public String openTransactions(String topic) {
        Properties committed = consumer();
        Properties uncommitted = consumer();
        uncommitted.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(committed);
             KafkaConsumer<byte[], byte[]> u = new KafkaConsumer<>(uncommitted)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            java.util.Map<TopicPartition, Long> stable = c.endOffsets(parts);
            java.util.Map<TopicPartition, Long> high = u.endOffsets(parts);
            StringBuilder sb = new StringBuilder();
            for (TopicPartition tp : parts) {
                long behind = high.get(tp) - stable.get(tp);
                if (behind > 0) {
                    sb.append(sb.length() == 0 ? "" : ", ").append(tp).append(": ").append(behind)
                            .append(" offsets behind an open transaction");
                }
            }
            return sb.toString();
        }
    }

    /** A consumer of committed records only (what transactions committed). */
    private Properties consumer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("max.poll.records", "10000");
        p.put("isolation.level", "read_committed");
        return p;
    }

    @Override
    public void close() throws Exception {
        if (!closed) { // KafkaClusterTestKit.close() is not idempotent
            closed = true;
            cluster.close();
        }
    }
}

package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka consumer (committed records only) on the job's three output topics, feeding the
 * {@link Store} and telling listeners of each new record. It joins no consumer group: it takes
 * every partition and seeks each to the records written within the look-back, so a restart reads
 * the same recent past again, not the topics' retention, and leaves no group behind. Partitions
 * added later are read from their start. Records that are not JSON are counted, never fatal.
 * Tracks its lag for {@code /metrics}.
 */
public final class TopicFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);

    /** The topics read. */
    public record Topics(String detections, String fleetStats, String connections) {}

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Topics topics;
    private final Store store;
    private final ObjectMapper json = new ObjectMapper();
    private final List<BiConsumer<String, JsonNode>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Long> lag = new ConcurrentHashMap<>();
    private final AtomicLong undecodable = new AtomicLong();
    private final Duration lookBack;
    private final Thread thread;
    private volatile boolean running = true;

    public TopicFeed(String bootstrap, Topics topics, Duration lookBack, Map<String, String> clientOverrides, Store store) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "tcpwatch-dashboard");
        p.putAll(clientOverrides);
        this.consumer = new KafkaConsumer<>(p);
        this.topics = topics;
        this.lookBack = lookBack;
        this.store = store;
        this.thread = new Thread(this::run, "tcpwatch-dashboard-feed");
        thread.setDaemon(true);
    }

    /** {@code listener} hears ("detection" | "fleet" | "connection", the stored record) after the store has it. */
    public void onRecord(BiConsumer<String, JsonNode> listener) {
        listeners.add(listener);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            long sinceMs = Instant.now().minus(lookBack).toEpochMilli();
            long lastCheck = 0;
            while (running) {
                try {
                    if (System.nanoTime() - lastCheck > 5_000_000_000L) {
                        lastCheck = System.nanoTime();
                        assign(sinceMs);
                        sinceMs = 0; // partitions that appear later: from their start
                        updateLag();
                    }
                    if (consumer.assignment().isEmpty()) { // none of the topics exists yet
                        LockSupport.parkNanos(250_000_000L);
                        continue;
                    }
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                        take(r);
                    }
                } catch (RetriableException e) { // a slow or restarting broker: the consumer recovers
                    LOG.warn("the dashboard's Kafka consumer retries: {}", e.toString());
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the dashboard's Kafka consumer stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Takes the topics' partitions not yet assigned, each sought to its first record written at or
     * after {@code sinceMs} (none: its end).
     */
    private void assign(long sinceMs) {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : List.of(topics.detections(), topics.fleetStats(), topics.connections())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(i -> all.add(new TopicPartition(topic, i.partition())));
        }
        Set<TopicPartition> assigned = consumer.assignment();
        List<TopicPartition> added = all.stream().filter(tp -> !assigned.contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> at = new HashMap<>();
        added.forEach(tp -> at.put(tp, sinceMs));
        Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(at, Duration.ofSeconds(10));
        Map<TopicPartition, Long> end = consumer.endOffsets(added, Duration.ofSeconds(10));
        consumer.assign(all); // after the look-ups, so that a timeout leaves nothing half-done
        for (TopicPartition tp : added) {
            OffsetAndTimestamp o = start.get(tp);
            consumer.seek(tp, o == null ? end.get(tp) : o.offset());
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        JsonNode n;
        try {
            n = r.value() == null ? null : json.readTree(r.value());
        } catch (IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            undecodable.incrementAndGet();
            return;
        }
        String kind;
        JsonNode stored = n;
        if (r.topic().equals(topics.detections())) {
            kind = "detection";
            stored = store.addDetection(n);
        } else if (r.topic().equals(topics.fleetStats())) {
            kind = "fleet";
            store.addFleetStats(n);
        } else {
            kind = "connection";
            store.addConnection(n);
        }
        for (BiConsumer<String, JsonNode> l : listeners) {
            l.accept(kind, stored);
        }
    }

    /** The lag per topic; a broker too slow to answer within 2 s leaves the last figures (the feed goes on). */
    private void updateLag() {
        List<TopicPartition> assigned = new ArrayList<>(consumer.assignment());
        if (assigned.isEmpty()) {
            return;
        }
        try {
            Map<TopicPartition, Long> end = consumer.endOffsets(assigned, Duration.ofSeconds(2));
            Map<String, Long> sum = new HashMap<>();
            for (TopicPartition tp : assigned) {
                long behind = Math.max(0, end.getOrDefault(tp, 0L) - consumer.position(tp, Duration.ofSeconds(2)));
                sum.merge(tp.topic(), behind, Long::sum);
            }
            lag.putAll(sum);
        } catch (RetriableException e) { // TimeoutException among them
            LOG.warn("the dashboard could not read its lag: {}", e.toString());
        }
    }

    /** Records not yet consumed, per topic (updated every 5 s). */
    public Map<String, Long> lag() {
        return lag;
    }

    public long undecodable() {
        return undecodable.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread.getState() == Thread.State.NEW) { // never started: the consumer is this thread's to close
            consumer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        thread.join(10_000);
    }
}

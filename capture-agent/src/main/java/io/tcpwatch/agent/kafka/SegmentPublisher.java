package io.tcpwatch.agent.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A bounded queue of records (one segment or a batch of one flow's) between the capture thread and
 * one Kafka producer; its counters count segments.
 *
 * <p>The capture thread only ever {@link #offer}s: when Kafka is slow or down the queue fills, and
 * a live capture then drops — counted exactly — instead of blocking libpcap. A replay, which loses
 * nothing by waiting, uses {@link #put} instead. A sender thread moves records from the queue to
 * the producer, so compression and batching stay off the capture thread.
 *
 * <p>Every record ends in exactly one of: sent (acknowledged), send error, dropped because the
 * queue was full, or unsent at close. So {@code accepted = sent + sendErrors + queued + inFlight}
 * and {@code offered = accepted + droppedQueueFull}.
 */
public final class SegmentPublisher implements AutoCloseable {

    /** A record and the number of segments it holds: every counter counts segments. */
    private record Pending(byte[] key, byte[] value, int segments) {}

    private static final Pending POISON = new Pending(null, null, 0);

    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final BlockingQueue<Pending> queue;
    private final Thread sender;

    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong queuedSegments = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong unsentAtClose = new AtomicLong();
    private volatile String lastError;

    private Callback settle(int segments) {
        return (RecordMetadata metadata, Exception e) -> {
            if (e == null) {
                sent.addAndGet(segments);
            } else {
                sendErrors.addAndGet(segments);
                lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        };
    }

    public SegmentPublisher(Properties producerConfig, String topic, int capacity) {
        this(new KafkaProducer<>(producerConfig), topic, capacity);
    }

    SegmentPublisher(Producer<byte[], byte[]> producer, String topic, int capacity) {
        this.topic = topic;
        this.producer = producer;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sender = new Thread(this::drain, "tcpwatch-kafka-sender");
        this.sender.setDaemon(true);
        this.sender.start();
    }

    /** Enqueues one segment's record without waiting; false (and counted as dropped) when the queue is full. */
    public boolean offer(byte[] key, byte[] value) {
        return offer(key, value, 1);
    }

    /** Enqueues a record of {@code segments} segments without waiting; false (all counted as dropped) when full. */
    public boolean offer(byte[] key, byte[] value, int segments) {
        if (queue.offer(new Pending(key, value, segments))) {
            queuedSegments.addAndGet(segments);
            accepted.addAndGet(segments);
            return true;
        }
        droppedQueueFull.addAndGet(segments);
        return false;
    }

    /** Enqueues, waiting for room: for replays, where waiting loses nothing. */
    public void put(byte[] key, byte[] value, int segments) throws InterruptedException {
        queue.put(new Pending(key, value, segments));
        queuedSegments.addAndGet(segments);
        accepted.addAndGet(segments);
    }

    private void drain() {
        try {
            while (true) {
                Pending p = queue.take();
                if (p == POISON) {
                    return;
                }
                queuedSegments.addAndGet(-p.segments);
                try {
                    producer.send(new ProducerRecord<>(topic, p.key, p.value), settle(p.segments));
                } catch (RuntimeException e) { // buffer full past max.block.ms, serialization …
                    sendErrors.addAndGet(p.segments);
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sends also a record that is not a segment (agent stats), bypassing the queue. */
    public void sendDirect(String otherTopic, byte[] key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(otherTopic, key, value));
        } catch (RuntimeException e) {
            lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    public long accepted() {
        return accepted.get();
    }

    public long droppedQueueFull() {
        return droppedQueueFull.get();
    }

    public long sent() {
        return sent.get();
    }

    public long sendErrors() {
        return sendErrors.get();
    }

    public long unsentAtClose() {
        return unsentAtClose.get();
    }

    /** Segments waiting in the queue. */
    public long queued() {
        return queuedSegments.get();
    }

    /** The last send error's text, or null. */
    public String lastError() {
        return lastError;
    }

    /**
     * Stops taking records and hands everything queued to the producer, waiting at most
     * {@code timeout}. The producer stays open (for a last stats record) until {@link #close}.
     */
    public void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (sender.isAlive() && !queue.offer(POISON, 100, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            sender.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            // past the time: a sender blocked in send() (no broker) is interrupted and, counting that
            // record as a send error, ends; so the counters no longer move once drain returns
            sender.interrupt();
            sender.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            sender.interrupt();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Drains, then closes the producer, waiting at most {@code timeout} in all for
     * acknowledgements; whatever is not settled by then is counted in {@link #unsentAtClose()}.
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (sender.isAlive()) {
            drain(timeout);
        }
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        unsentAtClose.set(Math.max(0, accepted.get() - sent.get() - sendErrors.get()));
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}

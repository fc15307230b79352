package io.tcpwatch.agent.output;

import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentBatchEncoder;
import io.tcpwatch.schema.SegmentEncoder;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes segments into the publisher's bounded queue, keyed by the canonical flow key: as segment
 * batches of one flow ({@code segment-batch.avsc}, the default) or one record per segment
 * ({@code segment.avsc}, for jobs older than batches). A live capture never waits (full queue =
 * counted drop of the whole batch); a replay waits for room.
 */
public final class KafkaSink implements SegmentSink {

    /** How segments are grouped: at most {@code maxSegments} of a flow over at most {@code window}. */
    public record Batching(int maxSegments, Duration window) {
        public static final Batching DEFAULT = new Batching(64, Duration.ofMillis(500));
        /** One record per segment, in the single-segment schema. */
        public static final Batching NONE = new Batching(1, Duration.ZERO);
        /** The most segments a batch may hold (what a reader accepts). */
        public static final int MAX_SEGMENTS = SegmentBatchEncoder.MAX_SEGMENTS;
    }

    private final SegmentPublisher publisher;
    private final boolean waitWhenFull;
    private final FlowBatches batches;
    private final SegmentEncoder encoder = new SegmentEncoder();
    private final SegmentBatchEncoder batchEncoder = new SegmentBatchEncoder();
    private final byte[] key = new byte[FlowKey.MAX_LENGTH];
    private final FlowBatches.Out toPublisher = this::publish;

    public KafkaSink(SegmentPublisher publisher, boolean waitWhenFull) {
        this(publisher, waitWhenFull, Batching.DEFAULT);
    }

    public KafkaSink(SegmentPublisher publisher, boolean waitWhenFull, Batching batching) {
        this.publisher = publisher;
        this.waitWhenFull = waitWhenFull;
        this.batches = batching.maxSegments() > 1 ? new FlowBatches(batching.maxSegments(), batching.window()) : null;
    }

    @Override
    public void accept(Segment segment) throws InterruptedException {
        if (batches != null) {
            batches.add(segment, toPublisher);
            return;
        }
        byte[] k = Arrays.copyOf(key, FlowKey.write(segment, key));
        int n = encoder.encode(segment);
        send(k, Arrays.copyOf(encoder.buffer(), n), 1);
    }

    /** Closes the batches the wall clock has made due: a live capture calls this while the network is quiet. */
    @Override
    public void tick(long wallNanos) throws InterruptedException {
        if (batches != null) {
            batches.closeDue(wallNanos, toPublisher);
        }
    }

    private void publish(byte[] flowKey, List<Segment> segments) throws InterruptedException {
        send(flowKey, batchEncoder.encodeToArray(segments), segments.size());
    }

    /** Interrupted while closing: what is still open goes to the queue if there is room, else counts as dropped. */
    private void closeAllWithoutWaiting() {
        try {
            batches.closeAll((k, segments) -> publisher.offer(k, batchEncoder.encodeToArray(segments), segments.size()));
        } catch (InterruptedException cannotHappen) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(byte[] k, byte[] v, int segments) throws InterruptedException {
        if (waitWhenFull) {
            publisher.put(k, v, segments);
        } else {
            publisher.offer(k, v, segments);
        }
    }

    @Override
    public long pending() {
        return batches == null ? 0 : batches.pendingSegments();
    }

    @Override
    public void flush() {
        if (batches != null) {
            try {
                batches.closeAll(toPublisher);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeAllWithoutWaiting();
            }
        }
    }

    @Override
    public void close() {
        flush();
        publisher.close();
    }
}

package io.tcpwatch.agent.output;

import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers segments into batches of one observer's flow (and interface and tunnel): a batch closes
 * when it holds {@code maxSegments}, or when capture time (or, on an idle live capture, the wall
 * clock) has moved {@code window} past its first segment. A flow's batches close in the order they
 * opened, so every segment leaves at most {@code window} after its flow's batch began. Memory is
 * bounded too: past {@code maxPending} segments held (a SYN flood opens a batch per SYN), the
 * oldest batches close early.
 */
public final class FlowBatches {

    /** Where closed batches go, with their Kafka key (the canonical flow key). */
    public interface Out {
        void batch(byte[] key, List<Segment> segments) throws InterruptedException;
    }

    private record Key(ByteBuffer flow, String observer, String iface, String tunnel) {}

    private static final class Open {
        final byte[] key;
        final long firstNs;
        final List<Segment> segments = new ArrayList<>();

        Open(byte[] key, long firstNs) {
            this.key = key;
            this.firstNs = firstNs;
        }
    }

    /** Segments held in open batches beyond which the oldest close early: some 25–50 MB of segment copies. */
    public static final int DEFAULT_MAX_PENDING = 131_072;

    private final int maxSegments;
    private final long windowNs;
    private final long maxPending;
    /** Open batches, oldest first (insertion order: a batch's key re-enters at the end). */
    private final Map<Key, Open> open = new LinkedHashMap<>();
    private final byte[] scratch = new byte[FlowKey.MAX_LENGTH];
    /** Written by the capture thread only, read by the stats reporter's. */
    private volatile long pendingSegments;
    /** No open batch is due before this capture time: segments until then skip the look at the oldest. */
    private long nextDueNs = Long.MAX_VALUE;

    public FlowBatches(int maxSegments, Duration window) {
        this(maxSegments, window, DEFAULT_MAX_PENDING);
    }

    public FlowBatches(int maxSegments, Duration window, long maxPending) {
        if (maxSegments < 1 || window.isNegative() || maxPending < 1) {
            throw new IllegalArgumentException("a batch holds at least one segment over a window of 0 or more");
        }
        this.maxSegments = maxSegments;
        this.windowNs = window.toNanos();
        this.maxPending = maxPending;
    }

    /** Adds a copy of {@code s}; closes what is due by its capture time, and its own batch when full. */
    public void add(Segment s, Out out) throws InterruptedException {
        if (s.tsNanos >= nextDueNs) {
            closeDue(s.tsNanos, out);
        }
        byte[] flowKey = Arrays.copyOf(scratch, FlowKey.write(s, scratch));
        Key key = new Key(ByteBuffer.wrap(flowKey), s.observer, s.iface, s.tunnel);
        Open batch = open.get(key);
        if (batch == null) {
            batch = new Open(flowKey, s.tsNanos);
            open.put(key, batch);
            nextDueNs = Math.min(nextDueNs, s.tsNanos + windowNs);
        }
        batch.segments.add(s.copy());
        pendingSegments++;
        if (batch.segments.size() >= maxSegments) {
            emit(batch, out);
            open.remove(key);
        }
        if (pendingSegments > maxPending) {
            closeOldestBeyond(maxPending, out);
        }
    }

    /** Closes the oldest batches until at most {@code limit} segments are held. */
    private void closeOldestBeyond(long limit, Out out) throws InterruptedException {
        Iterator<Open> oldestFirst = open.values().iterator();
        while (pendingSegments > limit && oldestFirst.hasNext()) {
            emit(oldestFirst.next(), out);
            oldestFirst.remove();
        }
    }

    /** Closes every batch that began {@code window} or more before {@code nowNs}. */
    public void closeDue(long nowNs, Out out) throws InterruptedException {
        Iterator<Open> oldestFirst = open.values().iterator();
        while (oldestFirst.hasNext()) {
            Open batch = oldestFirst.next();
            if (nowNs - batch.firstNs < windowNs) {
                nextDueNs = batch.firstNs + windowNs;
                return;
            }
            emit(batch, out);
            oldestFirst.remove();
        }
        nextDueNs = Long.MAX_VALUE;
    }

    /** Closes every open batch, oldest first. */
    public void closeAll(Out out) throws InterruptedException {
        closeOldestBeyond(0, out);
    }

    /** Segments taken and not yet handed out in a batch. */
    public long pendingSegments() {
        return pendingSegments;
    }

    /** Hands a batch out; one that {@code out} did not take (interrupted) stays open. */
    private void emit(Open batch, Out out) throws InterruptedException {
        out.batch(batch.key, batch.segments);
        pendingSegments -= batch.segments.size();
    }
}

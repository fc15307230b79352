package io.tcpwatch.agent.output;

import io.tcpwatch.schema.Segment;

/** Where parsed segments go: Kafka, JSON lines, or nowhere (a dry run). */
public interface SegmentSink extends AutoCloseable {

    /** Takes one segment; it is reused by the caller after this returns. */
    void accept(Segment segment) throws InterruptedException;

    /** The wall clock on a live capture while no frame comes (at least every read timeout): time-bound output may flush. */
    default void tick(long wallNanos) throws InterruptedException {}

    /** Segments taken and held, not yet handed on (open batches); readable from any thread. */
    default long pending() {
        return 0;
    }

    /** Hands on whatever the sink still holds (open batches), before the output behind it is drained. */
    default void flush() {}

    /** Flushes and releases; never throws for an expected condition. */
    @Override
    void close();
}

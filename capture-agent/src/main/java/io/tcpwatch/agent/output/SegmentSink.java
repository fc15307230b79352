package io.tcpwatch.agent.output;

import io.tcpwatch.schema.Segment;

/** Where parsed segments go: Kafka, JSON lines, or nowhere (a dry run). */
public interface SegmentSink extends AutoCloseable {

    /** Takes one segment; it is reused by the caller after this returns. */
    void accept(Segment segment) throws InterruptedException;

    /** Flushes and releases; never throws for an expected condition. */
    @Override
    void close();
}

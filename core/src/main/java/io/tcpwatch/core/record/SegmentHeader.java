package io.tcpwatch.core.record;

import io.tcpwatch.schema.TcpFlags;

/**
 * One segment's header as a detection carries it (its {@code packets}): the segments that make a
 * finding's case, drawn as a ladder diagram. Sequence and acknowledgement numbers are the raw ones
 * on the wire, so they match a capture of the same connection. A Flink POJO (public fields).
 */
public class SegmentHeader {
    /** The segment's number in its connection's incarnation, from 1: the gap to the one before is what is left out. */
    public int n;
    public long tsNs;
    /** Sent by the client (the originator); otherwise by the server. */
    public boolean fromClient;
    /** {@link TcpFlags} bits. */
    public int flags;
    public long seq;
    public long ack;
    /** The window field as on the wire (not scaled). */
    public int window;
    public int len;
    /** The segment belongs to the previous connection on the same 4-tuple (the one in TIME_WAIT). */
    public boolean previous;

    public SegmentHeader() {}

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public SegmentHeader copy() {
        SegmentHeader h = new SegmentHeader();
        h.n = n;
        h.tsNs = tsNs;
        h.fromClient = fromClient;
        h.flags = flags;
        h.seq = seq;
        h.ack = ack;
        h.window = window;
        h.len = len;
        h.previous = previous;
        return h;
    }

    /** A copy marked as the previous connection's. */
    public SegmentHeader asPrevious() {
        SegmentHeader h = copy();
        h.previous = true;
        return h;
    }

    @Override
    public String toString() {
        return (fromClient ? "client→server " : "server→client ") + TcpFlags.describe(flags) + " seq=" + seq + " ack=" + ack
                + " win=" + window + " len=" + len;
    }
}

package io.tcpwatch.schema;

import static io.tcpwatch.schema.BatchColumns.*;

import java.util.Arrays;
import java.util.List;

/**
 * Writes the segments one observer saw of one flow as a segment batch ({@code segment-batch.avsc}):
 * the flow once, then each field as a column of small deltas along the flow, which a compressor
 * reduces far better than whole records. Decoding gives back every field of every segment exactly.
 *
 * <p>Not thread-safe: one encoder per thread.
 */
public final class SegmentBatchEncoder {

    /** The most segments a batch may hold: a reader refuses more. */
    public static final int MAX_SEGMENTS = BatchColumns.MAX_SEGMENTS;

    private final Columns c = new Columns();
    private final AvroOut out = new AvroOut();
    private final Utf8Cache observers = new Utf8Cache();
    private final Utf8Cache interfaces = new Utf8Cache();
    private final Utf8Cache tunnels = new Utf8Cache();


    /**
     * Encodes {@code segments} (1 to {@value BatchColumns#MAX_SEGMENTS}, in capture order, all of one
     * observer, flow, interface and tunnel); the result is {@code buffer()[0 .. returned length)}
     * until the next call.
     */
    public int encode(List<Segment> segments) {
        int n = segments.size();
        if (n == 0 || n > MAX_SEGMENTS) {
            throw new IllegalArgumentException("a batch holds 1 to " + MAX_SEGMENTS + " segments, not " + n);
        }
        Segment first = segments.get(0);
        boolean forward = FlowKey.isForward(first);
        long unit = columns(segments, first);

        out.open(SegmentSchema.BATCH_FINGERPRINT);
        byte[] observer = observers.of(first.observer);
        out.writeBytes(observer == null ? new byte[0] : observer);
        out.writeLong(first.ipVersion);
        out.writeBytes(forward ? first.srcAddr : first.dstAddr);
        out.writeLong(forward ? first.srcPort : first.dstPort);
        out.writeBytes(forward ? first.dstAddr : first.srcAddr);
        out.writeLong(forward ? first.dstPort : first.srcPort);
        out.writeOptionalBytes(interfaces.of(first.iface));
        out.writeOptionalBytes(tunnels.of(first.tunnel));
        out.writeLong(first.tsNanos);
        out.writeLong(unit);
        for (LongColumn column : c.inOrder()) {
            out.writeLongs(column.values, column.size);
        }
        return out.length();
    }

    /** The buffer the last {@link #encode} wrote into. */
    public byte[] buffer() {
        return out.buffer();
    }

    /** Encodes into a new array of exactly the record's length. */
    public byte[] encodeToArray(List<Segment> segments) {
        int n = encode(segments);
        return Arrays.copyOf(out.buffer(), n);
    }

    /** Fills the columns from {@code segments}; returns the unit of their capture-time deltas. */
    private long columns(List<Segment> segments, Segment first) {
        for (LongColumn column : c.inOrder()) {
            column.clear();
        }
        long unit = unit(segments);
        long previousTs = first.tsNanos;
        Along p = new Along();
        for (Segment s : segments) {
            checkSameFlow(first, s);
            int d = FlowKey.isForward(s) ? 0 : 1;
            c.head.add(head(s, d));
            c.tsDelta.add((s.tsNanos - previousTs) / unit);
            previousTs = s.tsNanos;
            c.seq.add(delta32(s.seq, p.expectedSeq(d)));
            c.ack.add(delta32(s.ack, p.expectedAck(d)));
            c.window.add(s.window - p.window[d]);
            c.payload.add(s.payloadLen);
            c.ttl.add(s.ttl - p.ttl[d]);
            options(s, d, p);
            p.after(s, d);
        }
        return unit;
    }

    private void options(Segment s, int d, Along p) {
        if (s.ipId != Segment.ABSENT) {
            c.ipId.add(delta16(s.ipId, p.ipId[d]));
        }
        if (s.windowScale != Segment.ABSENT) {
            c.windowScale.add(s.windowScale);
        }
        if (s.mss != Segment.ABSENT) {
            c.mss.add(s.mss);
        }
        if (s.hasTimestamps) {
            c.tsVal.add(delta32(s.tsVal, p.previousTsVal(d)));
            c.tsEcr.add(delta32(s.tsEcr, p.expectedTsEcr(d)));
        }
        if (s.sackBlocks.length > 0) {
            c.sack.add(s.sackBlocks.length);
            for (long edge : s.sackBlocks) {
                c.sack.add(delta32(edge, s.ack));
            }
        }
    }

    private static long head(Segment s, int direction) {
        return direction
                | (s.ipId != Segment.ABSENT ? HAS_IP_ID : 0)
                | (s.hasTimestamps ? HAS_TIMESTAMPS : 0)
                | (long) (s.flags & FLAGS_MASK) << FLAGS_SHIFT
                | (s.windowScale != Segment.ABSENT ? HAS_WINDOW_SCALE : 0)
                | (s.mss != Segment.ABSENT ? HAS_MSS : 0)
                | (s.sackPermitted ? SACK_PERMITTED : 0)
                | (s.sackBlocks.length > 0 ? HAS_SACK : 0);
    }

    /** 1000 when every capture time is a whole microsecond (pcap's usual precision), else 1. */
    private static long unit(List<Segment> segments) {
        for (Segment s : segments) {
            if (s.tsNanos % 1_000 != 0) {
                return 1;
            }
        }
        return 1_000;
    }

    private static void checkSameFlow(Segment first, Segment s) {
        boolean same = java.util.Objects.equals(s.observer, first.observer) && s.ipVersion == first.ipVersion
                && java.util.Objects.equals(s.iface, first.iface) && java.util.Objects.equals(s.tunnel, first.tunnel)
                && (s.srcPort == first.srcPort && s.dstPort == first.dstPort
                        && Arrays.equals(s.srcAddr, first.srcAddr) && Arrays.equals(s.dstAddr, first.dstAddr)
                    || s.srcPort == first.dstPort && s.dstPort == first.srcPort
                        && Arrays.equals(s.srcAddr, first.dstAddr) && Arrays.equals(s.dstAddr, first.srcAddr));
        if (!same) {
            throw new IllegalArgumentException("a batch holds one observer's segments of one flow: " + s + " is not of " + first);
        }
    }
}

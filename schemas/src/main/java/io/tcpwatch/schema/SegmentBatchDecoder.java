package io.tcpwatch.schema;

import static io.tcpwatch.schema.BatchColumns.*;

import io.tcpwatch.schema.RecordFormatException.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a segment batch ({@code segment-batch.avsc}) back into its segments, checking the marker,
 * the fingerprint, every column's length against the heads and every value's range. A malformed
 * batch gives no segment at all, only its {@link RecordFormatException}.
 *
 * <p>Not thread-safe: one decoder per thread.
 */
public final class SegmentBatchDecoder {

    private final AvroIn in = new AvroIn("segment batch");
    private final Columns c = new Columns();
    /** Values in the sack column, and how many the segments' SACK blocks took. */
    private int sackEnd;
    private int sackUsed;

    /** True when {@code record} carries the batch schema's fingerprint (whatever the rest holds). */
    public static boolean isBatch(byte[] record) {
        if (record.length < SegmentSchema.HEADER_LENGTH) {
            return false;
        }
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (record[2 + i] & 0xFFL) << (8 * i);
        }
        return fp == SegmentSchema.BATCH_FINGERPRINT;
    }

    /** The segments of {@code record[off .. off+len)}, in capture order. */
    public List<Segment> decode(byte[] record, int off, int len) throws RecordFormatException {
        long fp = in.open(record, off, len);
        if (fp != SegmentSchema.BATCH_FINGERPRINT) {
            throw new RecordFormatException(Reason.UNKNOWN_FINGERPRINT, String.format(
                    "schema fingerprint %016x is not the segment batch schema's %016x", fp, SegmentSchema.BATCH_FINGERPRINT));
        }
        Segment flow = new Segment();
        flow.observer = in.readObserver();
        flow.ipVersion = in.readIpVersion();
        flow.srcAddr = in.readAddress(flow.ipVersion);
        flow.srcPort = port(in.readInt());
        flow.dstAddr = in.readAddress(flow.ipVersion);
        flow.dstPort = port(in.readInt());
        flow.iface = in.readOptionalString();
        flow.tunnel = in.readOptionalString();
        flow.tsNanos = in.readLong();
        long unit = in.readLong();
        if (unit != 1 && unit != 1_000) {
            throw in.bad("ts_unit_ns " + unit);
        }
        int n = in.readLongs(c.head, MAX_SEGMENTS, "head");
        if (n == 0) {
            throw in.bad("a batch without segments");
        }
        column(c.tsDelta, n, "ts_delta");
        column(c.seq, n, "seq");
        column(c.ack, n, "ack");
        column(c.window, n, "window");
        column(c.payload, n, "payload_len");
        column(c.ttl, n, "ttl");
        column(c.ipId, count(n, HAS_IP_ID), "ip_id");
        column(c.windowScale, count(n, HAS_WINDOW_SCALE), "window_scale");
        column(c.mss, count(n, HAS_MSS), "mss");
        sackEnd = in.readLongs(c.sack, n * (1 + MAX_SACK_EDGES), "sack");
        int timestamps = count(n, HAS_TIMESTAMPS);
        column(c.tsVal, timestamps, "ts_val");
        column(c.tsEcr, timestamps, "ts_ecr");
        in.expectEnd();
        List<Segment> segments = segments(flow, unit, n);
        if (sackUsed != sackEnd) {
            throw in.bad("sack of " + sackEnd + " values, " + sackUsed + " used by the segments");
        }
        return segments;
    }

    private List<Segment> segments(Segment flow, long unit, int n) throws RecordFormatException {
        List<Segment> out = new ArrayList<>(n);
        Along p = new Along();
        int iIpId = 0;
        int iWindowScale = 0;
        int iMss = 0;
        int iTimestamps = 0;
        int iSack = 0;
        long ts = flow.tsNanos;
        for (int i = 0; i < n; i++) {
            long h = c.head.get(i);
            if (h < 0 || h >= 1 << 16) {
                throw in.bad("head " + h);
            }
            int d = (int) (h & FROM_HIGH);
            Segment s = new Segment();
            s.observer = flow.observer;
            s.ipVersion = flow.ipVersion;
            s.srcAddr = d == 0 ? flow.srcAddr : flow.dstAddr;
            s.srcPort = d == 0 ? flow.srcPort : flow.dstPort;
            s.dstAddr = d == 0 ? flow.dstAddr : flow.srcAddr;
            s.dstPort = d == 0 ? flow.dstPort : flow.srcPort;
            s.iface = flow.iface;
            s.tunnel = flow.tunnel;
            ts += c.tsDelta.get(i) * unit;
            s.tsNanos = ts;
            s.flags = (int) (h >>> FLAGS_SHIFT) & FLAGS_MASK;
            s.seq = (p.expectedSeq(d) + c.seq.get(i)) & U32;
            s.ack = (p.expectedAck(d) + c.ack.get(i)) & U32;
            s.window = u16(p.window[d] + c.window.get(i), "window");
            s.payloadLen = (int) range(c.payload.get(i), 0, 0xFFFF, "payload_len");
            s.ttl = (int) range(p.ttl[d] + c.ttl.get(i), 0, 0xFF, "ttl");
            if ((h & HAS_IP_ID) != 0) {
                s.ipId = (int) ((p.ipId[d] + c.ipId.get(iIpId++)) & 0xFFFF);
            }
            if ((h & HAS_WINDOW_SCALE) != 0) {
                s.windowScale = (int) range(c.windowScale.get(iWindowScale++), 0, 0xFF, "window_scale");
            }
            if ((h & HAS_MSS) != 0) {
                s.mss = u16(c.mss.get(iMss++), "mss");
            }
            s.sackPermitted = (h & SACK_PERMITTED) != 0;
            if ((h & HAS_TIMESTAMPS) != 0) {
                s.hasTimestamps = true;
                s.tsVal = (p.previousTsVal(d) + c.tsVal.get(iTimestamps)) & U32;
                s.tsEcr = (p.expectedTsEcr(d) + c.tsEcr.get(iTimestamps++)) & U32;
            }
            if ((h & HAS_SACK) != 0) {
                iSack = sackBlocks(s, iSack);
            }
            p.after(s, d);
            out.add(s);
        }
        sackUsed = iSack;
        return out;
    }

    private int sackBlocks(Segment s, int at) throws RecordFormatException {
        if (at >= sackEnd) {
            throw in.bad("sack shorter than its segments");
        }
        long edges = c.sack.get(at++);
        if (edges < 1 || edges > MAX_SACK_EDGES || at + edges > sackEnd) {
            throw in.bad("sack with " + edges + " edges");
        }
        s.sackBlocks = new long[(int) edges];
        for (int e = 0; e < edges; e++) {
            s.sackBlocks[e] = (s.ack + c.sack.get(at++)) & U32;
        }
        return at;
    }

    private void column(LongColumn into, int expected, String name) throws RecordFormatException {
        int got = in.readLongs(into, expected, name);
        if (got != expected) {
            throw in.bad(name + " of " + got + " values for " + expected + " segments");
        }
    }

    private int count(int n, int bit) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += (c.head.get(i) & bit) != 0 ? 1 : 0;
        }
        return count;
    }

    private int port(int p) throws RecordFormatException {
        return (int) range(p, 0, 0xFFFF, "port");
    }

    private int u16(long v, String field) throws RecordFormatException {
        return (int) range(v, 0, 0xFFFF, field);
    }

    private long range(long v, long min, long max, String field) throws RecordFormatException {
        if (v < min || v > max) {
            throw in.bad(field + " " + v);
        }
        return v;
    }
}

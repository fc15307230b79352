package io.tcpwatch.core.local;

import io.tcpwatch.core.record.SegmentHeader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A connection's kept segment headers as one array of longs instead of a list of objects: the count
 * first, then four words per header. A local run keeps them for every connection it holds, and most
 * are never read (only a finding reads them). Every field comes back as it went in (the TCP flags
 * field has 12 bits; 16 are kept).
 */
final class PackedHeaders {
    private static final int WORDS = 4;

    private PackedHeaders() {}

    /** {@code packed} (null: none) with {@code h} after its headers; may be a new array. */
    static long[] add(long[] packed, SegmentHeader h) {
        int count = count(packed);
        long[] out = packed == null ? new long[1 + WORDS * 4]
                : packed.length < 1 + (count + 1) * WORDS ? Arrays.copyOf(packed, 1 + (count + 2) * WORDS) : packed;
        int at = 1 + count * WORDS;
        out[at] = h.tsNs;
        out[at + 1] = h.seq << 32 | (h.ack & 0xFFFF_FFFFL);
        out[at + 2] = (long) h.n << 32 | (h.len & 0xFFFF_FFFFL);
        out[at + 3] = (long) h.window << 32 | (long) (h.flags & 0xFFFF) << 16 | (h.fromClient ? 2 : 0) | (h.previous ? 1 : 0);
        out[0] = count + 1;
        return out;
    }

    /** {@code headers} packed; null when there are none. */
    static long[] of(List<SegmentHeader> headers) {
        long[] packed = null;
        for (SegmentHeader h : headers) {
            packed = add(packed, h);
        }
        return packed;
    }

    /** The headers of {@code packed} (null: none), as new objects. */
    static List<SegmentHeader> unpack(long[] packed) {
        int count = count(packed);
        List<SegmentHeader> out = new ArrayList<>(count + 1);
        for (int i = 0; i < count; i++) {
            int at = 1 + i * WORDS;
            SegmentHeader h = new SegmentHeader();
            h.tsNs = packed[at];
            h.seq = packed[at + 1] >>> 32;
            h.ack = packed[at + 1] & 0xFFFF_FFFFL;
            h.n = (int) (packed[at + 2] >>> 32);
            h.len = (int) packed[at + 2];
            h.window = (int) (packed[at + 3] >>> 32);
            h.flags = (int) (packed[at + 3] >>> 16) & 0xFFFF;
            h.fromClient = (packed[at + 3] & 2) != 0;
            h.previous = (packed[at + 3] & 1) != 0;
            out.add(h);
        }
        return out;
    }

    private static int count(long[] packed) {
        return packed == null ? 0 : (int) packed[0];
    }
}

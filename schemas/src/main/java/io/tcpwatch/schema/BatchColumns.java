package io.tcpwatch.schema;

/**
 * The layout of a segment batch ({@code segment-batch.avsc}) shared by its encoder and decoder:
 * the bits of a segment's {@code head} column and the per-direction state its deltas run on.
 */
final class BatchColumns {

    static final int FROM_HIGH = 1;
    static final int HAS_IP_ID = 1 << 1;
    static final int HAS_TIMESTAMPS = 1 << 2;
    static final int FLAGS_SHIFT = 3;
    static final int FLAGS_MASK = 0x1FF;
    static final int HAS_WINDOW_SCALE = 1 << 12;
    static final int HAS_MSS = 1 << 13;
    static final int SACK_PERMITTED = 1 << 14;
    static final int HAS_SACK = 1 << 15;

    /** The most segments a batch may hold (a reader refuses more), and the most SACK edges per segment. */
    static final int MAX_SEGMENTS = 4096;
    static final int MAX_SACK_EDGES = 64;

    static final long U32 = 0xFFFFFFFFL;

    private BatchColumns() {}

    /** The previous segment's values per direction (index 0: from the lower endpoint, 1: from the higher). */
    static final class Previous {
        final long[] seq = new long[2];
        final long[] ack = new long[2];
        final long[] window = new long[2];
        final long[] ttl = new long[2];
        final long[] ipId = new long[2];
        final long[] tsVal = new long[2];
        final long[] tsEcr = new long[2];
    }

    /** {@code value - previous} as a signed 32-bit number: small when a 32-bit counter advances (or wraps). */
    static long delta32(long value, long previous) {
        return (int) (value - previous);
    }

    static long delta16(long value, long previous) {
        return (short) (value - previous);
    }
}

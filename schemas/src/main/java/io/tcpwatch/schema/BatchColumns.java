package io.tcpwatch.schema;

import java.util.List;

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

    /** The per-segment columns, in the order the schema lists them. */
    static final class Columns {
        final LongColumn head = new LongColumn();
        final LongColumn tsDelta = new LongColumn();
        final LongColumn seq = new LongColumn();
        final LongColumn ack = new LongColumn();
        final LongColumn window = new LongColumn();
        final LongColumn payload = new LongColumn();
        final LongColumn ttl = new LongColumn();
        final LongColumn ipId = new LongColumn();
        final LongColumn windowScale = new LongColumn();
        final LongColumn mss = new LongColumn();
        final LongColumn sack = new LongColumn();
        final LongColumn tsVal = new LongColumn();
        final LongColumn tsEcr = new LongColumn();

        List<LongColumn> inOrder() {
            return List.of(head, tsDelta, seq, ack, window, payload, ttl, ipId, windowScale, mss, sack, tsVal, tsEcr);
        }
    }

    /**
     * What the batch's segments so far let one expect of the next, per direction (index 0: from the
     * lower endpoint, 1: from the higher): the columns hold each value less its expectation, mostly 0
     * along a flow. Encoder and decoder keep it alike, so every value comes back exactly.
     */
    static final class Along {
        private final boolean[] sent = new boolean[2];
        private final long[] nextSeq = new long[2];
        private final long[] ack = new long[2];
        private final boolean[] hasTsVal = new boolean[2];
        private final long[] tsVal = new long[2];
        private final long[] tsEcr = new long[2];
        final long[] window = new long[2];
        final long[] ttl = new long[2];
        final long[] ipId = new long[2];

        /** The previous segment's seq plus its length (SYN and FIN count one); before any, what the peer acknowledged. */
        long expectedSeq(int d) {
            return sent[d] ? nextSeq[d] : sent[1 - d] ? ack[1 - d] : 0;
        }

        /** The peer's next sequence number once it has sent; before, this direction's previous ack. */
        long expectedAck(int d) {
            return sent[1 - d] ? nextSeq[1 - d] : ack[d];
        }

        /** The peer's latest TSval once it has sent one; before, this direction's previous TSecr. */
        long expectedTsEcr(int d) {
            return hasTsVal[1 - d] ? tsVal[1 - d] : tsEcr[d];
        }

        long previousTsVal(int d) {
            return tsVal[d];
        }

        /** Takes segment {@code s} of direction {@code d} into account. */
        void after(Segment s, int d) {
            sent[d] = true;
            int phantom = ((s.flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((s.flags & TcpFlags.FIN) != 0 ? 1 : 0);
            nextSeq[d] = (s.seq + s.payloadLen + phantom) & U32;
            ack[d] = s.ack;
            window[d] = s.window;
            ttl[d] = s.ttl;
            if (s.ipId != Segment.ABSENT) {
                ipId[d] = s.ipId;
            }
            if (s.hasTimestamps) {
                hasTsVal[d] = true;
                tsVal[d] = s.tsVal;
                tsEcr[d] = s.tsEcr;
            }
        }
    }

    /** {@code value - previous} as a signed 32-bit number: small when a 32-bit counter advances (or wraps). */
    static long delta32(long value, long previous) {
        return (int) (value - previous);
    }

    static long delta16(long value, long previous) {
        return (short) (value - previous);
    }
}

package io.tcpwatch.schema;

import java.util.Arrays;

/**
 * Writes a {@link Segment} in Avro single-object encoding, straight from its fields into a reused
 * buffer: no intermediate records, no allocation per segment. The output is byte-for-byte what
 * Avro's own {@code BinaryMessageEncoder} writes for the same record (tested against it).
 *
 * <p>Not thread-safe: one encoder per thread.
 */
public final class SegmentEncoder {

    private final AvroOut out = new AvroOut();
    private final Utf8Cache observers = new Utf8Cache();
    private final Utf8Cache interfaces = new Utf8Cache();
    private final Utf8Cache tunnels = new Utf8Cache();

    /** Encodes {@code s}; the result is {@code buffer()[0 .. returned length)} until the next call. */
    public int encode(Segment s) {
        out.open(SegmentSchema.FINGERPRINT);
        byte[] observer = observers.of(s.observer);
        out.writeBytes(observer == null ? new byte[0] : observer);
        out.writeLong(s.tsNanos);
        out.writeLong(s.ipVersion);
        out.writeBytes(s.srcAddr);
        out.writeBytes(s.dstAddr);
        out.writeLong(s.srcPort);
        out.writeLong(s.dstPort);
        out.writeLong(s.seq);
        out.writeLong(s.ack);
        out.writeLong(s.flags);
        out.writeLong(s.window);
        out.writeOptionalInt(s.windowScale);
        out.writeLong(s.payloadLen);
        out.writeLong(s.ttl);
        out.writeOptionalInt(s.ipId);
        out.writeOptionalInt(s.mss);
        out.writeBoolean(s.sackPermitted);
        out.writeLongs(s.sackBlocks, s.sackBlocks.length);
        if (s.hasTimestamps) {
            out.writeLong(1);
            out.writeLong(s.tsVal);
            out.writeLong(1);
            out.writeLong(s.tsEcr);
        } else {
            out.writeLong(0);
            out.writeLong(0);
        }
        out.writeOptionalBytes(interfaces.of(s.iface));
        out.writeOptionalBytes(tunnels.of(s.tunnel));
        return out.length();
    }

    /** The buffer the last {@link #encode} wrote into (it may be replaced by a larger one). */
    public byte[] buffer() {
        return out.buffer();
    }

    /** Encodes into a new array of exactly the record's length. */
    public byte[] encodeToArray(Segment s) {
        int n = encode(s);
        return Arrays.copyOf(out.buffer(), n);
    }
}

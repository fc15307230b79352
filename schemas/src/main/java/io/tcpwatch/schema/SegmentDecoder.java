package io.tcpwatch.schema;

import io.tcpwatch.schema.RecordFormatException.Reason;
import java.util.Arrays;

/**
 * Reads a {@link Segment} from Avro single-object encoding, checking the marker and the schema
 * fingerprint first. Every malformed input ends in a {@link RecordFormatException} with a
 * {@link Reason}; nothing else escapes.
 *
 * <p>Not thread-safe (it caches the last observer name): one decoder per thread.
 */
public final class SegmentDecoder {

    private static final int MAX_SACK_EDGES = 64;

    private final AvroIn in = new AvroIn("segment record");
    private final LongColumn sack = new LongColumn();

    /** Decodes a whole array. */
    public Segment decode(byte[] record) throws RecordFormatException {
        Segment s = new Segment();
        decode(record, 0, record.length, s);
        return s;
    }

    /** Decodes {@code record[off .. off+len)} into {@code into}, replacing every field. */
    public void decode(byte[] record, int off, int len, Segment into) throws RecordFormatException {
        long fp = in.open(record, off, len);
        boolean v1 = fp == SegmentSchema.FINGERPRINT_V1;
        if (fp != SegmentSchema.FINGERPRINT && !v1) {
            throw new RecordFormatException(Reason.UNKNOWN_FINGERPRINT,
                    String.format("schema fingerprint %016x is not the segment schema's %016x",
                            fp, SegmentSchema.FINGERPRINT));
        }
        into.observer = in.readObserver();
        into.tsNanos = in.readLong();
        into.ipVersion = in.readIpVersion();
        into.srcAddr = in.readAddress(into.ipVersion);
        into.dstAddr = in.readAddress(into.ipVersion);
        into.srcPort = in.readInt();
        into.dstPort = in.readInt();
        into.seq = in.readLong();
        into.ack = in.readLong();
        into.flags = in.readInt();
        into.window = in.readInt();
        into.windowScale = in.readOptionalInt();
        into.payloadLen = in.readInt();
        into.ttl = in.readInt();
        into.ipId = in.readOptionalInt();
        into.mss = in.readOptionalInt();
        into.sackPermitted = in.readBoolean();
        int edges = in.readLongs(sack, MAX_SACK_EDGES, "sack_blocks");
        into.sackBlocks = edges == 0 ? Segment.NO_SACK : Arrays.copyOf(sack.values, edges);
        long tsVal = in.readOptionalLong();
        long tsEcr = in.readOptionalLong();
        into.hasTimestamps = tsVal != Long.MIN_VALUE;
        into.tsVal = into.hasTimestamps ? tsVal : 0;
        into.tsEcr = tsEcr == Long.MIN_VALUE ? 0 : tsEcr;
        into.iface = in.readOptionalString();
        into.tunnel = v1 ? null : in.readOptionalString();
        in.expectEnd();
    }
}

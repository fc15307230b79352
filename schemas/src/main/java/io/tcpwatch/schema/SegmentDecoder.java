package io.tcpwatch.schema;

import io.tcpwatch.schema.RecordFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a {@link Segment} from Avro single-object encoding, checking the marker and the schema
 * fingerprint first. Every malformed input ends in a {@link RecordFormatException} with a
 * {@link Reason}; nothing else escapes.
 *
 * <p>Not thread-safe (it caches the last observer name): one decoder per thread.
 */
public final class SegmentDecoder {

    private static final int MAX_STRING = 1024;

    private byte[] data;
    private int pos;
    private int end;

    private byte[] lastObserverBytes = new byte[0];
    private String lastObserver = "";

    /** Decodes a whole array. */
    public Segment decode(byte[] record) throws RecordFormatException {
        Segment s = new Segment();
        decode(record, 0, record.length, s);
        return s;
    }

    /** Decodes {@code record[off .. off+len)} into {@code into}, replacing every field. */
    public void decode(byte[] record, int off, int len, Segment into) throws RecordFormatException {
        data = record;
        pos = off;
        end = off + len;
        if (len < SegmentSchema.HEADER_LENGTH) {
            throw new RecordFormatException(Reason.TRUNCATED,
                    "record of " + len + " bytes is shorter than the single-object header");
        }
        if (record[off] != SegmentSchema.MAGIC_0 || record[off + 1] != SegmentSchema.MAGIC_1) {
            throw new RecordFormatException(Reason.BAD_MAGIC,
                    String.format("record starts with 0x%02X%02X, not the Avro single-object marker 0xC301",
                            record[off] & 0xFF, record[off + 1] & 0xFF));
        }
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (record[off + 2 + i] & 0xFFL) << (8 * i);
        }
        boolean v1 = fp == SegmentSchema.FINGERPRINT_V1;
        if (fp != SegmentSchema.FINGERPRINT && !v1) {
            throw new RecordFormatException(Reason.UNKNOWN_FINGERPRINT,
                    String.format("schema fingerprint %016x is not the segment schema's %016x",
                            fp, SegmentSchema.FINGERPRINT));
        }
        pos += SegmentSchema.HEADER_LENGTH;

        into.observer = readObserver();
        into.tsNanos = readLong();
        into.ipVersion = readInt();
        if (into.ipVersion != 4 && into.ipVersion != 6) {
            throw bad("ip_version " + into.ipVersion);
        }
        int addrLen = into.ipVersion == 4 ? 4 : 16;
        into.srcAddr = readAddress(addrLen);
        into.dstAddr = readAddress(addrLen);
        into.srcPort = readInt();
        into.dstPort = readInt();
        into.seq = readLong();
        into.ack = readLong();
        into.flags = readInt();
        into.window = readInt();
        into.windowScale = readOptionalInt();
        into.payloadLen = readInt();
        into.ttl = readInt();
        into.ipId = readOptionalInt();
        into.mss = readOptionalInt();
        into.sackPermitted = readBoolean();
        into.sackBlocks = readLongArray();
        long tsVal = readOptionalLong();
        long tsEcr = readOptionalLong();
        into.hasTimestamps = tsVal != Long.MIN_VALUE;
        into.tsVal = into.hasTimestamps ? tsVal : 0;
        into.tsEcr = tsEcr == Long.MIN_VALUE ? 0 : tsEcr;
        into.iface = readOptionalString();
        into.tunnel = v1 ? null : readOptionalString();
        if (pos != end) {
            throw bad((end - pos) + " trailing bytes after the record");
        }
    }

    private String readOptionalString() throws RecordFormatException {
        return readUnionIndex() == 0 ? null : new String(readByteArray(MAX_STRING), StandardCharsets.UTF_8);
    }

    private String readObserver() throws RecordFormatException {
        int n = readLength(MAX_STRING);
        if (!Arrays.equals(data, pos, pos + n, lastObserverBytes, 0, lastObserverBytes.length)) {
            lastObserverBytes = Arrays.copyOfRange(data, pos, pos + n);
            lastObserver = new String(lastObserverBytes, StandardCharsets.UTF_8);
        }
        pos += n;
        return lastObserver;
    }

    private byte[] readAddress(int expected) throws RecordFormatException {
        byte[] a = readByteArray(16);
        if (a.length != expected) {
            throw bad("address of " + a.length + " bytes for IPv" + (expected == 4 ? 4 : 6));
        }
        return a;
    }

    private long[] readLongArray() throws RecordFormatException {
        long[] out = Segment.NO_SACK;
        int filled = 0;
        while (true) {
            long count = readLong();
            if (count == 0) {
                return out;
            }
            if (count < 0) { // a negative count is followed by the block's size in bytes
                count = -count;
                readLong();
            }
            if (count > 64 || filled + count > 64) {
                throw bad("sack_blocks with " + (filled + count) + " edges");
            }
            out = Arrays.copyOf(out, filled + (int) count);
            for (int i = 0; i < count; i++) {
                out[filled++] = readLong();
            }
        }
    }

    private int readOptionalInt() throws RecordFormatException {
        return readUnionIndex() == 0 ? Segment.ABSENT : readInt();
    }

    /** Long.MIN_VALUE stands for null. */
    private long readOptionalLong() throws RecordFormatException {
        return readUnionIndex() == 0 ? Long.MIN_VALUE : readLong();
    }

    private int readUnionIndex() throws RecordFormatException {
        long i = readLong();
        if (i != 0 && i != 1) {
            throw bad("union index " + i);
        }
        return (int) i;
    }

    private boolean readBoolean() throws RecordFormatException {
        need(1);
        byte b = data[pos++];
        if (b != 0 && b != 1) {
            throw bad("boolean byte " + b);
        }
        return b == 1;
    }

    private byte[] readByteArray(int max) throws RecordFormatException {
        int n = readLength(max);
        byte[] out = Arrays.copyOfRange(data, pos, pos + n);
        pos += n;
        return out;
    }

    private int readLength(int max) throws RecordFormatException {
        long n = readLong();
        if (n < 0 || n > max) {
            throw bad("length " + n);
        }
        need((int) n);
        return (int) n;
    }

    private int readInt() throws RecordFormatException {
        long v = readLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad("int out of range: " + v);
        }
        return (int) v;
    }

    private long readLong() throws RecordFormatException {
        long n = 0;
        int shift = 0;
        while (true) {
            need(1);
            int b = data[pos++] & 0xFF;
            n |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (n >>> 1) ^ -(n & 1);
            }
            shift += 7;
            if (shift > 63) {
                throw bad("varint longer than 10 bytes");
            }
        }
    }

    private void need(int n) throws RecordFormatException {
        if (end - pos < n) {
            throw new RecordFormatException(Reason.TRUNCATED, "record ends inside a field at byte " + pos);
        }
    }

    private RecordFormatException bad(String what) {
        return new RecordFormatException(Reason.BAD_VALUE, "malformed segment record: " + what);
    }
}

package io.tcpwatch.schema;

import io.tcpwatch.schema.RecordFormatException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads Avro binary values from a byte range, checking every length and varint against what is
 * left: a malformed input ends in a {@link RecordFormatException}, nothing else escapes. Not
 * thread-safe (it caches the last observer name).
 */
final class AvroIn {

    static final int MAX_STRING = 1024;

    private final String record;
    private byte[] data;
    private int pos;
    private int end;

    private byte[] lastObserverBytes = new byte[0];
    private String lastObserver = "";

    /** @param record what the records are called in error messages ("segment record") */
    AvroIn(String record) {
        this.record = record;
    }

    /** Starts reading {@code data[off .. off+len)}: checks the single-object marker and returns the fingerprint. */
    long open(byte[] data, int off, int len) throws RecordFormatException {
        this.data = data;
        this.pos = off;
        this.end = off + len;
        if (len < SegmentSchema.HEADER_LENGTH) {
            throw new RecordFormatException(Reason.TRUNCATED,
                    "record of " + len + " bytes is shorter than the single-object header");
        }
        if (data[off] != SegmentSchema.MAGIC_0 || data[off + 1] != SegmentSchema.MAGIC_1) {
            throw new RecordFormatException(Reason.BAD_MAGIC,
                    String.format("record starts with 0x%02X%02X, not the Avro single-object marker 0xC301",
                            data[off] & 0xFF, data[off + 1] & 0xFF));
        }
        long fp = 0;
        for (int i = 0; i < 8; i++) {
            fp |= (data[off + 2 + i] & 0xFFL) << (8 * i);
        }
        pos += SegmentSchema.HEADER_LENGTH;
        return fp;
    }

    /** Fails unless the whole range has been read. */
    void expectEnd() throws RecordFormatException {
        if (pos != end) {
            throw bad((end - pos) + " trailing bytes after the record");
        }
    }

    String readObserver() throws RecordFormatException {
        int n = readLength(MAX_STRING);
        if (!Arrays.equals(data, pos, pos + n, lastObserverBytes, 0, lastObserverBytes.length)) {
            lastObserverBytes = Arrays.copyOfRange(data, pos, pos + n);
            lastObserver = new String(lastObserverBytes, StandardCharsets.UTF_8);
        }
        pos += n;
        return lastObserver;
    }

    String readOptionalString() throws RecordFormatException {
        return readUnionIndex() == 0 ? null : new String(readByteArray(MAX_STRING), StandardCharsets.UTF_8);
    }

    byte[] readAddress(int ipVersion) throws RecordFormatException {
        byte[] a = readByteArray(16);
        if (a.length != (ipVersion == 4 ? 4 : 16)) {
            throw bad("address of " + a.length + " bytes for IPv" + ipVersion);
        }
        return a;
    }

    int readIpVersion() throws RecordFormatException {
        int v = readInt();
        if (v != 4 && v != 6) {
            throw bad("ip_version " + v);
        }
        return v;
    }

    /** An array of longs of at most {@code max} items into {@code into} (cleared first); returns the count. */
    int readLongs(LongColumn into, int max, String field) throws RecordFormatException {
        into.clear();
        while (true) {
            long count = readLong();
            if (count == 0) {
                return into.size;
            }
            if (count < 0) { // a negative count is followed by the block's size in bytes
                count = -count;
                readLong();
            }
            if (count > max - into.size) {
                throw bad(field + " with more than " + max + " items");
            }
            for (int i = 0; i < count; i++) {
                into.add(readLong());
            }
        }
    }

    int readOptionalInt() throws RecordFormatException {
        return readUnionIndex() == 0 ? Segment.ABSENT : readInt();
    }

    /** Long.MIN_VALUE stands for null. */
    long readOptionalLong() throws RecordFormatException {
        return readUnionIndex() == 0 ? Long.MIN_VALUE : readLong();
    }

    private int readUnionIndex() throws RecordFormatException {
        long i = readLong();
        if (i != 0 && i != 1) {
            throw bad("union index " + i);
        }
        return (int) i;
    }

    boolean readBoolean() throws RecordFormatException {
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

    int readInt() throws RecordFormatException {
        long v = readLong();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad("int out of range: " + v);
        }
        return (int) v;
    }

    long readLong() throws RecordFormatException {
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

    RecordFormatException bad(String what) {
        return new RecordFormatException(Reason.BAD_VALUE, "malformed " + record + ": " + what);
    }
}

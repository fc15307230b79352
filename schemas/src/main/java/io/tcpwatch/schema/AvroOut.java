package io.tcpwatch.schema;

import java.util.Arrays;

/** Writes Avro binary values into a reused, growing buffer. Not thread-safe. */
final class AvroOut {

    private byte[] buf = new byte[256];
    private int pos;

    /** Starts a record: the single-object marker and the schema's fingerprint. */
    void open(long fingerprint) {
        pos = 0;
        ensure(SegmentSchema.HEADER_LENGTH);
        buf[pos++] = SegmentSchema.MAGIC_0;
        buf[pos++] = SegmentSchema.MAGIC_1;
        for (int i = 0; i < 8; i++) {
            buf[pos++] = (byte) (fingerprint >>> (8 * i));
        }
    }

    /** The buffer written so far: {@code buffer()[0 .. length())}. */
    byte[] buffer() {
        return buf;
    }

    int length() {
        return pos;
    }

    void writeOptionalInt(int v) {
        if (v == Segment.ABSENT) {
            writeLong(0);
        } else {
            writeLong(1);
            writeLong(v);
        }
    }

    /** A union of null and string, the string as UTF-8 bytes. */
    void writeOptionalBytes(byte[] utf8) {
        if (utf8 == null) {
            writeLong(0);
        } else {
            writeLong(1);
            writeBytes(utf8);
        }
    }

    void writeBoolean(boolean b) {
        ensure(1);
        buf[pos++] = (byte) (b ? 1 : 0);
    }

    void writeBytes(byte[] b) {
        writeLong(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** An array of longs: one block of {@code n} items, then the end marker. */
    void writeLongs(long[] items, int n) {
        if (n > 0) {
            writeLong(n);
            for (int i = 0; i < n; i++) {
                writeLong(items[i]);
            }
        }
        writeLong(0);
    }

    /** Avro zig-zag variable-length long (ints use the same encoding). */
    void writeLong(long v) {
        ensure(10);
        long n = (v << 1) ^ (v >> 63);
        while ((n & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        buf[pos++] = (byte) n;
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }
}

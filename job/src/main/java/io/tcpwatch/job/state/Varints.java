package io.tcpwatch.job.state;

import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Variable-length integers for the compact state serializers: unsigned LEB128, and zigzag for signed values. */
final class Varints {

    private Varints() {}

    /** Unsigned LEB128: seven bits per byte, the high bit set while more follow. */
    static void write(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static long read(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("a variable-length integer longer than 10 bytes in keyed state");
    }

    static void writeSigned(DataOutputView out, long v) throws IOException {
        write(out, (v << 1) ^ (v >> 63)); // zigzag: small magnitudes, small encodings
    }

    static long readSigned(DataInputView in) throws IOException {
        long z = read(in);
        return (z >>> 1) ^ -(z & 1);
    }
}

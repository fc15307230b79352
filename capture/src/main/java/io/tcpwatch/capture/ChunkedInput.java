package io.tcpwatch.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * A file (or stream) read in large chunks into one reused heap buffer, so records can be parsed in place
 * from the backing array. The buffer starts at the input's size when that is small (a short file
 * costs no 8 MB) and grows up to {@link #CAPACITY}; records never exceed it: callers bound lengths first.
 */
final class ChunkedInput implements AutoCloseable {

    static final int CAPACITY = 8 << 20;

    private static final int SMALLEST = 64 << 10;

    private final ReadableByteChannel channel;
    private ByteBuffer buf;
    private long consumedBeforeBuffer;
    private boolean eof;

    /** @param sizeHint the input's size in bytes when known, else 0 */
    ChunkedInput(ReadableByteChannel channel, long sizeHint) {
        this.channel = channel;
        int initial = sizeHint <= 0 ? CAPACITY : (int) Math.min(CAPACITY, Math.max(SMALLEST, sizeHint));
        buf = ByteBuffer.allocate(initial);
        buf.limit(0);
    }

    /** Makes {@code n} bytes available at {@link #pos()}; false when the file ends first. */
    boolean ensure(int n) throws IOException {
        if (buf.remaining() >= n) {
            return true;
        }
        if (n > CAPACITY) {
            throw new IllegalArgumentException("record of " + n + " bytes exceeds the read buffer");
        }
        consumedBeforeBuffer += buf.position();
        buf.compact();
        if (n > buf.capacity()) { // the size hint was small: grow, keeping what is buffered and its byte order
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(CAPACITY, Math.max(n, 2 * buf.capacity()))).order(buf.order());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
        while (buf.position() < n && !eof) {
            if (channel.read(buf) < 0) {
                eof = true;
            }
        }
        buf.flip();
        return buf.remaining() >= n;
    }

    /** Bytes left in the buffer, at least what the last successful {@link #ensure} asked for. */
    int available() {
        return buf.remaining();
    }

    byte[] array() {
        return buf.array();
    }

    int pos() {
        return buf.position();
    }

    void skip(int n) {
        buf.position(buf.position() + n);
    }

    void order(ByteOrder order) {
        buf.order(order);
    }

    ByteOrder order() {
        return buf.order();
    }

    int int32(int at) {
        return buf.getInt(at);
    }

    int uint16(int at) {
        return buf.getShort(at) & 0xFFFF;
    }

    long int64(int at) {
        return buf.getLong(at);
    }

    /** Offset in the file of {@link #pos()}. */
    long filePosition() {
        return consumedBeforeBuffer + buf.position();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

package io.tcpwatch.agent.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes pcap and pcapng files for tests and benchmarks (formats per the IETF opsawg drafts). */
public abstract class CaptureFileWriter implements AutoCloseable {

    final OutputStream out;
    final ByteOrder order;

    CaptureFileWriter(Path path, ByteOrder order) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 20);
        this.order = order;
    }

    /** A classic pcap file, microsecond or nanosecond resolution. */
    public static Pcap pcap(Path path, int linkType, boolean nanos, ByteOrder order) throws IOException {
        return new Pcap(path, linkType, nanos, order);
    }

    public static PcapNg pcapng(Path path, ByteOrder order) throws IOException {
        return new PcapNg(path, order);
    }

    ByteBuffer buf(int n) {
        return ByteBuffer.allocate(n).order(order);
    }

    void write(ByteBuffer b) throws IOException {
        out.write(b.array(), 0, b.position());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    public static final class Pcap extends CaptureFileWriter {
        private final boolean nanos;
        private final ByteBuffer header = buf(16);

        Pcap(Path path, int linkType, boolean nanos, ByteOrder order) throws IOException {
            super(path, order);
            this.nanos = nanos;
            ByteBuffer h = buf(24);
            h.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4)
                    .putInt(0).putInt(0).putInt(262144).putInt(linkType);
            write(h);
        }

        public void frame(long tsNanos, byte[] frame, int capLen, int origLen) throws IOException {
            header.clear();
            long sec = tsNanos / 1_000_000_000L;
            long frac = tsNanos % 1_000_000_000L;
            header.putInt((int) sec).putInt((int) (nanos ? frac : frac / 1000)).putInt(capLen).putInt(origLen);
            write(header);
            out.write(frame, 0, capLen);
        }

        public void frame(long tsNanos, byte[] frame) throws IOException {
            frame(tsNanos, frame, frame.length, frame.length);
        }
    }

    public static final class PcapNg extends CaptureFileWriter {
        private int interfaces;

        PcapNg(Path path, ByteOrder order) throws IOException {
            super(path, order);
            section();
        }

        /** A new section: interface ids restart at 0. */
        public void section() throws IOException {
            ByteBuffer b = buf(28);
            b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                    .putLong(-1).putInt(28);
            write(b);
            interfaces = 0;
        }

        /**
         * Declares an interface; returns its id.
         *
         * @param tsresol if_tsresol byte (6 = µs, 9 = ns, 0x80|n = 2^-n), or -1 to leave it out
         */
        public int iface(int linkType, String name, int tsresol, long tsoffsetSeconds) throws IOException {
            ByteBuffer opts = buf(256);
            if (name != null) {
                byte[] n = name.getBytes(StandardCharsets.UTF_8);
                opts.putShort((short) 2).putShort((short) n.length).put(n);
                pad(opts);
            }
            if (tsresol >= 0) {
                opts.putShort((short) 9).putShort((short) 1).put((byte) tsresol);
                pad(opts);
            }
            if (tsoffsetSeconds != 0) {
                opts.putShort((short) 14).putShort((short) 8).putLong(tsoffsetSeconds);
            }
            opts.putShort((short) 0).putShort((short) 0);
            int len = 16 + opts.position() + 4;
            ByteBuffer b = buf(len);
            b.putInt(1).putInt(len).putShort((short) linkType).putShort((short) 0).putInt(262144);
            b.put(opts.array(), 0, opts.position());
            b.putInt(len);
            write(b);
            return interfaces++;
        }

        /** An enhanced packet block with a raw timestamp in the interface's units. */
        public void frame(int ifId, long units, byte[] frame, int capLen, int origLen) throws IOException {
            int padded = (capLen + 3) & ~3;
            int len = 28 + padded + 4;
            ByteBuffer b = buf(len);
            b.putInt(6).putInt(len).putInt(ifId).putInt((int) (units >>> 32)).putInt((int) units)
                    .putInt(capLen).putInt(origLen);
            b.put(frame, 0, capLen);
            b.position(28 + padded);
            b.putInt(len);
            write(b);
        }

        /** A block the reader must step over (a custom block, type 0x00000BAD). */
        public void customBlock(int payload) throws IOException {
            int len = 12 + ((payload + 3) & ~3);
            ByteBuffer b = buf(len);
            b.putInt(0x00000BAD).putInt(len);
            b.position(len - 4);
            b.putInt(len);
            write(b);
        }

        /** A simple packet block: no interface id, no timestamp. */
        public void simplePacket(byte[] frame) throws IOException {
            int padded = (frame.length + 3) & ~3;
            int len = 16 + padded;
            ByteBuffer b = buf(len);
            b.putInt(3).putInt(len).putInt(frame.length).put(frame);
            b.position(12 + padded);
            b.putInt(len);
            write(b);
        }

        private static void pad(ByteBuffer b) {
            while (b.position() % 4 != 0) {
                b.put((byte) 0);
            }
        }
    }
}

package io.tcpwatch.agent.testing;

import static io.tcpwatch.agent.testing.Frames.concat;
import static io.tcpwatch.agent.testing.Frames.put16;
import static io.tcpwatch.agent.testing.Frames.put32;

import java.io.ByteArrayOutputStream;

/** Encapsulation headers built from their specifications, for tests and benchmarks. */
public final class TunnelFrames {

    private TunnelFrames() {}

    public static byte[] udp(int src, int dst, byte[] payload) {
        byte[] b = new byte[8 + payload.length];
        put16(b, 0, src);
        put16(b, 2, dst);
        put16(b, 4, b.length);
        System.arraycopy(payload, 0, b, 8, payload.length);
        return b;
    }

    public static byte[] vxlan(int vni, byte[] ethernet) {
        byte[] h = new byte[8];
        h[0] = 0x08;
        put32(h, 4, (long) vni << 8);
        return concat(h, ethernet);
    }

    public static byte[] geneve(int vni, int protocol, byte[] options, byte[] payload) {
        byte[] h = new byte[8];
        h[0] = (byte) (options.length / 4);
        put16(h, 2, protocol);
        put32(h, 4, (long) vni << 8);
        return concat(h, options, payload);
    }

    public static byte[] gtpu(long teid, byte[] extension, byte[] packet) {
        byte[] h = new byte[extension == null ? 8 : 12];
        h[0] = (byte) (extension == null ? 0x30 : 0x34); // version 1, GTP, E flag with an extension
        h[1] = (byte) 0xFF;
        put32(h, 4, teid);
        if (extension != null) {
            h[11] = (byte) 0x85; // next extension: PDU session container
        }
        byte[] body = extension == null ? packet : concat(extension, packet);
        put16(h, 2, h.length - 8 + body.length);
        return concat(h, body);
    }

    public static byte[] gre(int version, int protocol, Long key, boolean checksum, boolean sequence, byte[] payload) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        int flags = (checksum ? 0x8000 : 0) | (key != null ? 0x2000 : 0) | (sequence ? 0x1000 : 0) | version;
        o.writeBytes(u16(flags));
        o.writeBytes(u16(protocol));
        if (checksum) {
            o.writeBytes(new byte[4]);
        }
        if (key != null) {
            byte[] k = new byte[4];
            put32(k, 0, key);
            o.writeBytes(k);
        }
        if (sequence) {
            o.writeBytes(new byte[] {0, 0, 0, 1});
        }
        o.writeBytes(payload);
        return o.toByteArray();
    }

    public static byte[] pppoe(int pppProtocol, byte[] packet) {
        byte[] h = new byte[8];
        h[0] = 0x11;
        put16(h, 2, 0x0042);
        put16(h, 4, 2 + packet.length);
        put16(h, 6, pppProtocol);
        return concat(h, packet);
    }

    public static byte[] label(int label, boolean bottom) {
        byte[] l = new byte[4];
        put32(l, 0, ((long) label << 12) | (bottom ? 0x100 : 0) | 64);
        return l;
    }

    public static byte[] u16(int v) {
        byte[] b = new byte[2];
        put16(b, 0, v);
        return b;
    }
}

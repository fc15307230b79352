package io.tcpwatch.agent.testing;

import java.io.ByteArrayOutputStream;

/** Builds frames byte by byte, the way they sit on the wire, for parser and reader tests. */
public final class Frames {

    private Frames() {}

    /** A TCP header (with the given raw option bytes, padded to 4) followed by {@code payload} zero bytes. */
    public static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window,
                             byte[] options, int payload) {
        int optLen = (options.length + 3) & ~3;
        int hl = 20 + optLen;
        byte[] b = new byte[hl + payload];
        put16(b, 0, srcPort);
        put16(b, 2, dstPort);
        put32(b, 4, seq);
        put32(b, 8, ack);
        put16(b, 12, ((hl / 4) << 12) | (flags & 0x1FF));
        put16(b, 14, window);
        System.arraycopy(options, 0, b, 20, options.length);
        return b;
    }

    public static byte[] options(byte[]... opts) {
        return concat(opts);
    }

    /** The parts one after the other. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] x : parts) {
            o.writeBytes(x);
        }
        return o.toByteArray();
    }

    public static byte[] mss(int v) {
        return new byte[] {2, 4, (byte) (v >>> 8), (byte) v};
    }

    public static byte[] wscale(int v) {
        return new byte[] {1, 3, 3, (byte) v}; // NOP + window scale, as Linux writes it
    }

    public static byte[] sackPermitted() {
        return new byte[] {4, 2};
    }

    public static byte[] timestamps(long val, long ecr) {
        byte[] b = new byte[12];
        b[0] = 1;
        b[1] = 1;
        b[2] = 8;
        b[3] = 10;
        put32(b, 4, val);
        put32(b, 8, ecr);
        return b;
    }

    public static byte[] sack(long... edges) {
        byte[] b = new byte[2 + 2 + 4 * edges.length];
        b[0] = 1;
        b[1] = 1;
        b[2] = 5;
        b[3] = (byte) (2 + 4 * edges.length);
        for (int i = 0; i < edges.length; i++) {
            put32(b, 4 + 4 * i, edges[i]);
        }
        return b;
    }

    /** IPv4 header (no options unless given) + {@code l4}; protocol 6 unless told. */
    public static byte[] ipv4(byte[] src, byte[] dst, int ttl, int id, int protocol, byte[] ipOptions, byte[] l4) {
        int ihl = 20 + ipOptions.length;
        byte[] b = new byte[ihl + l4.length];
        b[0] = (byte) (0x40 | (ihl / 4));
        put16(b, 2, b.length);
        put16(b, 4, id);
        b[8] = (byte) ttl;
        b[9] = (byte) protocol;
        System.arraycopy(src, 0, b, 12, 4);
        System.arraycopy(dst, 0, b, 16, 4);
        System.arraycopy(ipOptions, 0, b, 20, ipOptions.length);
        System.arraycopy(l4, 0, b, ihl, l4.length);
        return b;
    }

    public static byte[] ipv4(byte[] src, byte[] dst, byte[] tcp) {
        return ipv4(src, dst, 64, 0x1234, 6, new byte[0], tcp);
    }

    /**
     * IPv6 header + extension headers + {@code l4}. Each extension is {type, raw bytes}: the raw
     * bytes' first byte (next header) is filled in here.
     */
    public static byte[] ipv6(byte[] src, byte[] dst, int hopLimit, int firstNext, byte[][] ext, int[] extTypes, byte[] l4) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (int i = 0; i < ext.length; i++) {
            byte[] e = ext[i].clone();
            e[0] = (byte) (i + 1 < ext.length ? extTypes[i + 1] : 6);
            o.writeBytes(e);
        }
        o.writeBytes(l4);
        byte[] payload = o.toByteArray();
        byte[] b = new byte[40 + payload.length];
        b[0] = 0x60;
        put16(b, 4, payload.length);
        b[6] = (byte) (ext.length > 0 ? extTypes[0] : firstNext);
        b[7] = (byte) hopLimit;
        System.arraycopy(src, 0, b, 8, 16);
        System.arraycopy(dst, 0, b, 24, 16);
        System.arraycopy(payload, 0, b, 40, payload.length);
        return b;
    }

    public static byte[] ipv6(byte[] src, byte[] dst, byte[] tcp) {
        return ipv6(src, dst, 64, 6, new byte[0][], new int[0], tcp);
    }

    /** Ethernet II with optional VLAN tags (each {tpid, vid}). */
    public static byte[] ethernet(int ethertype, byte[] payload, int... tagTpids) {
        byte[] b = new byte[14 + 4 * tagTpids.length + payload.length];
        b[0] = 0x02;
        b[6] = 0x02;
        b[11] = 1;
        int p = 12;
        for (int tpid : tagTpids) {
            put16(b, p, tpid);
            put16(b, p + 2, 100);
            p += 4;
        }
        put16(b, p, ethertype);
        System.arraycopy(payload, 0, b, p + 2, payload.length);
        return b;
    }

    public static byte[] sll(int protocol, byte[] payload) {
        byte[] b = new byte[16 + payload.length];
        put16(b, 0, 0); // packet to us
        put16(b, 2, 1); // ARPHRD_ETHER
        put16(b, 4, 6);
        put16(b, 14, protocol);
        System.arraycopy(payload, 0, b, 16, payload.length);
        return b;
    }

    public static byte[] sll2(int protocol, byte[] payload) {
        return sll2(protocol, 2, payload);
    }

    /** Linux cooked v2 (what {@code any} captures) from the interface with index {@code ifindex}. */
    public static byte[] sll2(int protocol, int ifindex, byte[] payload) {
        byte[] b = new byte[20 + payload.length];
        put16(b, 0, protocol);
        put32(b, 4, ifindex);
        put16(b, 8, 1);
        b[11] = 6;
        System.arraycopy(payload, 0, b, 20, payload.length);
        return b;
    }

    /** DLT_NULL (host byte order) or DLT_LOOP (network order) with the given address family. */
    public static byte[] bsdLoopback(int family, boolean littleEndian, byte[] payload) {
        byte[] b = new byte[4 + payload.length];
        if (littleEndian) {
            b[0] = (byte) family;
            b[1] = (byte) (family >>> 8);
        } else {
            put32(b, 0, family);
        }
        System.arraycopy(payload, 0, b, 4, payload.length);
        return b;
    }

    public static byte[] addr4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    public static byte[] addr6(int last) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[15] = (byte) last;
        return a;
    }

    public static void put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 8);
        b[p + 1] = (byte) v;
    }

    public static void put32(byte[] b, int p, long v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}

package io.tcpwatch.schema;

/**
 * The canonical flow key: the Kafka record key of every segment.
 *
 * <p>Both directions of a connection map to the same bytes — the lower endpoint (address, then
 * port, compared as unsigned bytes) comes first — so one connection stays in one partition, in
 * order. Layout: {@code ip_version (1) | low addr (4|16) | low port (2, big-endian) | high addr |
 * high port [| tunnel hash (4, big-endian)]}: 13 bytes for IPv4, 37 for IPv6, 4 more when the
 * segment came through a tunnel (the hash of {@link Segment#tunnel} keeps two overlays' equal
 * 4-tuples apart without allocating).
 */
public final class FlowKey {

    public static final int MAX_LENGTH = 1 + 2 * (16 + 2) + 4;

    private FlowKey() {}

    /** Writes the key of {@code s} into {@code out} and returns its length. */
    public static int write(Segment s, byte[] out) {
        boolean srcLow = compare(s.srcAddr, s.srcPort, s.dstAddr, s.dstPort) <= 0;
        out[0] = (byte) s.ipVersion;
        int p = 1;
        p = endpoint(out, p, srcLow ? s.srcAddr : s.dstAddr, srcLow ? s.srcPort : s.dstPort);
        p = endpoint(out, p, srcLow ? s.dstAddr : s.srcAddr, srcLow ? s.dstPort : s.srcPort);
        if (s.tunnel != null) {
            int h = s.tunnel.hashCode();
            out[p++] = (byte) (h >>> 24);
            out[p++] = (byte) (h >>> 16);
            out[p++] = (byte) (h >>> 8);
            out[p++] = (byte) h;
        }
        return p;
    }

    /** The key of {@code s} as a new array. */
    public static byte[] of(Segment s) {
        byte[] buf = new byte[MAX_LENGTH];
        int n = write(s, buf);
        return java.util.Arrays.copyOf(buf, n);
    }

    /** True when the segment travels from the lower endpoint to the higher one. */
    public static boolean isForward(Segment s) {
        return compare(s.srcAddr, s.srcPort, s.dstAddr, s.dstPort) <= 0;
    }

    private static int endpoint(byte[] out, int p, byte[] addr, int port) {
        System.arraycopy(addr, 0, out, p, addr.length);
        p += addr.length;
        out[p++] = (byte) (port >>> 8);
        out[p++] = (byte) port;
        return p;
    }

    static int compare(byte[] a, int aPort, byte[] b, int bPort) {
        int c = java.util.Arrays.compareUnsigned(a, b);
        return c != 0 ? c : Integer.compare(aPort, bPort);
    }
}

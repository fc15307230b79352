package io.tcpwatch.schema;

import java.util.Arrays;

/**
 * One TCP segment as a capture agent saw it — the Java face of {@code segment.avsc}.
 *
 * <p>A flat, mutable record with public fields: the parser fills one instance per frame and
 * reuses it (no per-packet object graph), so a consumer that keeps a segment must {@link #copy()}
 * it. Optional header fields use sentinels instead of boxing: {@link #ABSENT} for integers,
 * {@link #hasTimestamps} for the timestamp option, {@code null} for the interface.
 */
public final class Segment {

    /** Marker for an optional integer field the segment does not carry. */
    public static final int ABSENT = -1;

    public String observer;
    /** Capture timestamp, nanoseconds since the Unix epoch. */
    public long tsNanos;
    public int ipVersion;
    /** 4 or 16 bytes, network order. */
    public byte[] srcAddr;
    public byte[] dstAddr;
    public int srcPort;
    public int dstPort;
    /** Unsigned 32-bit values held in a long. */
    public long seq;
    public long ack;
    /** Flag bits as on the wire, see {@link TcpFlags}. */
    public int flags;
    /** Raw (unscaled) window. */
    public int window;
    public int windowScale = ABSENT;
    public int payloadLen;
    public int ttl;
    public int ipId = ABSENT;
    public int mss = ABSENT;
    public boolean sackPermitted;
    /** SACK blocks as flat pairs (left, right, left, right …); never null. */
    public long[] sackBlocks = NO_SACK;
    public boolean hasTimestamps;
    public long tsVal;
    public long tsEcr;
    /** Capture interface name, or null when unknown. */
    public String iface;
    /**
     * The tenant identity of the tunnels that carried the segment ("vxlan:5001", "gre:42/vxlan:7"),
     * or null when none: part of the flow's identity, so two overlays' equal 4-tuples stay apart.
     */
    public String tunnel;

    static final long[] NO_SACK = new long[0];

    public Segment() {}

    /** Resets every field to its empty value. */
    public void clear() {
        observer = null;
        tsNanos = 0;
        ipVersion = 0;
        srcAddr = null;
        dstAddr = null;
        srcPort = dstPort = 0;
        seq = ack = 0;
        flags = 0;
        window = 0;
        windowScale = ABSENT;
        payloadLen = 0;
        ttl = 0;
        ipId = ABSENT;
        mss = ABSENT;
        sackPermitted = false;
        sackBlocks = NO_SACK;
        hasTimestamps = false;
        tsVal = tsEcr = 0;
        iface = null;
        tunnel = null;
    }

    /** A deep copy that owns its arrays (the parser reuses its own). */
    public Segment copy() {
        Segment c = new Segment();
        c.observer = observer;
        c.tsNanos = tsNanos;
        c.ipVersion = ipVersion;
        c.srcAddr = srcAddr == null ? null : srcAddr.clone();
        c.dstAddr = dstAddr == null ? null : dstAddr.clone();
        c.srcPort = srcPort;
        c.dstPort = dstPort;
        c.seq = seq;
        c.ack = ack;
        c.flags = flags;
        c.window = window;
        c.windowScale = windowScale;
        c.payloadLen = payloadLen;
        c.ttl = ttl;
        c.ipId = ipId;
        c.mss = mss;
        c.sackPermitted = sackPermitted;
        c.sackBlocks = sackBlocks.length == 0 ? NO_SACK : sackBlocks.clone();
        c.hasTimestamps = hasTimestamps;
        c.tsVal = tsVal;
        c.tsEcr = tsEcr;
        c.iface = iface;
        c.tunnel = tunnel;
        return c;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Source address in text form ("10.0.0.1", "fe80::1"). */
    public String srcHost() {
        return host(srcAddr);
    }

    public String dstHost() {
        return host(dstAddr);
    }

    static String host(byte[] addr) {
        return addr == null ? "" : Addresses.format(addr);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Segment)) {
            return false;
        }
        Segment s = (Segment) o;
        return tsNanos == s.tsNanos && ipVersion == s.ipVersion && srcPort == s.srcPort
                && dstPort == s.dstPort && seq == s.seq && ack == s.ack && flags == s.flags
                && window == s.window && windowScale == s.windowScale && payloadLen == s.payloadLen
                && ttl == s.ttl && ipId == s.ipId && mss == s.mss && sackPermitted == s.sackPermitted
                && hasTimestamps == s.hasTimestamps && tsVal == s.tsVal && tsEcr == s.tsEcr
                && java.util.Objects.equals(observer, s.observer)
                && java.util.Objects.equals(iface, s.iface)
                && java.util.Objects.equals(tunnel, s.tunnel)
                && Arrays.equals(srcAddr, s.srcAddr) && Arrays.equals(dstAddr, s.dstAddr)
                && Arrays.equals(sackBlocks, s.sackBlocks);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(tsNanos) * 31 + Long.hashCode(seq) * 17 + srcPort * 7 + dstPort;
    }

    @Override
    public String toString() {
        return tsNanos + " " + srcHost() + ":" + srcPort + " > " + dstHost() + ":" + dstPort
                + " [" + TcpFlags.describe(flags) + "] seq=" + seq + " ack=" + ack + " win=" + window
                + " len=" + payloadLen + (tunnel == null ? "" : " tunnel=" + tunnel);
    }
}

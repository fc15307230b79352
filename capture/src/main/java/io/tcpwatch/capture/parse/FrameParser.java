package io.tcpwatch.capture.parse;

import io.tcpwatch.schema.Segment;

/**
 * Reads the headers of one captured frame — link layer, encapsulations ({@link Decapsulator}),
 * IPv4/IPv6, TCP and its options — straight from the capture buffer into a reused
 * {@link Segment}. No objects per frame, no exceptions on the hot path: a frame is either a
 * segment or one {@link SkipReason}, counted in {@link #counters()}. Frames with a Linux cooked v2
 * header ({@code any}) also pass {@link InterfaceCopies}, which remembers recent segments to count
 * a packet seen on several interfaces once.
 *
 * <p>Payload bytes are never read: {@code payload_len} comes from the IP header lengths.
 *
 * <p>Not thread-safe: one parser per capture thread. The returned segment and its arrays are
 * overwritten by the next call.
 */
public final class FrameParser {

    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_AH = 51;
    private static final int IPV6_DEST_OPTS = 60;
    private static final int IPV6_MOBILITY = 135;
    private static final int IPV6_HIP = 139;
    private static final int IPV6_SHIM6 = 140;
    private static final int MAX_IPV6_EXT_HEADERS = 8;

    private static final int OPT_EOL = 0;
    private static final int OPT_NOP = 1;
    private static final int OPT_MSS = 2;
    private static final int OPT_WSCALE = 3;
    private static final int OPT_SACK_PERMITTED = 4;
    private static final int OPT_SACK = 5;
    private static final int OPT_TIMESTAMP = 8;

    private final ParseCounters counters = new ParseCounters();
    private final Decapsulator decap;
    private final InterfaceCopies copies = new InterfaceCopies();
    private final Segment segment = new Segment();
    private final byte[] src4 = new byte[4];
    private final byte[] dst4 = new byte[4];
    private final byte[] src6 = new byte[16];
    private final byte[] dst6 = new byte[16];
    private final long[][] sackByEdges = {new long[0], new long[2], new long[4], new long[6], new long[8]};

    private String observer;
    private String iface;

    public FrameParser(String observer) {
        this(observer, TunnelPorts.DEFAULTS);
    }

    /** A parser that looks for VXLAN, Geneve, GTP-U, Teredo and AYIYA on {@code tunnelPorts}. */
    public FrameParser(String observer, TunnelPorts tunnelPorts) {
        this.observer = observer;
        this.decap = new Decapsulator(tunnelPorts);
    }

    public ParseCounters counters() {
        return counters;
    }

    /** The interface name stamped on following segments (null when unknown). */
    public void setInterface(String iface) {
        this.iface = iface;
    }

    /**
     * Parses one frame.
     *
     * @param linkType the capture's link-layer type ({@link LinkType})
     * @param tsNanos capture timestamp, ns since the epoch
     * @param frame buffer holding the captured bytes at {@code [off, off + capLen)}
     * @return the segment (reused: valid until the next call), or null when the frame was skipped
     */
    public Segment parse(int linkType, long tsNanos, byte[] frame, int off, int capLen) {
        decap.reset(frame, off + capLen);
        Segment s = decap.link(linkType, off) ? ip(tsNanos, frame, decap.pos, off + capLen) : skip(decap.skip);
        if (s == null) {
            return null;
        }
        if (decap.interfaceIndex >= 0 && copies.isCopy(decap.interfaceIndex, s)) {
            return skip(SkipReason.COPY_ON_ANOTHER_INTERFACE);
        }
        counters.segment();
        return s;
    }

    /** The IP packet the decapsulator found (the innermost so far). */
    private Segment ip(long tsNanos, byte[] b, int p, int end) {
        return decap.ipVersion == 4 ? ipv4(tsNanos, b, p, end) : ipv6(tsNanos, b, p, end);
    }

    /** A protocol other than TCP: a tunnel to look into, or not TCP. */
    private Segment notTcp(long tsNanos, byte[] b, int protocol, int p, int ipEnd, int end, boolean moreFragments) {
        if (!Decapsulator.mayTunnel(protocol)) {
            return skip(SkipReason.NOT_TCP);
        }
        return decap.ipPayload(protocol, p, ipEnd, moreFragments) ? ip(tsNanos, b, decap.pos, Math.min(end, ipEnd))
                : skip(decap.skip);
    }

    private Segment ipv4(long tsNanos, byte[] b, int p, int end) {
        if (end - p < 20) {
            return skip(SkipReason.TRUNCATED_IP);
        }
        int vihl = b[p] & 0xFF;
        int ihl = (vihl & 0x0F) * 4;
        int totalLength = u16(b, p + 2);
        if ((vihl >>> 4) != 4 || ihl < 20 || totalLength < ihl) {
            return skip(SkipReason.BAD_IP_HEADER);
        }
        if (end - p < ihl) {
            return skip(SkipReason.TRUNCATED_IP);
        }
        int fragment = u16(b, p + 6);
        int protocol = b[p + 9] & 0xFF;
        if (protocol != PROTO_TCP && (fragment & 0x1FFF) == 0) {
            return notTcp(tsNanos, b, protocol, p + ihl, p + totalLength, end, (fragment & 0x2000) != 0);
        }
        if (protocol != PROTO_TCP) { // a later fragment: of a tunnel when the protocol says so
            boolean tunnel = Decapsulator.mayTunnel(protocol) && protocol != PROTO_UDP; // UDP's ports are in the first
            return skip(tunnel ? SkipReason.TUNNEL_FRAGMENT : SkipReason.NOT_TCP);
        }
        if ((fragment & 0x1FFF) != 0) {
            return skip(SkipReason.IP_FRAGMENT);
        }
        Segment s = segment;
        s.ipVersion = 4;
        s.ttl = b[p + 8] & 0xFF;
        s.ipId = u16(b, p + 4);
        System.arraycopy(b, p + 12, src4, 0, 4);
        System.arraycopy(b, p + 16, dst4, 0, 4);
        s.srcAddr = src4;
        s.dstAddr = dst4;
        return tcp(tsNanos, b, p + ihl, end, totalLength - ihl);
    }

    private Segment ipv6(long tsNanos, byte[] b, int p, int end) {
        if (end - p < 40) {
            return skip(SkipReason.TRUNCATED_IP);
        }
        if (((b[p] & 0xF0) >>> 4) != 6) {
            return skip(SkipReason.BAD_IP_HEADER);
        }
        int remaining = u16(b, p + 4); // payload length: extension headers + upper layer
        if (remaining == 0) {
            return skip(SkipReason.BAD_IP_HEADER); // jumbogram or bogus: no usable length
        }
        int next = b[p + 6] & 0xFF;
        int ipEnd = p + 40 + remaining;
        boolean moreFragments = false;
        Segment s = segment;
        s.ipVersion = 6;
        s.ttl = b[p + 7] & 0xFF;
        s.ipId = Segment.ABSENT;
        System.arraycopy(b, p + 8, src6, 0, 16);
        System.arraycopy(b, p + 24, dst6, 0, 16);
        s.srcAddr = src6;
        s.dstAddr = dst6;
        p += 40;
        for (int i = 0; next != PROTO_TCP; i++) {
            if (i == MAX_IPV6_EXT_HEADERS) {
                return skip(SkipReason.BAD_IP_HEADER);
            }
            int len;
            switch (next) {
                case IPV6_HOP_BY_HOP: case IPV6_ROUTING: case IPV6_DEST_OPTS:
                case IPV6_MOBILITY: case IPV6_HIP: case IPV6_SHIM6:
                    if (end - p < 2) {
                        return skip(SkipReason.TRUNCATED_IP);
                    }
                    len = ((b[p + 1] & 0xFF) + 1) * 8;
                    break;
                case IPV6_AH:
                    if (end - p < 2) {
                        return skip(SkipReason.TRUNCATED_IP);
                    }
                    len = ((b[p + 1] & 0xFF) + 2) * 4;
                    break;
                case IPV6_FRAGMENT:
                    if (end - p < 8) {
                        return skip(SkipReason.TRUNCATED_IP);
                    }
                    if ((u16(b, p + 2) & 0xFFF8) != 0) {
                        return skip(SkipReason.IP_FRAGMENT);
                    }
                    moreFragments = (b[p + 3] & 0x01) != 0;
                    len = 8;
                    break;
                default: // a tunnel (IPv4/IPv6 in IPv6, GRE, UDP) or not TCP (ICMPv6, ESP, No Next Header …)
                    return notTcp(tsNanos, b, next, p, ipEnd, end, moreFragments);
            }
            if (len > remaining) {
                return skip(SkipReason.BAD_IP_HEADER);
            }
            if (end - p < len) {
                return skip(SkipReason.TRUNCATED_IP);
            }
            next = b[p] & 0xFF;
            p += len;
            remaining -= len;
        }
        return tcp(tsNanos, b, p, end, remaining);
    }

    /** @param ipPayload bytes of TCP header + payload according to the IP header */
    private Segment tcp(long tsNanos, byte[] b, int p, int end, int ipPayload) {
        if (end - p < 20) {
            return skip(SkipReason.TRUNCATED_TCP);
        }
        int offsetFlags = u16(b, p + 12);
        int headerLength = (offsetFlags >>> 12) * 4;
        if (headerLength < 20 || headerLength > ipPayload) {
            return skip(SkipReason.BAD_TCP_HEADER);
        }
        Segment s = segment;
        s.observer = observer;
        s.iface = iface;
        s.tunnel = decap.tunnel();
        s.tsNanos = tsNanos;
        s.srcPort = u16(b, p);
        s.dstPort = u16(b, p + 2);
        s.seq = u32(b, p + 4);
        s.ack = u32(b, p + 8);
        s.flags = offsetFlags & 0x1FF;
        s.window = u16(b, p + 14);
        s.payloadLen = ipPayload - headerLength;
        s.windowScale = Segment.ABSENT;
        s.mss = Segment.ABSENT;
        s.sackPermitted = false;
        s.sackBlocks = sackByEdges[0];
        s.hasTimestamps = false;
        s.tsVal = 0;
        s.tsEcr = 0;
        if (headerLength > 20) {
            options(b, p + 20, Math.min(p + headerLength, end), end < p + headerLength);
        }
        return s;
    }

    /** Reads options in {@code [p, end)}; {@code cut} when the snap length cut them short. */
    private void options(byte[] b, int p, int end, boolean cut) {
        Segment s = segment;
        boolean incomplete = cut;
        while (p < end) {
            int kind = b[p] & 0xFF;
            if (kind == OPT_EOL) {
                break;
            }
            if (kind == OPT_NOP) {
                p++;
                continue;
            }
            if (end - p < 2) {
                incomplete = true;
                break;
            }
            int len = b[p + 1] & 0xFF;
            if (len < 2) {
                incomplete = true; // malformed: cannot step over it
                break;
            }
            if (end - p < len) {
                incomplete = true;
                break;
            }
            switch (kind) {
                case OPT_MSS:
                    if (len == 4) {
                        s.mss = u16(b, p + 2);
                    } else {
                        incomplete = true;
                    }
                    break;
                case OPT_WSCALE:
                    if (len == 3) {
                        s.windowScale = b[p + 2] & 0xFF;
                    } else {
                        incomplete = true;
                    }
                    break;
                case OPT_SACK_PERMITTED:
                    s.sackPermitted = true;
                    break;
                case OPT_SACK: {
                    int blocks = (len - 2) / 8;
                    if ((len - 2) % 8 != 0 || blocks > 4) {
                        incomplete = true;
                        blocks = Math.min(blocks, 4);
                    }
                    long[] edges = sackByEdges[blocks];
                    for (int i = 0; i < blocks * 2; i++) {
                        edges[i] = u32(b, p + 2 + 4 * i);
                    }
                    s.sackBlocks = edges;
                    break;
                }
                case OPT_TIMESTAMP:
                    if (len == 10) {
                        s.hasTimestamps = true;
                        s.tsVal = u32(b, p + 2);
                        s.tsEcr = u32(b, p + 6);
                    } else {
                        incomplete = true;
                    }
                    break;
                default:
                    break; // other options (TFO, MPTCP, MD5 …) are stepped over
            }
            p += len;
        }
        if (incomplete) {
            counters.optionIncomplete();
        }
    }

    private Segment skip(SkipReason reason) {
        counters.skip(reason);
        return null;
    }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    static long u32(byte[] b, int p) {
        return ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }
}

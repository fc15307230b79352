package io.tcpwatch.capture.parse;

/**
 * Finds the next IP header of a frame through link layers, tags, labels and tunnels:
 *
 * <pre>
 *   link layer ─▶ Ethernet ─▶ 802.1Q/QinQ · VN-Tag · E-Tag · FabricPath · PBB (I-SID)
 *                     │        MPLS (label stack; IP or pseudowire Ethernet) · PPPoE session
 *                     ▼
 *                  IPv4/IPv6 ─▶ IP-in-IP · 6in4 · 4in6 · 6in6
 *                     │         GRE (key; PPTP; Ethernet bridging; ERSPAN I/II/III; MPLS)
 *                     │         UDP: VXLAN (VNI) · Geneve (VNI, options) · GTP-U (TEID, extensions)
 *                     ▼              Teredo (origin, authentication) · AYIYA
 *                    TCP
 * </pre>
 *
 * Each call leaves the next IP header's version in {@link #ipVersion} and offset in {@link #pos},
 * or returns false with the {@link #skip} reason. The tenant identities met on the way (VXLAN and
 * Geneve VNI, GRE key, PBB I-SID: the same in both directions) make up {@link #tunnel()}; GTP-U
 * TEIDs and PPTP call ids are chosen by each receiving end, so they differ per direction and
 * would split a connection in two: not part of it. At most
 * {@link #MAX_LAYERS} layers per frame, so no frame loops. No objects per frame.
 */
final class Decapsulator {

    static final int MAX_LAYERS = 16;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int ETHERTYPE_MPLS = 0x8847;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    private static final int ETHERTYPE_PBB = 0x88E7;
    private static final int ETHERTYPE_VNTAG = 0x8926;
    private static final int ETHERTYPE_ETAG = 0x893F;
    private static final int ETHERTYPE_FABRICPATH = 0x8903;
    private static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
    private static final int ETHERTYPE_TEB = 0x6558;
    private static final int ETHERTYPE_ERSPAN_2 = 0x88BE;
    private static final int ETHERTYPE_ERSPAN_3 = 0x22EB;
    private static final int ETHERTYPE_PPP = 0x880B;

    private static final int PROTO_IPIP = 4;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_IPV6 = 41;
    private static final int PROTO_GRE = 47;

    /** Tenant identities, in the order of {@link #tunnel()}'s prefixes. */
    private static final int PBB = 0;
    private static final int GRE = 1;
    private static final int VXLAN = 2;
    private static final int GENEVE = 3;
    private static final String[] PREFIX = {"pbb:", "gre:", "vxlan:", "geneve:"};

    private final TunnelPorts ports;

    /** After a successful call: the next IP header's version (4 or 6) and offset. */
    int ipVersion;
    int pos;
    /** After a failed call: why. */
    SkipReason skip;
    /** The interface index a Linux cooked v2 header named, or -1. */
    int interfaceIndex;

    private byte[] b;
    private int end;
    private int layers;
    private final int[] idKind = new int[MAX_LAYERS];
    private final long[] idValue = new long[MAX_LAYERS];
    private int ids;
    private final int[] lastKind = new int[MAX_LAYERS];
    private final long[] lastValue = new long[MAX_LAYERS];
    private int lastIds;
    private String lastTunnel;

    Decapsulator(TunnelPorts ports) {
        this.ports = ports;
    }

    /** Starts a frame. */
    void reset(byte[] frame, int frameEnd) {
        b = frame;
        end = frameEnd;
        layers = 0;
        ids = 0;
        interfaceIndex = -1;
    }

    /** The tenant identities met so far ("vxlan:5001", "gre:7/vxlan:5001"), null when none; cached. */
    String tunnel() {
        if (ids == 0) {
            return null;
        }
        if (ids == lastIds && java.util.Arrays.equals(idKind, 0, ids, lastKind, 0, ids)
                && java.util.Arrays.equals(idValue, 0, ids, lastValue, 0, ids)) {
            return lastTunnel;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids; i++) {
            sb.append(i == 0 ? "" : "/").append(PREFIX[idKind[i]]).append(idValue[i]);
        }
        System.arraycopy(idKind, 0, lastKind, 0, ids);
        System.arraycopy(idValue, 0, lastValue, 0, ids);
        lastIds = ids;
        lastTunnel = sb.toString();
        return lastTunnel;
    }

    // ---- link layer -------------------------------------------------------------------------

    /** The first IP header of a frame of {@code linkType} starting at {@code off}. */
    boolean link(int linkType, int off) {
        int capLen = end - off;
        switch (linkType) {
            case LinkType.ETHERNET:
                return ethernet(off);
            case LinkType.LINUX_SLL:
                return capLen < 16 ? fail(SkipReason.TRUNCATED_LINK) : ethertype(u16(off + 14), off + 16);
            case LinkType.LINUX_SLL2:
                if (capLen < 20) {
                    return fail(SkipReason.TRUNCATED_LINK);
                }
                interfaceIndex = (int) u32(off + 4);
                return ethertype(u16(off), off + 20);
            case LinkType.NULL:
            case LinkType.LOOP: {
                if (capLen < 4) {
                    return fail(SkipReason.TRUNCATED_LINK);
                }
                // DLT_NULL stores the family in the capturing host's byte order: accept either.
                int be = (int) u32(off);
                int family = linkType == LinkType.LOOP || (be & 0xFFFF) != 0 ? be : Integer.reverseBytes(be);
                return ip(ipVersionOfAddressFamily(family), off + 4);
            }
            case LinkType.RAW:
            case LinkType.DLT_RAW:
            case LinkType.DLT_RAW_OPENBSD:
                return capLen < 1 ? fail(SkipReason.TRUNCATED_LINK) : ip((b[off] & 0xF0) >>> 4, off);
            case LinkType.IPV4:
                return ip(4, off);
            case LinkType.IPV6:
                return ip(6, off);
            default:
                return fail(SkipReason.UNSUPPORTED_LINK_TYPE);
        }
    }

    private boolean ethernet(int p) {
        if (end - p < 14) {
            return fail(layers == 0 ? SkipReason.TRUNCATED_LINK : SkipReason.TRUNCATED_TUNNEL);
        }
        return ethertype(u16(p + 12), p + 14);
    }

    /** What follows an EtherType field (Ethernet, SLL, GRE's and Geneve's protocol type). */
    private boolean ethertype(int type, int p) {
        while (true) {
            if (++layers > MAX_LAYERS) {
                return fail(SkipReason.TOO_MANY_LAYERS);
            }
            switch (type) {
                case ETHERTYPE_IPV4:
                    return ip(4, p);
                case ETHERTYPE_IPV6:
                    return ip(6, p);
                case ETHERTYPE_VLAN: case ETHERTYPE_QINQ: case ETHERTYPE_QINQ_OLD: // TCI, type
                    if (end - p < 4) {
                        return fail(SkipReason.TRUNCATED_LINK);
                    }
                    type = u16(p + 2);
                    p += 4;
                    break;
                case ETHERTYPE_VNTAG: // 4-byte tag, type
                    if (end - p < 6) {
                        return fail(SkipReason.TRUNCATED_LINK);
                    }
                    type = u16(p + 4);
                    p += 6;
                    break;
                case ETHERTYPE_ETAG: // 802.1BR: 6-byte tag, type
                    if (end - p < 8) {
                        return fail(SkipReason.TRUNCATED_LINK);
                    }
                    type = u16(p + 6);
                    p += 8;
                    break;
                case ETHERTYPE_FABRICPATH: // FTag and TTL, then the classical Ethernet frame
                    return ethernet(p + 2);
                case ETHERTYPE_PBB: { // 802.1ah I-TAG: flags and the 24-bit I-SID, then customer Ethernet
                    if (end - p < 4) {
                        return fail(SkipReason.TRUNCATED_TUNNEL);
                    }
                    id(PBB, u32(p) & 0xFFFFFF);
                    return ethernet(p + 4);
                }
                case ETHERTYPE_MPLS: case ETHERTYPE_MPLS_MULTICAST:
                    return mpls(p);
                case ETHERTYPE_PPPOE_SESSION: // ver/type, code, session, length, then PPP
                    if (end - p < 8) {
                        return fail(SkipReason.TRUNCATED_TUNNEL);
                    }
                    return ppp(u16(p + 6), p + 8);
                case ETHERTYPE_TEB:
                    return ethernet(p);
                default:
                    return fail(SkipReason.NOT_IP);
            }
        }
    }

    /** A label stack up to the bottom-of-stack bit, then IP by its version or a pseudowire's Ethernet. */
    private boolean mpls(int p) {
        boolean bottom = false;
        while (!bottom) {
            if (end - p < 4) {
                return fail(SkipReason.TRUNCATED_TUNNEL);
            }
            if (++layers > MAX_LAYERS) {
                return fail(SkipReason.TOO_MANY_LAYERS);
            }
            bottom = (b[p + 2] & 0x01) != 0;
            p += 4;
        }
        if (end - p < 1) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        int nibble = (b[p] & 0xF0) >>> 4;
        if (nibble == 0) { // pseudowire control word, then the customer's Ethernet frame
            return ethernet(p + 4);
        }
        return ip(nibble, p);
    }

    private boolean ppp(int protocol, int p) {
        return protocol == 0x0021 ? ip(4, p) : protocol == 0x0057 ? ip(6, p) : fail(SkipReason.NOT_IP);
    }

    private boolean ip(int version, int p) {
        if (version != 4 && version != 6) {
            return fail(SkipReason.NOT_IP);
        }
        ipVersion = version;
        pos = p;
        return true;
    }

    // ---- inside IP ----------------------------------------------------------------------------

    /** True when IP protocol {@code protocol} may carry a tunnel (the rest of UDP is NOT_TCP). */
    static boolean mayTunnel(int protocol) {
        return protocol == PROTO_IPIP || protocol == PROTO_IPV6 || protocol == PROTO_GRE || protocol == PROTO_UDP;
    }

    /**
     * The IP header inside an IP payload of {@code protocol} at {@code p}, up to {@code ipEnd}
     * (the outer IP length, so Ethernet padding is not read as tunnel bytes). An outer packet that
     * is a first fragment of a tunnel is {@link SkipReason#TUNNEL_FRAGMENT}: its inner packet is cut.
     */
    boolean ipPayload(int protocol, int p, int ipEnd, boolean moreFragments) {
        end = Math.min(end, ipEnd);
        if (++layers > MAX_LAYERS) {
            return fail(SkipReason.TOO_MANY_LAYERS);
        }
        switch (protocol) {
            case PROTO_IPIP:
                return moreFragments ? fail(SkipReason.TUNNEL_FRAGMENT) : ip(4, p);
            case PROTO_IPV6:
                return moreFragments ? fail(SkipReason.TUNNEL_FRAGMENT) : ip(6, p);
            case PROTO_GRE:
                return moreFragments ? fail(SkipReason.TUNNEL_FRAGMENT) : gre(p);
            case PROTO_UDP:
                return udp(p, moreFragments);
            default:
                return fail(SkipReason.NOT_TCP);
        }
    }

    private boolean gre(int p) {
        if (end - p < 4) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        int flags = u16(p);
        int protocol = u16(p + 2);
        int version = flags & 0x07;
        boolean checksum = (flags & 0x8000) != 0;
        boolean routing = (flags & 0x4000) != 0;
        boolean key = (flags & 0x2000) != 0;
        boolean sequence = (flags & 0x1000) != 0;
        int len = 4;
        int keyAt = -1;
        if (version == 0 && !routing) { // RFC 2784/2890
            len += checksum ? 4 : 0;
            keyAt = key ? p + len : -1;
            len += (key ? 4 : 0) + (sequence ? 4 : 0);
        } else if (version == 1 && key && protocol == ETHERTYPE_PPP) { // PPTP (RFC 2637): payload length, call id
            len += 4 + (sequence ? 4 : 0) + ((flags & 0x0080) != 0 ? 4 : 0);
        } else {
            return fail(SkipReason.BAD_TUNNEL_HEADER);
        }
        if (end - p < len) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        if (keyAt >= 0) {
            id(GRE, u32(keyAt));
        }
        p += len;
        switch (protocol) {
            case ETHERTYPE_ERSPAN_2: // type I without a sequence number and header, type II with an 8-byte header
                return ethernet(sequence ? p + 8 : p);
            case ETHERTYPE_ERSPAN_3: { // 12-byte header, 8 more with the platform sub-header (O bit)
                if (end - p < 12) {
                    return fail(SkipReason.TRUNCATED_TUNNEL);
                }
                return ethernet(p + 12 + ((b[p + 11] & 0x01) != 0 ? 8 : 0));
            }
            case ETHERTYPE_PPP:
                return pppInHdlc(p);
            default:
                return ethertype(protocol, p);
        }
    }

    /** PPP in HDLC-like framing (PPTP): optional address/control, then a 1- or 2-byte protocol. */
    private boolean pppInHdlc(int p) {
        if (end - p >= 2 && (b[p] & 0xFF) == 0xFF && b[p + 1] == 0x03) {
            p += 2;
        }
        if (end - p < 1) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        if ((b[p] & 0x01) != 0) { // protocol field compressed to one byte
            return ppp(b[p] & 0xFF, p + 1);
        }
        return end - p < 2 ? fail(SkipReason.TRUNCATED_TUNNEL) : ppp(u16(p), p + 2);
    }

    private boolean udp(int p, boolean moreFragments) {
        if (end - p < 8) {
            return fail(SkipReason.NOT_TCP); // a UDP header cut short is no tunnel we know
        }
        int src = u16(p);
        int dst = u16(p + 2);
        boolean vxlan = TunnelPorts.contains(ports.vxlan(), dst);
        boolean geneve = TunnelPorts.contains(ports.geneve(), dst);
        boolean gtpu = TunnelPorts.contains(ports.gtpu(), dst) || TunnelPorts.contains(ports.gtpu(), src);
        boolean teredo = TunnelPorts.contains(ports.teredo(), dst) || TunnelPorts.contains(ports.teredo(), src);
        boolean ayiya = TunnelPorts.contains(ports.ayiya(), dst) || TunnelPorts.contains(ports.ayiya(), src);
        if (!(vxlan || geneve || gtpu || teredo || ayiya)) {
            // a Teredo client talks to its relay on ports of their choosing: recognised by its content
            teredo = teredoAddressed(p + 8, Math.min(end, p + u16(p + 4)));
        }
        if (!(vxlan || geneve || gtpu || teredo || ayiya)) {
            return fail(SkipReason.NOT_TCP);
        }
        if (moreFragments) {
            return fail(SkipReason.TUNNEL_FRAGMENT);
        }
        p += 8;
        return vxlan ? vxlan(p) : geneve ? geneve(p) : gtpu ? gtpu(p) : teredo ? teredo(p) : ayiya(p);
    }

    private boolean vxlan(int p) {
        if (end - p < 8) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        if ((b[p] & 0x08) == 0) { // the VNI-valid flag
            return fail(SkipReason.BAD_TUNNEL_HEADER);
        }
        id(VXLAN, u32(p + 4) >>> 8);
        return ethernet(p + 8);
    }

    private boolean geneve(int p) {
        if (end - p < 8) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        if ((b[p] & 0xC0) != 0) {
            return fail(SkipReason.BAD_TUNNEL_HEADER); // version 0 only
        }
        int len = 8 + (b[p] & 0x3F) * 4;
        if (end - p < len) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        id(GENEVE, u32(p + 4) >>> 8);
        return ethertype(u16(p + 2), p + len);
    }

    private boolean gtpu(int p) {
        if (end - p < 8) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        int flags = b[p] & 0xFF;
        if ((flags >>> 5) != 1 || (flags & 0x10) == 0) { // GTPv1, protocol type GTP
            return fail(SkipReason.BAD_TUNNEL_HEADER);
        }
        if ((b[p + 1] & 0xFF) != 0xFF) {
            return fail(SkipReason.NOT_IP); // signalling (echo, error indication …), not a user packet
        }
        int len = 8;
        if ((flags & 0x07) != 0) { // sequence number, N-PDU number, next extension header type
            if (end - p < 12) {
                return fail(SkipReason.TRUNCATED_TUNNEL);
            }
            len = 12;
            int next = b[p + 11] & 0xFF;
            while (next != 0) { // each extension: length in 4-byte units, …, next type in its last byte
                if (end - p < len + 1) {
                    return fail(SkipReason.TRUNCATED_TUNNEL);
                }
                int extLen = (b[p + len] & 0xFF) * 4;
                if (extLen == 0) {
                    return fail(SkipReason.BAD_TUNNEL_HEADER);
                }
                if (end - p < len + extLen) {
                    return fail(SkipReason.TRUNCATED_TUNNEL);
                }
                next = b[p + len + extLen - 1] & 0xFF;
                len += extLen;
            }
        }
        if (end - p < len + 1) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        return ip((b[p + len] & 0xF0) >>> 4, p + len);
    }

    /** RFC 4380: optional authentication and origin indication, then IPv6. */
    private boolean teredo(int p) {
        if (end - p >= 4 && u16(p) == 0x0001) {
            p += 4 + (b[p + 2] & 0xFF) + (b[p + 3] & 0xFF) + 8 + 1; // ids, nonce, confirmation
        }
        if (end - p >= 2 && u16(p) == 0x0000) {
            p += 8;
        }
        if (end - p < 1) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        return ((b[p] & 0xF0) >>> 4) == 6 ? ip(6, p) : fail(SkipReason.NOT_IP);
    }

    /**
     * True when a UDP payload in {@code [p, udpEnd)} is, after Teredo's optional headers, exactly one
     * IPv6 packet (its length fills the datagram) with a Teredo address (2001:0::/32) at one end.
     */
    private boolean teredoAddressed(int p, int udpEnd) {
        if (udpEnd - p >= 2 && u16(p) == 0x0000) {
            p += 8; // origin indication
        }
        if (udpEnd - p < 40 || ((b[p] & 0xF0) >>> 4) != 6 || 40 + u16(p + 4) != udpEnd - p) {
            return false;
        }
        return u32(p + 8) == 0x20010000L || u32(p + 24) == 0x20010000L;
    }

    /** Anything In Anything: identity and signature lengths from the header, opcode 1 = forward. */
    private boolean ayiya(int p) {
        if (end - p < 8) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        int len = 8 + (1 << ((b[p] & 0xF0) >>> 4)) + ((b[p + 1] & 0xF0) >>> 4) * 4;
        int opcode = b[p + 2] & 0x0F;
        int next = b[p + 3] & 0xFF;
        if (end - p < len) {
            return fail(SkipReason.TRUNCATED_TUNNEL);
        }
        if (opcode != 1) {
            return fail(SkipReason.NOT_IP); // heartbeats and queries
        }
        return next == PROTO_IPV6 ? ip(6, p + len) : next == PROTO_IPIP ? ip(4, p + len) : fail(SkipReason.NOT_IP);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void id(int kind, long value) {
        if (ids < MAX_LAYERS) {
            idKind[ids] = kind;
            idValue[ids] = value;
            ids++;
        }
    }

    private boolean fail(SkipReason reason) {
        skip = reason;
        return false;
    }

    /** AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
    private static int ipVersionOfAddressFamily(int family) {
        switch (family) {
            case 2: return 4;
            case 10: case 24: case 28: case 30: return 6;
            default: return 0;
        }
    }

    private int u16(int p) {
        return FrameParser.u16(b, p);
    }

    private long u32(int p) {
        return FrameParser.u32(b, p);
    }
}

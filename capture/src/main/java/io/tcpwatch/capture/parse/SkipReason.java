package io.tcpwatch.capture.parse;

/**
 * Why a captured frame produced no segment. Every frame is either a segment or exactly one of
 * these, so {@code frames = segments + Σ skipped}. Names are stable: they appear in agent stats.
 */
public enum SkipReason {
    /** The capture's link-layer type is not one the parser reads. */
    UNSUPPORTED_LINK_TYPE,
    /** Not IPv4/IPv6 (ARP, LLDP, 802.3 LLC …). */
    NOT_IP,
    /** IP, but not TCP (UDP, ICMP, ESP …). */
    NOT_TCP,
    /** A non-first IP fragment: it carries no TCP header. */
    IP_FRAGMENT,
    /** The frame ends inside the link-layer header. */
    TRUNCATED_LINK,
    /** The frame ends inside the IP header or its extension headers. */
    TRUNCATED_IP,
    /** The frame ends inside the fixed 20-byte TCP header. */
    TRUNCATED_TCP,
    /** An IP header that cannot be right (version, header length, total length). */
    BAD_IP_HEADER,
    /** A TCP data offset below 5 words or beyond the IP payload. */
    BAD_TCP_HEADER,
    /** The frame ends inside an encapsulation header (MPLS, PPPoE, GRE, VXLAN, Geneve, GTP-U …). */
    TRUNCATED_TUNNEL,
    /** An encapsulation header that cannot be right (GRE version or routing, VXLAN without a VNI …). */
    BAD_TUNNEL_HEADER,
    /** The first fragment of a tunnel packet: the inner packet is cut (fragments are not reassembled). */
    TUNNEL_FRAGMENT,
    /** More than {@code Decapsulator.MAX_LAYERS} tags, labels and tunnels: not followed further. */
    TOO_MANY_LAYERS,
    /**
     * The same segment, already kept from another interface of this host (a capture on {@code any}:
     * a forwarded or bridged packet crosses several interfaces), or its copy on the other side of
     * a NAT ({@code InterfaceCopies}).
     */
    COPY_ON_ANOTHER_INTERFACE
}

package io.tcpwatch.capture.parse;

/**
 * Link-layer header types the parser reads, by their tcpdump.org LINKTYPE_ values (what capture
 * files store) and the DLT_ values some platforms hand out for the same thing (what a live
 * libpcap handle reports).
 */
public final class LinkType {
    /** BSD loopback: 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    /** Ethernet II, with 802.1Q / 802.1ad (QinQ) tags. */
    public static final int ETHERNET = 1;
    /** DLT_RAW on most platforms. */
    public static final int DLT_RAW = 12;
    /** DLT_RAW on OpenBSD. */
    public static final int DLT_RAW_OPENBSD = 14;
    /** Raw IPv4 or IPv6, version from the first nibble. */
    public static final int RAW = 101;
    /** OpenBSD loopback: 4-byte address family in network byte order. */
    public static final int LOOP = 108;
    /** Linux "cooked" capture v1 (any interface). */
    public static final int LINUX_SLL = 113;
    public static final int IPV4 = 228;
    public static final int IPV6 = 229;
    /** Linux "cooked" capture v2. */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {}

    public static boolean isSupported(int linkType) {
        switch (linkType) {
            case NULL: case ETHERNET: case DLT_RAW: case DLT_RAW_OPENBSD: case RAW: case LOOP:
            case LINUX_SLL: case IPV4: case IPV6: case LINUX_SLL2:
                return true;
            default:
                return false;
        }
    }

    public static String name(int linkType) {
        switch (linkType) {
            case NULL: return "NULL";
            case ETHERNET: return "EN10MB";
            case DLT_RAW: case DLT_RAW_OPENBSD: case RAW: return "RAW";
            case LOOP: return "LOOP";
            case LINUX_SLL: return "LINUX_SLL";
            case IPV4: return "IPV4";
            case IPV6: return "IPV6";
            case LINUX_SLL2: return "LINUX_SLL2";
            default: return "LINKTYPE_" + linkType;
        }
    }
}

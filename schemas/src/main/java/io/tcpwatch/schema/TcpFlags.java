package io.tcpwatch.schema;

/** TCP flag bits as they sit in the header (RFC 9293, RFC 3168, RFC 3540). */
public final class TcpFlags {
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** Accurate-ECN / former nonce-sum bit. */
    public static final int AE = 0x100;

    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};

    private TcpFlags() {}

    /** Flag names in Wireshark's order of bits, comma separated: {@code "SYN,ACK"}; "" when none. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder(16);
        // Wireshark lists SYN before ACK, FIN before ACK: low bit first reads naturally.
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(NAMES[bit]);
            }
        }
        return sb.toString();
    }

    /** Inverse of {@link #describe}; throws IllegalArgumentException on an unknown name. */
    public static int parse(String names) {
        int flags = 0;
        if (names.isEmpty()) {
            return 0;
        }
        outer:
        for (String n : names.split(",")) {
            for (int bit = 0; bit < NAMES.length; bit++) {
                if (NAMES[bit].equalsIgnoreCase(n.trim())) {
                    flags |= 1 << bit;
                    continue outer;
                }
            }
            throw new IllegalArgumentException("unknown TCP flag '" + n + "'");
        }
        return flags;
    }
}

package io.tcpwatch.schema;

/** IP addresses in the text form Wireshark and {@code ip} print: dotted quad, RFC 5952 for IPv6. */
public final class Addresses {

    private Addresses() {}

    public static String format(byte[] addr) {
        StringBuilder sb = new StringBuilder(addr.length == 4 ? 15 : 39);
        append(sb, addr);
        return sb.toString();
    }

    /** Appends {@code addr} (4 or 16 bytes) to {@code sb}. */
    public static void append(StringBuilder sb, byte[] addr) {
        if (addr.length == 4) {
            sb.append(addr[0] & 0xFF).append('.').append(addr[1] & 0xFF).append('.')
                    .append(addr[2] & 0xFF).append('.').append(addr[3] & 0xFF);
            return;
        }
        if (addr.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + addr.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((addr[2 * i] & 0xFF) << 8) | (addr[2 * i + 1] & 0xFF);
        }
        // RFC 5952: the longest run of two or more zero groups (the first if tied) becomes "::"
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
    }
}

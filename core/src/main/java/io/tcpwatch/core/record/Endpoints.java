package io.tcpwatch.core.record;

import io.tcpwatch.schema.Addresses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** How records name endpoints ({@code 10.0.0.1:443}, {@code [2001:db8::1]:443}), their Wireshark filters, and record ids. */
public final class Endpoints {

    /** The digest behind record ids, one per thread. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Endpoints() {}

    public static String endpoint(byte[] addr, int port) {
        return endpoint(Addresses.format(addr), port);
    }

    /** {@code host:port}, an IPv6 host in brackets. */
    public static String endpoint(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** The address of an endpoint written by {@link #endpoint}, without the brackets of IPv6. */
    public static String host(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String h = colon < 0 ? endpoint : endpoint.substring(0, colon);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** The display-filter test for an address: {@code ip.addr == …} or {@code ipv6.addr == …}. */
    public static String addrFilter(String host) {
        return (host.contains(":") ? "ipv6.addr == " : "ip.addr == ") + host;
    }

    /** A Wireshark display filter for every packet to or from {@code endpoint}. */
    public static String endpointFilter(String endpoint) {
        return addrFilter(host(endpoint)) + " && tcp.port == " + endpoint.substring(endpoint.lastIndexOf(':') + 1);
    }

    /** A detection id: the first 96 bits of the SHA-256 of what identifies the finding, in hex. */
    public static String hash(String basis) {
        return HexFormat.of().formatHex(sha256(basis), 0, 12);
    }

    /** The SHA-256 of {@code basis} in UTF-8. */
    public static byte[] sha256(String basis) {
        return SHA_256.get().digest(basis.getBytes(StandardCharsets.UTF_8));
    }
}

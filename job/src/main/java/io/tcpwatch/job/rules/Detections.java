package io.tcpwatch.job.rules;

import io.tcpwatch.job.record.Detection;
import io.tcpwatch.job.record.DetectionType;
import io.tcpwatch.job.record.Severity;
import io.tcpwatch.job.tracker.Connection;
import io.tcpwatch.schema.Addresses;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Builds per-connection detections with a stable id and a Wireshark display filter. */
public final class Detections {
    private Detections() {}

    public static Detection of(DetectionType type, Severity severity, Connection c, long startNs, long endNs,
                               String explanation) {
        Detection d = new Detection();
        d.type = type.name();
        d.severity = severity.name();
        d.observer = c.observer;
        d.server = endpoint(c.respAddr, c.respPort);
        d.client = endpoint(c.origAddr, c.origPort);
        d.startNs = startNs;
        d.endNs = endNs;
        d.explanation = explanation;
        return d;
    }

    /** The id: the same finding (type, cause, observer, connection incarnation, instant) always hashes alike. */
    public static Detection withId(Detection d, Connection c) {
        d.id = hash(d.type + "|" + d.cause + "|" + d.observer + "|" + d.client + "|" + d.server + "|" + c.origIsn
                + "|" + c.firstSynNs + "|" + d.startNs);
        return d;
    }

    /** A detection id: the first 96 bits of the SHA-256 of what identifies the finding, in hex. */
    public static String hash(String basis) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(basis.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String endpoint(byte[] addr, int port) {
        String host = Addresses.format(addr);
        return addr.length == 16 ? "[" + host + "]:" + port : host + ":" + port;
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

    /** A Wireshark display filter showing the connection's packets, narrowed by {@code extra} when given. */
    public static String displayFilter(Connection c, String extra) {
        String ip = c.ipVersion == 6 ? "ipv6.addr" : "ip.addr";
        String f = String.format("%s == %s && %s == %s && tcp.port == %d && tcp.port == %d", ip,
                Addresses.format(c.origAddr), ip, Addresses.format(c.respAddr), c.origPort, c.respPort);
        return extra == null ? f : f + " && " + extra;
    }

    public static double seconds(long ns) {
        return ns / 1e9;
    }
}

package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Endpoints;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.schema.Addresses;

/** Builds per-connection detections with a stable id and a Wireshark display filter. */
public final class Detections {
    private Detections() {}

    public static Detection of(DetectionType type, Severity severity, Connection c, long startNs, long endNs,
                               String explanation) {
        Detection d = new Detection();
        d.type = type.name();
        d.severity = severity.name();
        d.observer = c.observer;
        d.server = c.server();
        d.client = c.client();
        d.startNs = startNs;
        d.endNs = endNs;
        d.explanation = explanation;
        return d;
    }

    /** The id: the same finding (type, cause, observer, connection incarnation, instant) always hashes alike. */
    public static Detection withId(Detection d, Connection c) {
        d.id = Endpoints.hash(d.type + "|" + d.cause + "|" + d.observer + "|" + d.client + "|" + d.server + "|" + c.orig.isn
                + "|" + c.firstSynNs + "|" + d.startNs);
        return d;
    }

    /** A Wireshark display filter showing the connection's packets, narrowed by {@code extra} when given. */
    public static String displayFilter(Connection c, String extra) {
        String ip = c.ipVersion == 6 ? "ipv6.addr" : "ip.addr";
        String f = String.format("%s == %s && %s == %s && tcp.port == %d && tcp.port == %d", ip,
                Addresses.format(c.orig.addr), ip, Addresses.format(c.resp.addr), c.orig.port, c.resp.port);
        return extra == null ? f : f + " && " + extra;
    }

    public static double seconds(long ns) {
        return ns / 1e9;
    }
}

package io.tcpwatch.core.tracker;

import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Endpoints;
import io.tcpwatch.core.record.ZeekConnState;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.schema.Addresses;

/** Turns a finished incarnation into its conn.log record. */
public final class ConnectionRecords {
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private ConnectionRecords() {}

    public static ConnectionRecord of(Connection c, String closeCause) {
        ConnectionRecord r = new ConnectionRecord();
        r.tsNs = c.startNs;
        r.uid = uid(c);
        r.origHost = Addresses.format(c.orig.addr);
        r.origPort = c.orig.port;
        r.respHost = Addresses.format(c.resp.addr);
        r.respPort = c.resp.port;
        r.durationNs = c.lastNs - c.startNs;
        r.origBytes = c.orig.bytes;
        r.respBytes = c.resp.bytes;
        r.connState = ZeekConnState.of(c.orig.endpoint, c.resp.endpoint, c.history, c.orig.bytes, c.resp.bytes);
        r.history = c.history;
        r.origPkts = c.orig.pkts;
        r.respPkts = c.resp.pkts;
        r.observer = c.observer;
        r.tunnel = c.tunnel;
        r.closeCause = closeCause;
        r.retransmissions = c.retransmissions();
        r.synRetransmits = c.synRetransmits;
        return r;
    }

    /** A Zeek-style uid ("C" + 17 base62 characters), stable for one incarnation seen by one observer. */
    static String uid(Connection c) {
        String basis = c.observer + "|" + Addresses.format(c.orig.addr) + "|" + c.orig.port + "|"
                + Addresses.format(c.resp.addr) + "|" + c.resp.port + "|" + c.orig.isn + "|" + c.startNs
                + (c.tunnel == null ? "" : "|" + c.tunnel);
        byte[] h = Endpoints.sha256(basis);
        StringBuilder sb = new StringBuilder("C");
        for (int i = 0; i < 17; i++) {
            sb.append(BASE62[(h[i] & 0xFF) % 62]);
        }
        return sb.toString();
    }
}

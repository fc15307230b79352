package io.tcpwatch.core.connection;

import io.tcpwatch.core.record.ZeekConnState.Endpoint;

/**
 * One endpoint of a connection and what it sent: the same facts for the originator and the
 * responder, so that the tracker writes each rule once for "the sender" and "its peer". A Flink
 * POJO (public fields, no-arg constructor), held inside {@link Connection}.
 */
public class Side {
    public byte[] addr;
    public int port;
    /** Zeek's endpoint state, from this side's own segments. */
    public Endpoint endpoint = Endpoint.INACTIVE;
    /** Capture time of this side's newest segment. */
    public long lastNs;

    /** Initial sequence number (its SYN or SYN/ACK). */
    public long isn;
    /** Highest sequence number + length + SYN/FIN seen (for retransmissions), once known. */
    public long nextSeq;
    public boolean nextKnown;

    public long bytes;
    public long pkts;
    /** The MSS this side announced in its SYN (0: not seen): the size its peer sends in. */
    public int mss;
    /** Retransmitted payload segments and zero-window segments (scaled history letters). */
    public int retransmits;
    public int zeroWindows;
    /** Capture time of this side's first FIN (0: none). */
    public long finNs;
    /** TTL (hop limit) of this side's first non-RST segment (-1: none yet). */
    public int ttl = -1;

    public Side() {}

    public boolean is(byte[] a, int p) {
        return p == port && java.util.Arrays.equals(a, addr);
    }
}

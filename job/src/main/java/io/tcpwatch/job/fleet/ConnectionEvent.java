package io.tcpwatch.job.fleet;

/**
 * A compact connection outcome event from the tracker to the fleet stage: a connection opened,
 * was established, or ended (with what happened to it). The fleet stage consumes these, never raw
 * segments. {@code client + isn} identifies the connection across vantage points.
 */
public class ConnectionEvent {

    public enum Kind { OPENED, ESTABLISHED, CLOSED }

    public Kind kind;
    public long tsNs;
    public String observer;
    public String server;
    public String client;
    /** The originator's initial sequence number (0 when the handshake was not seen). */
    public long isn;

    // CLOSED only
    public boolean wasEstablished;
    public String connState;
    /** Cause of the connection's first RST, when one was classified. */
    public String rstCause;
    public boolean halfOpen;
    public boolean zeroWindowStall;
    public int synRetransmits;
    public int retransmissions;
    public int dataSegments;

    public ConnectionEvent() {}

    /** Identity of the connection event, the same from every vantage point. */
    public String dedupKey() {
        return kind + "|" + client + "|" + isn;
    }

    /** The client's address without its port. */
    public String clientHost() {
        int colon = client.lastIndexOf(':');
        return colon < 0 ? client : client.substring(0, colon);
    }
}

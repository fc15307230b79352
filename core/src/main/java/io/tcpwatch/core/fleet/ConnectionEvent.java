package io.tcpwatch.core.fleet;

import io.tcpwatch.core.record.Endpoints;

/**
 * A compact connection outcome event from the tracker to the fleet stage: a connection opened,
 * was established, or ended (with what happened to it). The fleet stage consumes these, never raw
 * segments. {@code server + client + isn} identifies the connection across vantage points.
 */
public class ConnectionEvent {

    /**
     * HANDSHAKE: how the handshake went, stamped with the first SYN's time (not the event's), once:
     * when it completed, when it was reset, or {@code TrackerConfig.handshakeVerdict} after the SYN.
     */
    public enum Kind { OPENED, HANDSHAKE, ESTABLISHED, CLOSED }

    public Kind kind;
    public long tsNs;
    public String observer;
    public String server;
    public String client;
    /** The originator's initial sequence number (0 when the handshake was not seen). */
    public long isn;
    /** SYN retransmits before the handshake completed (HANDSHAKE, ESTABLISHED) or gave up (CLOSED). */
    public int synRetransmits;
    /** The connection's SYN collided with the previous incarnation's TIME_WAIT (ESTABLISHED, CLOSED). */
    public boolean portReuseCollision;

    /** HANDSHAKE: it completed; CLOSED: it had completed. */
    public boolean wasEstablished;
    /** HANDSHAKE: a SYN/ACK answered the SYN. */
    public boolean synAnswered;
    /** HANDSHAKE: not complete, answered by a SYN/ACK the server did not send again in time: a SYN cookie. */
    public boolean statelessSynAck;
    /** HANDSHAKE: an RST ended it before it completed (a closed port, a rejection). */
    public boolean refused;

    // CLOSED only
    public String connState;
    /** Cause and origin of the connection's first RST, when one was classified. */
    public String rstCause;
    public String rstOrigin;
    public boolean halfOpen;
    /** The server sent its SYN/ACK again after the client's ACK: its accept queue had no room for the connection. */
    public boolean handshakeAckIgnored;
    public boolean zeroWindowStall;
    /** TIME_WAIT the active closer holds after a FIN close (0 after an RST or no close). */
    public long timeWaitNs;
    /** The client's IP TTL as observed (-1 unknown): tells Linux-like from Windows-like clients. */
    public int clientTtl = -1;
    public int retransmissions;
    public int dataSegments;
    /** From the client's first request byte to the server's first response byte; -1: no answer seen. */
    public long responseNs = -1;

    /** {@link #connectionId()}, made once (not state: Flink's POJO serializer passes transient fields over). */
    private transient String id;

    public ConnectionEvent() {}

    /** The connection this event belongs to, the same from every vantage point (read once its fields are set). */
    public String connectionId() {
        if (id == null) {
            id = server + "|" + client + "|" + isn;
        }
        return id;
    }

    /** The per client→server pair statistics count openings and closes (not handshakes). */
    public boolean forPairs() {
        return kind == Kind.OPENED || kind == Kind.CLOSED;
    }

    /** The client's address without its port. */
    public String clientHost() {
        return Endpoints.host(client);
    }

    /** The client→server pair of hosts and service: where ephemeral ports run out. */
    public String pair() {
        return clientHost() + " → " + server;
    }
}

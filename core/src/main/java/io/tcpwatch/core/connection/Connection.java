package io.tcpwatch.core.connection;

import io.tcpwatch.core.record.Endpoints;

/**
 * Keyed state of one connection incarnation: who is who, the state machine, per-direction
 * progress and the facts the detection rules need. A Flink POJO (public fields, no-arg constructor).
 */
public class Connection {
    public String observer;
    /** The tunnel's tenant identity ({@code Segment.tunnel}), null outside tunnels. */
    public String tunnel;
    public int ipVersion;
    /** The originator (the side that sent the SYN, or the client port midstream) and the responder. */
    public Side orig = new Side();
    public Side resp = new Side();

    public TcpState state = TcpState.NEW;
    /** Zeek history letters (upper case: originator). */
    public String history = "";

    public long startNs;
    public long lastNs;

    /**
     * Payload in segments of the sender's size (the peer's MSS): a capture on the sending host sees
     * the kernel's segmentation offload as frames of up to 64 KB, a retransmission as one segment.
     */
    public int dataSegments;
    /** … of which retransmitted. */
    public int retransmittedSegments;

    public long firstSynNs;
    public long lastSynNs;
    public int synRetransmits;
    public long synAckNs;
    /** The responder sent its SYN/ACK again (it keeps state for the handshake, unlike a SYN cookie). */
    public int synAckRetransmits;
    /** A SYN/ACK came again after the originator's ACK: the responder's stack did not take that ACK. */
    public boolean handshakeAckIgnored;
    /** The fleet stage has been told how the handshake went (once per incarnation). */
    public boolean handshakeReported;
    public long establishedNs;

    /** 0 = none yet, 1 = originator, 2 = responder. */
    public int firstFinSide;
    /** When the close became complete (a RST, both FINs acknowledged, a FIN to a peer never heard); 0 while open. */
    public long closedNs;

    /** RST bookkeeping: the side of the first RST (0 none), when, and data the peer sent after it. */
    public int rstSide;
    public long rstNs;
    public long dataAfterRstNs;

    /**
     * The originator's first request: when its first byte was sent (0: none yet), when the
     * responder's stack had acknowledged all of it (0: not yet), and whether that story is over: the
     * originator sent more data after that (a stream or a second request), or the responder's
     * sequence numbers show bytes the capture missed.
     */
    public long requestNs;
    public long requestAckedNs;
    public boolean requestMore;
    /** The responder's first payload byte after the originator's first request began (0: none yet). */
    public long firstResponseNs;

    /** Zero-window stall in progress: side (0 none) and start; probes = peer segments during it. */
    public int zeroWindowSide;
    public long zeroWindowStartNs;
    public int zeroWindowProbes;

    /** Port reuse: the previous incarnation's TIME_WAIT this SYN arrived into, and what the responder did. */
    public boolean intoTimeWait;
    public long previousCloseNs;
    public long previousTimeWaitNs;
    public boolean challengeAckSeen;
    public long challengeAck;
    public long challengeAckNs;
    public boolean origRstAfterChallenge;

    /** Outcome, for the fleet stage: the first RST's cause and origin, a half-open end, a collision, a stall. */
    public String rstCause;
    public String rstOrigin;
    public boolean halfOpen;
    public boolean portReuseCollision;
    public boolean zeroWindowStall;
    /** The fleet stage has been told this incarnation ended. */
    public boolean closedEventSent;

    /** Event time at which the tracker's timer for this incarnation is due. */
    public long timerAtMs;

    /** Segment headers kept for findings (the tracker's packets list): this incarnation's, and the previous one's before them. */
    public int excerptSize;
    public int excerptPrevious;

    /** The endpoints' names, made once per incarnation in memory (not state: Flink skips transient fields). */
    private transient String serverName;
    private transient String clientName;

    public Connection() {}

    public boolean isOrig(byte[] src, int srcPort) {
        return orig.is(src, srcPort);
    }

    /** The side that sent a segment: the originator's if {@code fromOrig}. */
    public Side from(boolean fromOrig) {
        return fromOrig ? orig : resp;
    }

    /** The side a segment went to: the peer of {@link #from}. */
    public Side to(boolean fromOrig) {
        return fromOrig ? resp : orig;
    }

    /** Retransmitted payload segments, both directions. */
    public int retransmissions() {
        return orig.retransmits + resp.retransmits;
    }

    /** The responder as records name it ({@link Endpoints#endpoint}). */
    public String server() {
        if (serverName == null) {
            serverName = Endpoints.endpoint(resp.addr, resp.port);
        }
        return serverName;
    }

    /** The originator as records name it. */
    public String client() {
        if (clientName == null) {
            clientName = Endpoints.endpoint(orig.addr, orig.port);
        }
        return clientName;
    }

    public boolean handshakeSeen() {
        return firstSynNs != 0;
    }
}

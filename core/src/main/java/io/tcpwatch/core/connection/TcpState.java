package io.tcpwatch.core.connection;

/**
 * The state of one TCP connection incarnation as a passive observer sees it on the wire (both
 * directions, one vantage point). "o" is the originator (sender of the first SYN), "r" the responder.
 *
 * <pre>
 *            o:SYN                   r:SYN+ACK                    o:ACK or o:data
 *   NEW ──────────────▶ SYN_SENT ─────────────────▶ SYN_RECEIVED ─────────────────▶ ESTABLISHED
 *    │                  ↺ o:SYN, same ISN (retransmit) ↺ r:SYN+ACK (retransmit)         │
 *    │                  ↺ r:ACK without SYN (challenge / TIME_WAIT ACK)                 │ x:FIN
 *    │                  ╰─ o:ACK or o:data: the SYN/ACK went by outside the capture ───▶ │
 *    │                     (one direction only: asymmetric routing, a one-sided SPAN)    │
 *    │ no SYN seen      ↺ o:RST answering it (the SYN is retried)                       ▼
 *    └──▶ MIDSTREAM ─────────────────────── x:FIN ──────────────────────────────────▶ FIN_WAIT
 *                                                                                        │ y:FIN (the other side)
 *                                                                                        ▼
 *                                        CLOSED ◀──────── ACK of the last FIN ────── CLOSING
 *
 *   any other RST ──▶ RESET   (segments after it are still read: data after RST, a second RST)
 * </pre>
 *
 * {@link #next} is the whole transition table; the tracker feeds it one event per segment.
 */
public enum TcpState {
    NEW,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    /** Traffic of a connection whose handshake was not seen. */
    MIDSTREAM,
    FIN_WAIT,
    CLOSING,
    CLOSED,
    RESET;

    /** What a segment is, from the state machine's point of view. */
    public enum Event { SYN, SYN_ACK, ACK, DATA, FIN, RST }

    /**
     * The state after {@code event}, sent by the originator ({@code fromOrig}) or the responder.
     * {@code secondFin} tells the other side's FIN from a repeat of the first one; {@code
     * acksLastFin} tells the ACK that ends CLOSING.
     */
    public TcpState next(Event event, boolean fromOrig, boolean secondFin, boolean acksLastFin) {
        if (event == Event.RST) {
            // the originator's RST before any SYN/ACK answers a stray ACK; its SYN is retried
            return this == SYN_SENT && fromOrig ? SYN_SENT : RESET;
        }
        switch (this) {
            case NEW:
                return event == Event.SYN ? SYN_SENT : event == Event.FIN ? FIN_WAIT : MIDSTREAM;
            case SYN_SENT:
                if (event == Event.SYN_ACK && !fromOrig) {
                    return SYN_RECEIVED;
                }
                if (fromOrig && (event == Event.ACK || event == Event.DATA)) {
                    return ESTABLISHED; // it acknowledges a SYN/ACK this capture does not hold
                }
                return SYN_SENT;
            case SYN_RECEIVED:
                if (fromOrig && (event == Event.ACK || event == Event.DATA)) {
                    return ESTABLISHED;
                }
                if (fromOrig && event == Event.FIN) {
                    return FIN_WAIT;
                }
                return SYN_RECEIVED;
            case MIDSTREAM:
            case ESTABLISHED:
                return event == Event.FIN ? FIN_WAIT : this;
            case FIN_WAIT:
                return event == Event.FIN && secondFin ? CLOSING : FIN_WAIT;
            case CLOSING:
                return acksLastFin ? CLOSED : CLOSING;
            default:
                return this; // CLOSED and RESET are final for an incarnation
        }
    }

    /** True once the incarnation has ended (a new SYN starts the next one). */
    public boolean isOver() {
        return this == CLOSED || this == RESET;
    }
}

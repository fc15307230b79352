package io.tcpwatch.core.connection;

import java.util.List;

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
 * {@link #TRANSITIONS} is the whole transition table, as data; {@link #next} looks a segment up in
 * it, and the tracker feeds it one event per segment.
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

    /** Who sent the segment. */
    public enum Sender { ORIGINATOR, RESPONDER, EITHER }

    /** What else must hold: the other side's FIN (not a repeat of the first), or the ACK of the last FIN. */
    public enum Guard { NONE, SECOND_FIN, ACKS_LAST_FIN }

    /** One row of the table: in {@code from}, {@code event} from {@code sender} when {@code guard} holds leads to {@code to}. */
    public record Transition(TcpState from, Event event, Sender sender, Guard guard, TcpState to) {
        boolean matches(TcpState state, Event e, boolean fromOrig, boolean secondFin, boolean acksLastFin) {
            return (from == null || from == state) && (event == null || event == e)
                    && (sender == Sender.EITHER || (sender == Sender.ORIGINATOR) == fromOrig)
                    && (guard != Guard.SECOND_FIN || secondFin) && (guard != Guard.ACKS_LAST_FIN || acksLastFin);
        }
    }

    private static Transition on(TcpState from, Event event, Sender sender, Guard guard, TcpState to) {
        return new Transition(from, event, sender, guard, to);
    }

    /**
     * The transitions, first match wins (null matches any state or event); a segment no row matches
     * leaves the state as it is. CLOSED and RESET are final for an incarnation: a new SYN starts the next.
     */
    public static final List<Transition> TRANSITIONS = List.of(
            // the originator's RST before any SYN/ACK answers a stray ACK; its SYN is retried
            on(SYN_SENT, Event.RST, Sender.ORIGINATOR, Guard.NONE, SYN_SENT),
            on(null, Event.RST, Sender.EITHER, Guard.NONE, RESET),
            on(NEW, Event.SYN, Sender.EITHER, Guard.NONE, SYN_SENT),
            on(NEW, Event.FIN, Sender.EITHER, Guard.NONE, FIN_WAIT),
            on(NEW, null, Sender.EITHER, Guard.NONE, MIDSTREAM),
            on(SYN_SENT, Event.SYN_ACK, Sender.RESPONDER, Guard.NONE, SYN_RECEIVED),
            // it acknowledges a SYN/ACK this capture does not hold
            on(SYN_SENT, Event.ACK, Sender.ORIGINATOR, Guard.NONE, ESTABLISHED),
            on(SYN_SENT, Event.DATA, Sender.ORIGINATOR, Guard.NONE, ESTABLISHED),
            on(SYN_RECEIVED, Event.ACK, Sender.ORIGINATOR, Guard.NONE, ESTABLISHED),
            on(SYN_RECEIVED, Event.DATA, Sender.ORIGINATOR, Guard.NONE, ESTABLISHED),
            on(SYN_RECEIVED, Event.FIN, Sender.ORIGINATOR, Guard.NONE, FIN_WAIT),
            on(ESTABLISHED, Event.FIN, Sender.EITHER, Guard.NONE, FIN_WAIT),
            on(MIDSTREAM, Event.FIN, Sender.EITHER, Guard.NONE, FIN_WAIT),
            on(FIN_WAIT, Event.FIN, Sender.EITHER, Guard.SECOND_FIN, CLOSING),
            on(CLOSING, null, Sender.EITHER, Guard.ACKS_LAST_FIN, CLOSED));

    /**
     * The state after {@code event}, sent by the originator ({@code fromOrig}) or the responder.
     * {@code secondFin} tells the other side's FIN from a repeat of the first one; {@code
     * acksLastFin} tells the ACK that ends CLOSING.
     */
    public TcpState next(Event event, boolean fromOrig, boolean secondFin, boolean acksLastFin) {
        for (Transition t : Rows.FOR[ordinal()][event.ordinal()]) {
            if (t.matches(this, event, fromOrig, secondFin, acksLastFin)) {
                return t.to();
            }
        }
        return this;
    }

    /** The rows that can match each state and event, in table order: a segment looks at one to three. */
    private static final class Rows {
        static final Transition[][][] FOR = new Transition[values().length][Event.values().length][];

        static {
            for (TcpState state : values()) {
                for (Event event : Event.values()) {
                    FOR[state.ordinal()][event.ordinal()] = TRANSITIONS.stream()
                            .filter(t -> (t.from() == null || t.from() == state) && (t.event() == null || t.event() == event))
                            .toArray(Transition[]::new);
                }
            }
        }
    }

    /** True once the incarnation has ended (a new SYN starts the next one). */
    public boolean isOver() {
        return this == CLOSED || this == RESET;
    }
}

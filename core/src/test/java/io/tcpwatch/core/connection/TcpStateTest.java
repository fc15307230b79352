package io.tcpwatch.core.connection;

import static io.tcpwatch.core.connection.TcpState.Event.ACK;
import static io.tcpwatch.core.connection.TcpState.Event.DATA;
import static io.tcpwatch.core.connection.TcpState.Event.FIN;
import static io.tcpwatch.core.connection.TcpState.Event.RST;
import static io.tcpwatch.core.connection.TcpState.Event.SYN;
import static io.tcpwatch.core.connection.TcpState.Event.SYN_ACK;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.connection.TcpState.Event;
import io.tcpwatch.core.connection.TcpState.Transition;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The transition table against the paths of the diagram, and every row of it in use. */
class TcpStateTest {

    /** A segment: its event, its sender, and the two guards. */
    private record Seg(Event event, boolean fromOrig, boolean secondFin, boolean acksLastFin) {}

    private static Seg o(Event e) {
        return new Seg(e, true, false, false);
    }

    private static Seg r(Event e) {
        return new Seg(e, false, false, false);
    }

    private static TcpState walk(Seg... segments) {
        TcpState s = TcpState.NEW;
        for (Seg seg : segments) {
            s = s.next(seg.event(), seg.fromOrig(), seg.secondFin(), seg.acksLastFin());
        }
        return s;
    }

    @Test
    void aHandshakeAndAFinExchangeEndClosed() {
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK))).isEqualTo(TcpState.ESTABLISHED);
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK), o(DATA), r(DATA), o(FIN))).isEqualTo(TcpState.FIN_WAIT);
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK), o(FIN), new Seg(FIN, false, true, false))).isEqualTo(TcpState.CLOSING);
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK), o(FIN), new Seg(FIN, false, true, false), new Seg(ACK, true, false, true)))
                .isEqualTo(TcpState.CLOSED);
    }

    @Test
    void retransmissionsAndRepeatedFinsLeaveTheStateAlone() {
        assertThat(walk(o(SYN), o(SYN))).isEqualTo(TcpState.SYN_SENT);
        assertThat(walk(o(SYN), r(SYN_ACK), r(SYN_ACK))).isEqualTo(TcpState.SYN_RECEIVED);
        assertThat(walk(o(SYN), r(ACK))).as("a challenge or TIME_WAIT ACK").isEqualTo(TcpState.SYN_SENT);
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK), o(FIN), o(FIN))).as("the first FIN again").isEqualTo(TcpState.FIN_WAIT);
        assertThat(walk(o(SYN), r(SYN_ACK), o(ACK), o(FIN), new Seg(FIN, false, true, false), r(ACK)))
                .as("an ACK that is not of the last FIN").isEqualTo(TcpState.CLOSING);
    }

    @Test
    void aMissedSynAckAndAMissedHandshake() {
        assertThat(walk(o(SYN), o(ACK))).isEqualTo(TcpState.ESTABLISHED);
        assertThat(walk(o(SYN), o(DATA))).isEqualTo(TcpState.ESTABLISHED);
        assertThat(walk(o(DATA))).isEqualTo(TcpState.MIDSTREAM);
        assertThat(walk(r(SYN_ACK))).isEqualTo(TcpState.MIDSTREAM);
        assertThat(walk(o(DATA), r(FIN))).isEqualTo(TcpState.FIN_WAIT);
        assertThat(walk(o(FIN))).isEqualTo(TcpState.FIN_WAIT);
        assertThat(walk(o(SYN), r(SYN_ACK), o(FIN))).isEqualTo(TcpState.FIN_WAIT);
    }

    @Test
    void anRstResetsFromAnyStateButTheOriginatorsAnswerToAStrayAck() {
        for (TcpState s : TcpState.values()) {
            assertThat(s.next(RST, false, false, false)).as("responder RST in %s", s).isEqualTo(TcpState.RESET);
            assertThat(s.next(RST, true, false, false)).as("originator RST in %s", s)
                    .isEqualTo(s == TcpState.SYN_SENT ? TcpState.SYN_SENT : TcpState.RESET);
        }
    }

    @Test
    void closedAndResetAreFinalForAnythingButAnRst() {
        for (TcpState end : new TcpState[] {TcpState.CLOSED, TcpState.RESET}) {
            assertThat(end.isOver()).isTrue();
            for (Event e : Event.values()) {
                if (e != RST) {
                    assertThat(end.next(e, true, true, true)).isEqualTo(end);
                    assertThat(end.next(e, false, false, false)).isEqualTo(end);
                }
            }
        }
    }

    @Test
    void everyRowIsTheFirstMatchForSomeSegment() {
        Set<Transition> used = new HashSet<>();
        for (TcpState s : TcpState.values()) {
            for (Event e : Event.values()) {
                for (boolean fromOrig : new boolean[] {true, false}) {
                    for (boolean guard : new boolean[] {true, false}) {
                        TcpState.TRANSITIONS.stream().filter(t -> t.matches(s, e, fromOrig, guard, guard)).findFirst()
                                .ifPresent(used::add);
                    }
                }
            }
        }
        assertThat(used).containsExactlyInAnyOrderElementsOf(TcpState.TRANSITIONS);
    }
}

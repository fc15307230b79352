package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.TrackerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.fleet.ConnectionEvent;
import org.junit.jupiter.api.Test;

/**
 * What a server's SYN and accept queues did to one handshake, as the tracker tells the fleet stage
 * (a HANDSHAKE event stamped with the first SYN's time, once): completed, reset, or still pending
 * 3.5 s after the SYN — then whether the client retried, whether a SYN/ACK answered and whether the
 * server sent it again (a request in its SYN queue) or not (a SYN cookie: no state kept). And a
 * handshake ACK the server did not take (a full accept queue), told when the connection closes.
 */
class HandshakeQueuesTest extends TrackerHarness {

    private static final double VERDICT_MS = TrackerConfig.defaults().handshakeVerdict.toMillis();
    private static final double TIMEOUT_MS = TrackerConfig.defaults().handshakeTimeout.toMillis();

    private ConnectionEvent handshake() {
        assertThat(events(ConnectionEvent.Kind.HANDSHAKE)).as("one verdict per handshake").hasSize(1);
        ConnectionEvent e = events(ConnectionEvent.Kind.HANDSHAKE).get(0);
        assertThat(e.tsNs).as("stamped with the first SYN").isEqualTo(T0 * 1_000_000L);
        return e;
    }

    /** A SYN of another flow on this subtask at {@code ms}: the observer's clock moved on. */
    private void otherFlow(double ms) throws Exception {
        seg(new byte[] {10, 0, 0, 3}, ms, true, SYN, 77, 0, 0, 502);
    }

    @Test
    void aSynAckNotSentAgainIsASynCookie() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        otherFlow(VERDICT_MS + 1);
        watermark(VERDICT_MS + 1);
        ConnectionEvent e = events(ConnectionEvent.Kind.HANDSHAKE).stream().filter(x -> x.client.equals("10.0.0.2:40000"))
                .findFirst().orElseThrow();
        assertThat(e.wasEstablished).isFalse();
        assertThat(e.synAnswered).isTrue();
        assertThat(e.statelessSynAck).isTrue();
        assertThat(e.synRetransmits).isZero();
        watermark(TIMEOUT_MS + 1);
        assertThat(events(ConnectionEvent.Kind.HANDSHAKE)).as("told once, also when the handshake times out").hasSize(2);
    }

    @Test
    void aSynAckSentAgainKeepsState() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        s(1_000.1, SA, 5000, 1001, 0); // Linux: again after 1 s
        watermark(VERDICT_MS + 1);
        assertThat(handshake().statelessSynAck).isFalse();
        assertThat(handshake().synAnswered).isTrue();
    }

    @Test
    void aCaptureThatEndsTooSoonAfterTheSynAckSaysNothingOfCookies() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        watermark(Long.MAX_VALUE - T0); // the end of a capture file: the watermark jumps to the end of time
        assertThat(handshake().statelessSynAck).as("nothing was seen for 1 s after the SYN/ACK").isFalse();
        assertThat(events(ConnectionEvent.Kind.CLOSED)).singleElement().satisfies(e -> assertThat(e.halfOpen).isTrue());
    }

    @Test
    void aRetryingClientLeftWaitingIsToldAtTheVerdictWithItsRetries() throws Exception {
        c(0, SYN, 1000, 0, 0);
        c(1_000, SYN, 1000, 0, 0);
        c(3_000, SYN, 1000, 0, 0);
        watermark(VERDICT_MS + 1);
        assertThat(handshake().synAnswered).isFalse();
        assertThat(handshake().synRetransmits).isEqualTo(2);
        assertThat(handshake().wasEstablished).isFalse();
        s(7_000.1, SA, 5000, 1001, 0); // in at last: nothing more to tell of the handshake
        c(7_000.2, A, 1001, 5001, 0);
        assertThat(events(ConnectionEvent.Kind.HANDSHAKE)).hasSize(1);
        assertThat(events(ConnectionEvent.Kind.ESTABLISHED)).hasSize(1);
    }

    @Test
    void aHandshakeCompleteBeforeTheVerdictIsToldWhenItCompletes() throws Exception {
        c(0, SYN, 1000, 0, 0);
        c(1_000, SYN, 1000, 0, 0);
        s(1_000.1, SA, 5000, 1001, 0);
        c(1_000.2, A, 1001, 5001, 0);
        assertThat(handshake().wasEstablished).isTrue();
        assertThat(handshake().synRetransmits).isEqualTo(1);
        watermark(VERDICT_MS + 1);
        assertThat(events(ConnectionEvent.Kind.HANDSHAKE)).hasSize(1);
    }

    @Test
    void aResetHandshakeIsRefused() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, RA, 0, 1001, 0);
        assertThat(handshake().refused).isTrue();
        assertThat(handshake().wasEstablished).isFalse();
    }

    @Test
    void aSynAckAfterTheClientsAckIsAHandshakeTheAcceptQueueRefused() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0); // the client is connected …
        c(0.3, PA, 1001, 5001, 100);
        s(1_000.1, SA, 5000, 1001, 0); // … the server dropped that ACK: no room in its accept queue
        c(1_000.2, A, 1101, 5001, 0);
        s(1_500, A, 5001, 1101, 0);
        c(2_000, FA, 1101, 5001, 0);
        s(2_000.1, FA, 5001, 1102, 0);
        c(2_000.2, A, 1102, 5002, 0);
        watermark(2_000.2 + LINGER_MS + 1);
        ConnectionEvent closed = events(ConnectionEvent.Kind.CLOSED).get(0);
        assertThat(closed.wasEstablished).isTrue();
        assertThat(closed.handshakeAckIgnored).isTrue();
        assertThat(handshake().wasEstablished).isTrue();
    }

    @Test
    void anOrdinaryHandshakeIsNeitherRefusedNorStateless() throws Exception {
        handshakeAndData(0, 1000, 5000);
        serverClosesFirst(10, 1000, 5000);
        watermark(10 + LINGER_MS + 1);
        assertThat(events(ConnectionEvent.Kind.CLOSED).get(0).handshakeAckIgnored).isFalse();
        assertThat(handshake().wasEstablished).isTrue();
        assertThat(handshake().statelessSynAck).isFalse();
        assertThat(handshake().synRetransmits).isZero();
    }
}

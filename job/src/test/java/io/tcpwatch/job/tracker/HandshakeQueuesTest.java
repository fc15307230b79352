package io.tcpwatch.job.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.job.fleet.ConnectionEvent;
import org.junit.jupiter.api.Test;

/**
 * What a server's SYN and accept queues do to one handshake, as the tracker tells the fleet stage:
 * a SYN/ACK sent again (a request in the SYN queue) or never again (a SYN cookie: no state kept),
 * a SYN never answered, a handshake ACK the server did not take (a full accept queue).
 */
class HandshakeQueuesTest extends TrackerHarness {

    private static final double TIMEOUT_MS = TrackerConfig.defaults().handshakeTimeout.toMillis();

    private ConnectionEvent closed() {
        assertThat(events(ConnectionEvent.Kind.CLOSED)).hasSize(1);
        return events(ConnectionEvent.Kind.CLOSED).get(0);
    }

    /** A SYN of another flow on this subtask at {@code ms}. */
    private void otherFlow(double ms) throws Exception {
        io.tcpwatch.schema.Segment s = new io.tcpwatch.schema.Segment();
        s.observer = "obs";
        s.tsNanos = (T0 * 1_000_000L) + (long) (ms * 1_000_000L);
        s.ipVersion = 4;
        s.srcAddr = new byte[] {10, 0, 0, 3};
        s.dstAddr = SERVER;
        s.srcPort = CPORT;
        s.dstPort = SPORT;
        s.flags = SYN;
        s.seq = 77;
        s.window = 502;
        s.ttl = 64;
        harness.processElement(s, Math.floorDiv(s.tsNanos, 1_000_000L));
    }

    @Test
    void aSynAckNeverSentAgainIsASynCookie() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        otherFlow(4_000); // the observer's clock moved on
        watermark(TIMEOUT_MS + 1);
        ConnectionEvent e = events(ConnectionEvent.Kind.CLOSED).stream().filter(x -> x.client.equals("10.0.0.2:40000"))
                .findFirst().orElseThrow();
        assertThat(e.halfOpen).isTrue();
        assertThat(e.synAnswered).isTrue();
        assertThat(e.statelessSynAck).isTrue();
        assertThat(e.synRetransmits).isZero();
    }

    @Test
    void aSynAckSentAgainKeepsState() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        s(1_000.1, SA, 5000, 1001, 0); // Linux: again after 1 s
        watermark(TIMEOUT_MS + 1);
        assertThat(closed().halfOpen).isTrue();
        assertThat(closed().statelessSynAck).isFalse();
    }

    @Test
    void aCaptureThatEndsTooSoonAfterTheSynAckSaysNothingOfCookies() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        watermark(Long.MAX_VALUE - T0); // the end of a capture file: the watermark jumps to the end of time
        assertThat(closed().halfOpen).isTrue();
        assertThat(closed().statelessSynAck).as("nothing was seen for 3 s after the SYN/ACK").isFalse();
    }

    @Test
    void aSynNeverAnsweredIsUnanswered() throws Exception {
        c(0, SYN, 1000, 0, 0);
        c(1_000, SYN, 1000, 0, 0);
        watermark(TIMEOUT_MS + 1);
        assertThat(closed().synAnswered).isFalse();
        assertThat(closed().synRetransmits).isEqualTo(1);
        assertThat(closed().statelessSynAck).isFalse();
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
        assertThat(closed().wasEstablished).isTrue();
        assertThat(closed().handshakeAckIgnored).isTrue();
        assertThat(closed().halfOpen).isFalse();
    }

    @Test
    void anOrdinaryHandshakeIsNeitherRefusedNorStateless() throws Exception {
        handshakeAndData(0, 1000, 5000);
        serverClosesFirst(10, 1000, 5000);
        watermark(10 + LINGER_MS + 1);
        assertThat(closed().handshakeAckIgnored).isFalse();
        assertThat(closed().statelessSynAck).isFalse();
        assertThat(closed().synAnswered).isTrue();
    }
}

package io.tcpwatch.job.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.fleet.ConnectionEvent;
import org.junit.jupiter.api.Test;

/** The time from the client's first request byte to the server's first response byte, told when the connection closes. */
class ResponseTimeTest extends TrackerHarness {

    private ConnectionEvent closed() {
        return events(ConnectionEvent.Kind.CLOSED).get(0);
    }

    @Test
    void requestToFirstResponseByte() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0);
        c(1, PA, 1001, 5001, 100); // the request
        s(1.1, A, 5001, 1101, 0); // acknowledged by the stack at once …
        s(251, PA, 5001, 1101, 100); // … answered by the application 250 ms later
        s(252, PA, 5101, 1101, 100);
        serverClosesFirst(300, 1000 + 0, 5000 + 100);
        watermark(300 + LINGER_MS + 1);
        assertThat(closed().responseNs).isEqualTo(250_000_000L);
    }

    @Test
    void aServerThatSpeaksFirstIsTimedFromTheClientsFirstByte() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0);
        s(1, PA, 5001, 1001, 20); // a banner (SMTP, SSH): not an answer
        c(5, PA, 1001, 5021, 10); // the client's first command
        s(45, PA, 5021, 1011, 30); // its answer, 40 ms later
        watermark(600_000);
        assertThat(closed().responseNs).isEqualTo(40_000_000L);
    }

    @Test
    void noAnswerIsNoResponseTime() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0);
        c(1, PA, 1001, 5001, 100);
        s(1.1, A, 5001, 1101, 0);
        c(2_000, FA, 1101, 5001, 0);
        watermark(600_000);
        assertThat(closed().responseNs).isEqualTo(-1);
    }
}

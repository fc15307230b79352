package io.tcpwatch.job.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.TcpFlags;
import org.junit.jupiter.api.Test;

/** The tracker in an operator test harness: detections, conn.log records, timers and state cleanup. */
class ConnectionTrackerTest extends TrackerHarness {

    // ------------------------------------------------------------ tests

    @Test
    void aRefusedConnectionIsARstRefusedFromTheStackAndZeekRej() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.05, RA, 0, 1001, 0);
        watermark(LINGER_MS + 1_000);

        assertThat(detections()).singleElement().satisfies(d -> {
            assertThat(d.type).isEqualTo("RST");
            assertThat(d.cause).isEqualTo("REFUSED");
            assertThat(d.origin).isEqualTo("ENDPOINT_STACK");
            assertThat(d.client).isEqualTo("10.0.0.2:40000");
            assertThat(d.server).isEqualTo("10.0.0.1:80");
            assertThat(d.evidenceJson).contains("tcp.flags.reset == 1").contains("ip.addr == 10.0.0.2");
        });
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("REJ");
            assertThat(r.history).isEqualTo("Sr");
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aGracefulCloseIsSfAndItsTimeWaitStateIsClearedWhenTimeWaitEnds() throws Exception {
        handshakeAndData(0, 1000, 5000);
        serverClosesFirst(10, 1000, 5000);
        watermark(LINGER_MS + 1_000);

        assertThat(detections()).isEmpty();
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("SF");
            assertThat(r.history).isEqualTo("ShADadfF");
            assertThat(r.origBytes).isEqualTo(100);
            assertThat(r.respBytes).isEqualTo(100);
            assertThat(r.origPkts).isEqualTo(5);
            assertThat(r.respPkts).isEqualTo(5);
            assertThat(r.closeCause).isEqualTo("FIN");
        });
        assertThat(harness.numKeyedStateEntries()).as("the TIME_WAIT entry and the closed connection's kept packets")
                .isEqualTo(2);

        watermark(61_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aFlowBatchIsOneElementWithOneDeadlineAndTellsTheSameStory() throws Exception {
        asOneRun(() -> {
            handshakeAndData(0, 1000, 5000);
            serverClosesFirst(10, 1000, 5000);
        });
        assertThat(harness.numEventTimeTimers()).as("the close's linger, set once for the run").isEqualTo(1);
        assertThat(events(io.tcpwatch.core.fleet.ConnectionEvent.Kind.CLOSED)).as("the end, known within the run")
                .hasSize(1);
        watermark(LINGER_MS + 1_000);

        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("SF");
            assertThat(r.history).isEqualTo("ShADadfF");
            assertThat(r.origPkts).isEqualTo(5);
            assertThat(r.respPkts).isEqualTo(5);
        });
        assertThat(harness.numKeyedStateEntries()).as("the TIME_WAIT entry and the closed connection's kept packets")
                .isEqualTo(2);
        watermark(61_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aWindowsLikeServerHoldsTimeWaitForItsOwnLongerDuration() throws Exception {
        serverTtl = 127; // initial TTL 128, one hop away
        handshakeAndData(0, 1000, 5000);
        serverClosesFirst(10, 1000, 5000);
        watermark(61_000);
        assertThat(harness.numKeyedStateEntries()).as("still in TIME_WAIT after 60 s, its packets kept").isEqualTo(2);
        watermark(121_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aClosedConnectionsPacketsStayOnlyThroughTheServersTimeWait() throws Exception {
        handshakeAndData(0, 1000, 5000);
        c(10, FA, 1101, 5101, 0); // the client closes first: its own TIME_WAIT, no collision to explain later
        s(10.1, FA, 5101, 1102, 0);
        c(10.2, A, 1102, 5102, 0);
        watermark(LINGER_MS + 1_000);
        assertThat(harness.numKeyedStateEntries()).as("the client's TIME_WAIT entry alone").isEqualTo(1);
        watermark(61_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aSynIntoTheServersTimeWaitAnsweredWithAnOldAckIsAPortReuseCollision() throws Exception {
        handshakeAndData(0, 1_000_000, 5000);
        serverClosesFirst(10, 1_000_000, 5000);
        // new SYN below the old rcv_nxt, 500 ms later: the server answers with the old connection's ACK
        c(500, SYN, 900_000, 0, 0);
        s(500.05, A, 5102, 1_000_102, 0);
        c(500.1, R, 1_000_102, 0, 0);
        c(510, SYN, 900_000, 0, 0);
        s(510.05, SA, 7000, 900_001, 0);
        c(510.1, A, 900_001, 7001, 0);
        watermark(2_000);

        assertThat(detections("PORT_REUSE_COLLISION")).singleElement().satisfies(d -> {
            assertThat(d.confidence).isEqualTo(1.0);
            assertThat(d.explanation).contains("TIME_WAIT").contains("ack 1000102 instead of 900001");
            assertThat(d.evidenceJson).contains("\"client_rst\":true").contains("\"gap_seconds\":0.49");
        });
        assertThat(detections("SYN_RETRANSMIT")).hasSize(1);
        assertThat(detections("RST")).singleElement().satisfies(d -> assertThat(d.cause).isEqualTo("CHALLENGE_ACK_REPLY"));
        // its packets: the old connection's last four (its FIN/ACKs), then the SYN, the old ACK, the RST, the retry, the SYN/ACK
        assertThat(detections("PORT_REUSE_COLLISION").get(0).packets).extracting(p -> (p.previous ? "old " : "")
                + (p.fromClient ? "c " : "s ") + TcpFlags.describe(p.flags) + " " + p.seq).containsExactly(
                "old c PSH,ACK 1000001", "old s PSH,ACK 5001", "old s FIN,ACK 5101", "old c FIN,ACK 1000101",
                "c SYN 900000", "s ACK 5102", "c RST 1000102", "c SYN 900000", "s SYN,ACK 7000");

        // the RST carried the old connection's sequence number: the new incarnation's data is not a retransmission
        c(2_100, PA, 900_001, 7001, 300);
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(records()).hasSize(2);
        assertThat(records().get(1)).satisfies(r -> {
            assertThat(r.retransmissions).isZero();
            assertThat(r.synRetransmits).isEqualTo(1);
            assertThat(r.history).isEqualTo("SaRhAD");
        });
    }

    @Test
    void aReuseTheServerAcceptsAtOnceIsNotACollision() throws Exception {
        handshakeAndData(0, 1000, 5000);
        serverClosesFirst(10, 1000, 5000);
        c(500, SYN, 90_000_000, 0, 0);
        s(500.05, SA, 7000, 90_000_001, 0);
        c(500.1, A, 90_000_001, 7001, 0);
        watermark(2_000);

        assertThat(detections()).isEmpty();
        assertThat(records()).hasSize(1); // the first incarnation; the second is still open
    }

    @Test
    void aZeroWindowHeldForASecondWithProbesIsAStallButAShortOneIsNot() throws Exception {
        handshakeAndData(0, 1000, 5000);
        seg(100, false, A, 5101, 20_000, 0, 0);      // server: window 0
        seg(300, true, A, 19_999, 5101, 1, 502);     // client: zero-window probe
        seg(301, false, A, 5101, 20_000, 0, 0);
        seg(700, true, A, 19_999, 5101, 1, 502);
        seg(1100, false, A, 5101, 20_000, 0, 4096);  // reopened after 1 s
        seg(2000, false, A, 5101, 20_000, 0, 0);     // closed again …
        seg(2100, false, A, 5101, 20_000, 0, 4096);  // … for 100 ms only
        watermark(3_000);

        assertThat(detections()).singleElement().satisfies(d -> {
            assertThat(d.type).isEqualTo("ZERO_WINDOW_STALL");
            assertThat(d.evidenceJson).contains("\"stall_seconds\":1.0").contains("\"probes\":2")
                    .contains("\"receiver\":\"server\"");
        });
    }

    @Test
    void aSynAckNeverCompletedIsHalfOpenAtTheHandshakeTimeoutAndLeavesNoState() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        s(1000, SA, 5000, 1001, 0);
        watermark(19_000);
        assertThat(detections()).isEmpty();

        watermark(20_001);
        assertThat(detections()).singleElement().satisfies(d -> assertThat(d.type).isEqualTo("HALF_OPEN"));
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("OTH");
            assertThat(r.closeCause).isEqualTo("half-open");
        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aRetriedSynWhoseSynAckIsNeverCompletedIsReportedOnce() throws Exception {
        c(0, SYN, 1000, 0, 0);
        c(1000, SYN, 1000, 0, 0);
        s(1000.1, SA, 5000, 1001, 0);
        watermark(25_000);

        assertThat(detections()).extracting(d -> d.type).containsExactly("SYN_RETRANSMIT", "HALF_OPEN");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void anRstAfterTenSilentSecondsIsAnIdleTimeoutOnARoundTimer() throws Exception {
        handshakeAndData(0, 1000, 5000);
        s(10_002.1, RA, 5101, 1101, 0);
        watermark(20_000);

        assertThat(detections()).singleElement().satisfies(d -> {
            assertThat(d.cause).isEqualTo("IDLE_TIMEOUT");
            assertThat(d.origin).isEqualTo("ENDPOINT_APP");
            assertThat(d.evidenceJson).contains("\"round_timer_seconds\":10");
        });
        assertThat(records()).singleElement().satisfies(r -> assertThat(r.connState).isEqualTo("RSTR"));
    }

    @Test
    void aRejectionRightAfterTheHandshakeThenDataThenASecondRst() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0);
        s(5, RA, 5001, 1001, 0);
        c(10, PA, 1001, 5001, 200);
        s(10.05, R, 5001, 0, 0);
        watermark(LINGER_MS + 1_000);

        assertThat(detections()).extracting(d -> d.cause)
                .containsExactly("REJECTED_AFTER_HANDSHAKE", "DATA_AFTER_RST");
        assertThat(detections().get(1).origin).isEqualTo("ENDPOINT_STACK");
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("RSTR");
            assertThat(r.history).isEqualTo("ShArD");
        });
    }

    @Test
    void aCaptureOfTheClientsDirectionOnlyIsNeitherHalfOpenNorASynRetransmit() throws Exception {
        c(0, SYN, 1000, 0, 0); // the SYN/ACK and everything the server sent took another path
        c(1_000, SYN, 1000, 0, 0);
        c(1_100, A, 1001, 5001, 0);
        c(1_200, PA, 1001, 5001, 100);
        c(1_300, A, 1101, 5900, 0);
        c(1_400, FA, 1101, 5900, 0);
        watermark(600_000);

        assertThat(detections()).extracting(d -> d.type).doesNotContain("HALF_OPEN", "SYN_RETRANSMIT");
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("SH");
            assertThat(r.history).isEqualTo("SADF");
        });
    }

    @Test
    void aRstAfterBothFinsLeavesTheConnectionSfAsZeekLogsIt() throws Exception {
        handshakeAndData(0, 1000, 5000);
        c(10, FA, 1101, 5101, 0);
        s(10.1, FA, 5101, 1102, 0);
        s(10.2, R, 5102, 0, 0);
        watermark(LINGER_MS + 1_000);

        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.connState).isEqualTo("SF");
            assertThat(r.history).endsWith("Ffr");
        });
    }

    @Test
    void aClientAnsweringTheServersFinWithRstIsNormalAndZeekRsto() throws Exception {
        handshakeAndData(0, 1000, 5000);
        s(10, FA, 5101, 1101, 0);
        seg(10.2, true, RA, 1101, 5102, 0, 0);
        watermark(LINGER_MS + 1_000);

        assertThat(detections()).singleElement().satisfies(d -> {
            assertThat(d.cause).isEqualTo("RST_AFTER_FIN");
            assertThat(d.severity).isEqualTo("INFO");
            assertThat(d.explanation).contains("window of 0 is normal");
            assertThat(d.evidenceJson).contains("\"anomaly\":false");
        });
        assertThat(records()).singleElement().satisfies(r -> assertThat(r.connState).isEqualTo("RSTO"));
    }

    @Test
    void retransmittedPayloadIsCountedAndMarkedInTheHistory() throws Exception {
        handshakeAndData(0, 1000, 5000);
        c(5, PA, 1101, 5101, 500);
        c(205, PA, 1101, 5101, 500); // the same bytes again
        watermark(5_000);
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.retransmissions).isEqualTo(1);
            assertThat(r.history).contains("T");
            assertThat(r.connState).isEqualTo("S1");
        });
    }

    @Test
    void segmentsBehindTheWatermarkGoToTheLateOutput() throws Exception {
        watermark(10_000);
        c(5_000, SYN, 1000, 0, 0);
        assertThat(harness.getSideOutput(ConnectionTracker.LATE)).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    // ------------------------------------------------------------ requests the server never answered

    /** The client's request (100 bytes at 10 ms), acknowledged by the server's stack at 10.1 ms. */
    private void requestAcknowledged() throws Exception {
        c(0, SYN, 1000, 0, 0);
        s(0.1, SA, 5000, 1001, 0);
        c(0.2, A, 1001, 5001, 0);
        c(10, PA, 1001, 5001, 100);
        s(10.1, A, 5001, 1101, 0);
    }

    @Test
    void aRequestTheKernelAcknowledgedAndTheApplicationNeverAnsweredIsReportedWhenTheClientGivesUp() throws Exception {
        requestAcknowledged();
        c(14_010, FA, 1101, 5001, 0); // the client's timeout, 14 s later
        s(14_010.1, RA, 5001, 1102, 0); // the listener, when it finally runs, resets it
        watermark(30_000);

        assertThat(detections("UNANSWERED_REQUEST")).singleElement().satisfies(d -> {
            assertThat(d.severity).isEqualTo("WARNING");
            assertThat(d.explanation).contains("gave up after 14.0 s and closed");
            assertThat(d.evidenceJson).contains("\"waited_seconds\":14.0").contains("\"request_bytes\":100");
        });
    }

    @Test
    void anAnsweredRequestAStreamOrAShortWaitIsNotUnanswered() throws Exception {
        requestAcknowledged(); // answered after 12 s: slow, but served
        s(12_000, PA, 5001, 1101, 300);
        c(12_100, FA, 1101, 5301, 0);
        watermark(30_000);
        assertThat(detections("UNANSWERED_REQUEST")).isEmpty();
    }

    @Test
    void aClientThatKeepsSendingWithoutAnswerIsAStreamNotAnUnansweredRequest() throws Exception {
        requestAcknowledged(); // syslog over TCP: lines, never an answer
        c(20_000, PA, 1101, 5001, 100);
        s(20_000.1, A, 5001, 1201, 0);
        c(40_000, FA, 1201, 5001, 0);
        watermark(60_000);
        assertThat(detections("UNANSWERED_REQUEST")).isEmpty();
    }

    @Test
    void anAnswerTheCaptureMissedIsStillAnAnswer() throws Exception {
        requestAcknowledged(); // the server's 2,900 bytes are not in the capture; its FIN's sequence number says they were sent
        s(10_000, FA, 7901, 1101, 0);
        c(10_000.2, A, 1101, 7902, 0);
        c(10_050, FA, 1101, 7902, 0);
        watermark(30_000);
        assertThat(detections("UNANSWERED_REQUEST")).isEmpty();
    }

    @Test
    void aClientThatGivesUpBeforeTheThresholdIsNotReported() throws Exception {
        requestAcknowledged();
        c(5_010, FA, 1101, 5001, 0); // 5 s: below --unanswered-after
        watermark(30_000);
        assertThat(detections("UNANSWERED_REQUEST")).isEmpty();
    }
}

package io.tcpwatch.job.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.ConnectionRecord;
import org.junit.jupiter.api.Test;

/**
 * Captures that hold part of a connection: one direction only, a start or an end outside the
 * capture, segments long after a close. The expected {@code conn_state} and {@code history} are
 * Zeek's definitions (its conn.log documentation and base/protocols/conn/main.zeek) applied to the
 * segments each test sends.
 */
class PartialConnectionsTest extends TrackerHarness {

    private static String zeek(ConnectionRecord r) {
        return r.connState + "/" + r.history;
    }

    @Test
    void theClientsDirectionOnlyPastTheAttemptDelayIsTwoRecordsLikeZeeksAndNoDetection() throws Exception {
        c(0, SYN, 1000, 0, 0); // the SYN/ACK and everything the server sent took another path
        c(100, A, 1001, 5001, 0);
        c(200, PA, 1001, 5001, 21);
        c(1_000, PA, 1022, 5100, 300);
        c(6_000, PA, 1322, 5200, 80); // past the attempt delay: a new, partial record
        c(6_100, A, 1402, 5300, 0);
        c(6_200, FA, 1402, 5300, 0);
        watermark(600_000);

        assertThat(detections()).extracting(d -> d.type).doesNotContain("HALF_OPEN", "SYN_RETRANSMIT");
        assertThat(records()).extracting(PartialConnectionsTest::zeek).containsExactly("S0/SAD", "SH/DAF");
        assertThat(records().get(0).closeCause).isEqualTo("one-sided");
        assertThat(records()).allSatisfy(r -> assertThat(r.origPort).isEqualTo(CPORT));
    }

    @Test
    void aSynThatIsNeverAnsweredStaysOneAttemptWithItsRetries() throws Exception {
        c(0, SYN, 1000, 0, 0);
        c(1_000, SYN, 1000, 0, 0);
        c(3_000, SYN, 1000, 0, 0);
        c(7_000, SYN, 1000, 0, 0);
        watermark(600_000);

        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(zeek(r)).isEqualTo("S0/S");
            assertThat(r.synRetransmits).isEqualTo(3);
        });
    }

    @Test
    void aCaptureStartingAtTheServersFinIsFlippedAndEachLaterRstIsARecordOfItsOwn() throws Exception {
        s(0, FA, 5000, 1000, 0);     // the first segment comes from the server: the roles are flipped (^)
        c(0.4, A, 1000, 5001, 0);
        c(10_000, RA, 1000, 5001, 0);  // long after that close: a record of its own
        s(26_000, RA, 5001, 1000, 0);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(records()).extracting(PartialConnectionsTest::zeek)
                .containsExactly("SHR/^fA", "OTH/R", "RSTRH/^r");
        assertThat(records()).allSatisfy(r -> {
            assertThat(r.origPort).isEqualTo(CPORT);
            assertThat(r.respPort).isEqualTo(SPORT);
        });
    }

    @Test
    void aFinToAPeerNeverHeardClosesTheRecordAndTheOtherFinLaterOpensTheNext() throws Exception {
        s(0, FA, 5000, 1000, 0);
        c(0.4, A, 1000, 5001, 0);
        c(7_000, FA, 1000, 5001, 0);
        s(7_080, A, 5001, 1001, 0);
        s(23_000, RA, 5001, 1001, 0);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(records()).extracting(PartialConnectionsTest::zeek).containsExactly("SHR/^fA", "SH/Fa", "RSTRH/^r");
    }

    @Test
    void segmentsAfterTheLingerBelongToANewRecordWhetherOrNotTheWatermarkCameBetween() throws Exception {
        handshakeAndData(0, 1000, 5000);
        c(100, RA, 1101, 5101, 0);
        s(18_000, RA, 5101, 1101, 0); // no watermark in between: the record still ends at RST + linger
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(records()).extracting(PartialConnectionsTest::zeek).containsExactly("RSTO/ShADadR", "RSTRH/^r");
        assertThat(records().get(0).durationNs).isEqualTo(100_000_000L);
    }

    @Test
    void aLoneSynAckIsTheResponderSpeakingAndDataFromTheLowerPortIsTheServer() throws Exception {
        s(0, SA, 5000, 1001, 0);
        watermark(400_000); // past the idle expiry
        assertThat(records()).extracting(PartialConnectionsTest::zeek).containsExactly("OTH/^h");

        s(700_000, PA, 5001, 1001, 100); // midstream, from port 80 to port 40000
        c(700_001, A, 1001, 5101, 0);
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(records().get(1)).satisfies(r -> {
            assertThat(zeek(r)).isEqualTo("OTH/^dA");
            assertThat(r.origPort).isEqualTo(CPORT);
        });
    }

    @Test
    void retransmissionsAndZeroWindowsRepeatTheirLetterAtTheTenthAndHundredthTime() throws Exception {
        handshakeAndData(0, 1000, 5000);
        for (int i = 0; i < 12; i++) { // the same 100 bytes, 12 times
            c(10 + i, PA, 1001, 5101, 100);
        }
        for (int i = 0; i < 100; i++) { // the server's window closed for 100 segments
            seg(100 + i, false, A, 5101, 1101, 0, 0);
        }
        s(300, A, 5101, 1101, 0);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(records()).singleElement().satisfies(r -> {
            assertThat(r.history).isEqualTo("ShADadTTwww");
            assertThat(r.retransmissions).isEqualTo(12);
        });
    }
}

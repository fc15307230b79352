package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import static io.tcpwatch.job.fleet.FleetEvents.T0_MS;
import static io.tcpwatch.job.fleet.FleetEvents.closed;
import static io.tcpwatch.job.fleet.FleetEvents.established;
import static io.tcpwatch.job.fleet.FleetEvents.opened;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server windows in an operator test harness: counts, concurrency without rejected connections,
 * event-time order, late events, the RST baseline, quiet periods, sketches, state cleanup. Windows
 * are 10 s; events are applied 1 s (the reject window) after the watermark passes them.
 */
class FleetStatsFunctionTest {

    private KeyedOneInputStreamOperatorTestHarness<String, ServerEvents, FleetStats> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FleetStatsFunction(FleetConfig.defaults(), Duration.ofSeconds(1))),
                b -> b.server, Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(ConnectionEvent e) throws Exception {
        harness.processElement(ServerEvents.of(e), Math.floorDiv(e.tsNs, 1_000_000L));
    }

    private void watermark(long atMs) throws Exception {
        harness.processWatermark(T0_MS + atMs);
    }

    private List<FleetStats> stats() {
        return harness.extractOutputValues();
    }

    @Test
    void aWindowCountsOutcomesAndLeavesRejectedConnectionsOutOfTheConcurrency() throws Exception {
        for (int c = 1; c <= 4; c++) {
            send(opened(100 + c, c));
            send(established(102 + c, c));
        }
        send(closed(2_000, 1, null).data(10, 2).build());
        send(closed(150, 2, "REJECTED_AFTER_HANDSHAKE").origin("ENDPOINT_APP").data(10, 0).build());
        watermark(10_000);
        assertThat(stats()).as("the window waits for the reject window").isEmpty();
        watermark(11_000);

        assertThat(stats()).singleElement().satisfies(w -> {
            assertThat(w.server).isEqualTo(FleetEvents.SERVER);
            assertThat(w.observers).isEqualTo("obs");
            assertThat(w.newConnections).isEqualTo(4);
            assertThat(w.established).isEqualTo(4);
            assertThat(w.closed).isEqualTo(2);
            assertThat(w.concurrencyHighWater).as("client 2 never held a slot").isEqualTo(3);
            assertThat(w.concurrencyAtRejectionMin).isEqualTo(3);
            assertThat(w.concurrencyAtRejectionMax).isEqualTo(3);
            assertThat(w.rstRejectedAfterHandshake).isEqualTo(1);
            assertThat(w.rstByApp).isEqualTo(1);
            assertThat(w.topRstClients(3)).containsExactly(new FleetStats.ClientCount("10.1.0.2", 1));
            assertThat(w.distinctClients).isEqualTo(4);
            assertThat(w.retransmissionRate()).isEqualTo(0.1);
        });
    }

    @Test
    void concurrencyCarriesOverWindowsAndAnIdleServerIsForgottenAfterTheRetention() throws Exception {
        for (int c = 1; c <= 3; c++) {
            send(opened(c, c));
            send(established(c + 1, c));
        }
        for (int c = 1; c <= 3; c++) { // they end in the next window
            send(closed(15_000 + c, c, null).build());
        }
        watermark(31_000);

        assertThat(stats()).hasSize(2);
        assertThat(stats().get(1).concurrencyHighWater).as("3 still open when the window began").isEqualTo(3);
        assertThat(stats().get(1).newConnections).isZero();
        assertThat(harness.numKeyedStateEntries()).as("history kept for quiet periods").isPositive();
        watermark(Duration.ofHours(1).toMillis() + 60_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void eventsArrivingOutOfOrderAreAppliedInEventTimeOrder() throws Exception {
        // connection 1 closes before 2 is established, but the CLOSED arrives last
        send(opened(1, 1));
        send(established(2, 1));
        send(opened(10, 2));
        send(established(11, 2));
        send(closed(5, 1, null).build());
        watermark(11_000);
        assertThat(stats()).singleElement().satisfies(w -> assertThat(w.concurrencyHighWater).isEqualTo(1));
    }

    @Test
    void anEventForABucketAlreadyAppliedIsCountedAsLateNotLost() throws Exception {
        send(opened(1, 1));
        watermark(20_000);
        send(opened(2, 2));
        watermark(40_000);
        send(opened(40_500, 3));
        watermark(60_000);
        assertThat(stats()).hasSize(2);
        assertThat(stats().get(0).newConnections).isEqualTo(1);
        assertThat(stats().get(1).lateEvents).as("reported with the next window of the server").isEqualTo(1);
    }

    @Test
    void halfOpenSourcesAndRetriedConnectionsAreCountedApart() throws Exception {
        for (int c = 1; c <= 30; c++) {
            send(closed(500 + c, 100 + c, null).halfOpen().build()); // spoofed sources
        }
        send(opened(100, 1));
        send(FleetEvents.handshake(100, 1).retried(2).established().build()); // got in after 2 SYN retransmits
        send(FleetEvents.established(1_200, 1));
        send(closed(3_000, 2, null).halfOpen().synRetransmits(6).build()); // retried, never got in
        watermark(11_000);
        assertThat(stats()).singleElement().satisfies(w -> {
            assertThat(w.halfOpen).isEqualTo(31);
            assertThat(w.halfOpenSources).isEqualTo(31);
            assertThat(w.retriedEstablished).isEqualTo(1);
            assertThat(w.retriedHalfOpen).isEqualTo(1);
        });
    }

    @Test
    void theRstBaselineAveragesEarlierWindowsAndDecaysOverSilentOnes() throws Exception {
        for (int c = 1; c <= 30; c++) {
            send(closed(100 + c, c, "REFUSED").build());
        }
        send(closed(10_100, 31, "REFUSED").build());
        send(closed(50_100, 32, "REFUSED").build());
        watermark(61_000);
        double alpha = 2.0 / 31;
        assertThat(stats()).hasSize(3);
        assertThat(stats().get(0).rstBaseline).isZero();
        assertThat(stats().get(1).rstBaseline).isCloseTo(alpha * 30, org.assertj.core.data.Offset.offset(1e-9));
        double afterSecond = alpha * 1 + (1 - alpha) * alpha * 30;
        assertThat(stats().get(2).rstBaseline).as("three silent windows in between")
                .isCloseTo(afterSecond * Math.pow(1 - alpha, 3), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theQuietPeriodBeforeABurstIsMeasuredFromTheLastNewConnection() throws Exception {
        send(opened(1_000, 1));
        send(opened(1_500, 2));
        for (int c = 3; c <= 10; c++) {
            send(opened(6_500 + c, c));
        }
        send(opened(12_000, 11)); // next window: 5.5 s after the previous one
        watermark(21_000);
        assertThat(stats()).hasSize(2);
        assertThat(stats().get(0).quietBeforeNs).isEqualTo(5_003_000_000L);
        assertThat(stats().get(1).quietBeforeNs).isEqualTo(5_490_000_000L);
    }
}

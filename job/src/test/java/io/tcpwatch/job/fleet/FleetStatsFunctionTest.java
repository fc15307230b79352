package io.tcpwatch.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fleet windows in an operator test harness: counts, dedup of vantage points, concurrency, cleanup. */
class FleetStatsFunctionTest {

    private static final String SERVER = "10.0.0.1:443";
    private static final long T0_MS = 1_795_000_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<String, ConnectionEvent, FleetStats> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(FleetStatsFunction.of(FleetConfig.defaults(), Duration.ofSeconds(1))), e -> e.server, Types.STRING);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void event(String observer, ConnectionEvent.Kind kind, double atMs, int client, String rstCause)
            throws Exception {
        ConnectionEvent e = new ConnectionEvent();
        e.kind = kind;
        e.observer = observer;
        e.tsNs = (T0_MS * 1_000_000L) + (long) (atMs * 1_000_000L);
        e.server = SERVER;
        e.client = "10.1.0." + client + ":40000";
        e.isn = 1000L + client;
        e.wasEstablished = kind == ConnectionEvent.Kind.CLOSED && rstCause == null || "REJECTED_AFTER_HANDSHAKE".equals(rstCause);
        e.rstCause = rstCause;
        e.dataSegments = kind == ConnectionEvent.Kind.CLOSED ? 10 : 0;
        e.retransmissions = kind == ConnectionEvent.Kind.CLOSED && client == 1 ? 2 : 0;
        harness.processElement(e, Math.floorDiv(e.tsNs, 1_000_000L));
    }

    private List<FleetStats> stats() {
        return harness.extractOutputValues();
    }

    @Test
    void oneWindowCountsEachConnectionOnceFromEitherVantagePoint() throws Exception {
        for (String observer : new String[] {"server-side", "client-side"}) {
            for (int c = 1; c <= 4; c++) {
                event(observer, ConnectionEvent.Kind.OPENED, 100 + c, c, null);
                event(observer, ConnectionEvent.Kind.ESTABLISHED, 101 + c, c, null);
            }
            event(observer, ConnectionEvent.Kind.CLOSED, 2_000, 1, null);
            event(observer, ConnectionEvent.Kind.CLOSED, 2_500, 2, "REJECTED_AFTER_HANDSHAKE");
        }
        harness.processWatermark(T0_MS + 9_000);
        assertThat(stats()).isEmpty();
        harness.processWatermark(T0_MS + 10_000);

        assertThat(stats()).singleElement().satisfies(w -> {
            assertThat(w.server).isEqualTo(SERVER);
            assertThat(w.newConnections).isEqualTo(4);
            assertThat(w.established).isEqualTo(4);
            assertThat(w.closed).isEqualTo(2);
            assertThat(w.concurrencyHighWater).isEqualTo(4);
            assertThat(w.rstRejectedAfterHandshake).isEqualTo(1);
            assertThat(w.distinctClients).isEqualTo(4);
            assertThat(w.retransmissionRate()).isEqualTo(0.1);
        });
    }

    @Test
    void concurrencyCarriesOverIntoLaterWindowsAndStateEndsWithTheLastConnection() throws Exception {
        for (int c = 1; c <= 3; c++) {
            event("obs", ConnectionEvent.Kind.OPENED, c, c, null);
            event("obs", ConnectionEvent.Kind.ESTABLISHED, c + 1, c, null);
        }
        for (int c = 1; c <= 3; c++) { // they end in the next window
            event("obs", ConnectionEvent.Kind.CLOSED, 15_000 + c, c, null);
        }
        harness.processWatermark(T0_MS + 30_000);

        assertThat(stats()).hasSize(2);
        assertThat(stats().get(1).concurrencyHighWater).as("3 still open when the window began").isEqualTo(3);
        assertThat(stats().get(1).newConnections).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void eventsArrivingOutOfOrderAreAppliedInEventTimeOrder() throws Exception {
        // connection 1 closes before 2 is established, but the CLOSED arrives last
        event("obs", ConnectionEvent.Kind.OPENED, 1, 1, null);
        event("obs", ConnectionEvent.Kind.ESTABLISHED, 2, 1, null);
        event("obs", ConnectionEvent.Kind.OPENED, 10, 2, null);
        event("obs", ConnectionEvent.Kind.ESTABLISHED, 11, 2, null);
        event("obs", ConnectionEvent.Kind.CLOSED, 5, 1, null);
        harness.processWatermark(T0_MS + 10_000);
        assertThat(stats()).singleElement().satisfies(w -> assertThat(w.concurrencyHighWater).isEqualTo(1));
    }

    @Test
    void anEventForAWindowAlreadyReportedIsCountedAsLateNotLost() throws Exception {
        event("obs", ConnectionEvent.Kind.OPENED, 1, 1, null);
        harness.processWatermark(T0_MS + 20_000);
        event("obs", ConnectionEvent.Kind.OPENED, 2, 2, null);
        harness.processWatermark(T0_MS + 40_000);
        assertThat(stats()).singleElement().satisfies(w -> assertThat(w.newConnections).isEqualTo(1));
    }
}

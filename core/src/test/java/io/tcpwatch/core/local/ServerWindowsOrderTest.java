package io.tcpwatch.core.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.FleetStatsJson;
import io.tcpwatch.core.fleet.ServerWindows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A server's window is a function of its events, not of the order they reach the fleet stage (a
 * Flink exchange, a replay, the other driver) nor of chance: the same events, shuffled, give the same
 * statistics byte for byte, and the response-time quantiles are those of the values within the
 * histogram's three digits.
 */
class ServerWindowsOrderTest {

    private static final String SERVER = "10.0.0.1:443";
    private static final long T0_NS = 1_700_000_000_000_000_000L;

    @Test
    void theSameEventsInAnyOrderGiveTheSameWindow() {
        List<ConnectionEvent> events = connections(3_000, new Random(7));
        List<String> inOrder = windows(events);
        for (long seed = 1; seed <= 3; seed++) {
            List<ConnectionEvent> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(windows(shuffled)).as("shuffled with seed %d", seed).isEqualTo(inOrder);
        }
        assertThat(windows(events)).as("the same order again").isEqualTo(inOrder);
    }

    @Test
    void responseQuantilesAreTheValuesWithinThreeDigits() {
        Random random = new Random(11);
        List<ConnectionEvent> events = connections(5_000, random);
        long[] us = events.stream().filter(e -> e.responseNs >= 0).mapToLong(e -> e.responseNs / 1_000).sorted().toArray();
        FleetStats w = run(events).get(0);

        assertThat(w.responses).isEqualTo(us.length);
        assertThat(w.responseP50Ms).isBetween(exact(us, 0.50), exact(us, 0.50) * 1.001);
        assertThat(w.responseP90Ms).isBetween(exact(us, 0.90), exact(us, 0.90) * 1.001);
        assertThat(w.responseP99Ms).isBetween(exact(us, 0.99), exact(us, 0.99) * 1.001);
    }

    /**
     * {@code n} connections in one 10 s window, established and closed, several at the same instant;
     * half answer in 2 ms and half in 3 ms (a median on the edge, where a sampled sketch flips), a few
     * in up to 2 s.
     */
    private static List<ConnectionEvent> connections(int n, Random random) {
        List<ConnectionEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long openedNs = T0_NS + (long) random.nextInt(4_000) * 1_000_000L; // 4 000 instants for n connections
            String client = "10.0.1." + (i % 200) + ":" + (30_000 + i);
            events.add(event(ConnectionEvent.Kind.ESTABLISHED, openedNs, client, i));
            ConnectionEvent closed = event(ConnectionEvent.Kind.CLOSED, openedNs + (long) random.nextInt(5_000) * 1_000_000L, client, i);
            closed.wasEstablished = true;
            closed.responseNs = i % 97 == 0 ? random.nextInt(2_000_000) * 1_000L : (i % 2 == 0 ? 2_000_000L : 3_000_000L);
            events.add(closed);
        }
        return events;
    }

    private static ConnectionEvent event(ConnectionEvent.Kind kind, long tsNs, String client, long isn) {
        ConnectionEvent e = new ConnectionEvent();
        e.kind = kind;
        e.tsNs = tsNs;
        e.observer = "srv-1";
        e.server = SERVER;
        e.client = client;
        e.isn = isn;
        return e;
    }

    private static List<String> windows(List<ConnectionEvent> events) {
        return run(events).stream().map(FleetStatsJson::of).toList();
    }

    /** The events into one server's windows before the watermark moves, then the end of time. */
    private static List<FleetStats> run(List<ConnectionEvent> events) {
        LocalKeyedState<String> state = new LocalKeyedState<>();
        ServerWindows windows = new ServerWindows(FleetConfig.defaults(), TrackerConfig.defaults().fleetDelay(), state);
        List<FleetStats> out = new ArrayList<>();
        for (ConnectionEvent e : events) {
            assertThat(windows.onEvent(e, state.at(SERVER))).as("in time").isTrue();
        }
        state.advance(Long.MAX_VALUE, (server, at) -> windows.onTimer(server, at, state, out::add));
        return out;
    }

    private static double exact(long[] sortedUs, double quantile) {
        int rank = (int) Math.ceil(quantile * sortedUs.length);
        return Arrays.stream(sortedUs).skip(Math.max(0, rank - 1)).findFirst().orElseThrow() / 1e3;
    }
}

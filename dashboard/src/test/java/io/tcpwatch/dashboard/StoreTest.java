package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.ref.Reference;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store stays within its bounds, in records and in heap, however many server endpoints come and go. */
class StoreTest {

    private static final JsonNode WINDOW = Records.load("fleet-stats").get(0); // a real window record
    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");

    private static JsonNode window(int server, Instant start) {
        ObjectNode w = WINDOW.deepCopy();
        w.put("server", "10.244." + (server >> 8) + "." + (server & 0xFF) + ":8443");
        w.put("window_start", start.toString());
        w.put("window_end", start.plusSeconds(10).toString());
        return w;
    }

    /** Servers {@code [from, to)}, one after the other, each with 60 ten-second windows from {@code T0}. */
    private static void fill(Store store, int from, int to) {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < 60; k++) {
                store.addFleetStats(window(s, T0.plusSeconds(10L * k)));
            }
        }
    }

    @Test
    void pastTheCapTheServersUpdatedLongestAgoGoAndTheHeapStaysWhereTheCapPutsIt() {
        Store store = new Store(new Store.Limits(100, 60, 6_000, 100, Duration.ofDays(1)));
        long base = usedHeap();
        fill(store, 0, 100); // 6,000 windows: at the cap
        long atCap = usedHeap() - base;
        assertThat(store.size()).containsEntry("servers", 100).containsEntry("fleet_windows", 6_000);
        assertThat(store.evicted()).isZero();

        fill(store, 100, 1_000); // 900 more endpoints, as pod addresses churn: ten times the cap in all
        long afterTenTimes = usedHeap() - base;
        assertThat(store.size()).containsEntry("servers", 100).containsEntry("fleet_windows", 6_000);
        assertThat(store.evicted()).as("every window beyond the cap, counted").isEqualTo(54_000);
        assertThat(store.series("10.244.0.0:8443")).as("the first server went first").isEmpty();
        assertThat(store.series("10.244.3.231:8443")).as("the last one stays whole").hasSize(60);
        System.out.printf("store: %,d windows at the cap hold %,d KB of heap; after ten times as many, %,d KB%n",
                6_000, atCap >> 10, afterTenTimes >> 10);
        assertThat(afterTenTimes).as("heap held after ten times the cap, against at the cap")
                .isLessThan(atCap * 3 / 2);
        Reference.reachabilityFence(store);
    }

    @Test
    void windowsOlderThanTheRetentionBeforeTheNewestAreForgottenAndSoAreTheirServers() {
        Store store = new Store(new Store.Limits(100, 360, 60_000, 100, Duration.ofHours(1)));
        store.addFleetStats(window(1, T0));
        store.addFleetStats(window(1, T0.plus(Duration.ofMinutes(10))));
        store.addFleetStats(window(2, T0.plus(Duration.ofMinutes(30))));
        store.addFleetStats(window(2, T0.plus(Duration.ofMinutes(61))));
        assertThat(store.series("10.244.0.1:8443")).hasSize(1); // T0 is more than 1 h before the newest
        assertThat(store.evicted()).isEqualTo(1);
        store.addFleetStats(window(2, T0.plus(Duration.ofHours(3))));
        assertThat(store.size()).containsEntry("servers", 1).containsEntry("fleet_windows", 1);
        assertThat(store.evicted()).isEqualTo(4);
    }

    @Test
    void aServerKeepsItsLastWindowsOnly() {
        Store store = new Store(new Store.Limits(100, 10, 60_000, 100, Duration.ofDays(1)));
        fill(store, 0, 1);
        assertThat(store.series("10.244.0.0:8443")).hasSize(10);
        assertThat(store.series("10.244.0.0:8443").get(0).path("window_start").asText())
                .isEqualTo(T0.plusSeconds(500).toString());
        assertThat(store.evicted()).isEqualTo(50);
    }

    @Test
    void theOverviewIsWorstFirstAnOpenCriticalEpisodeAboveMoreResets() {
        Store store = new Store(Store.Limits.defaults());
        ObjectNode quiet = (ObjectNode) window(1, T0);
        quiet.putObject("rsts").put("REFUSED", 0);
        ObjectNode resetting = (ObjectNode) window(2, T0);
        resetting.putObject("rsts").put("REFUSED", 32);
        ObjectNode fewer = (ObjectNode) window(3, T0);
        fewer.putObject("rsts").put("REFUSED", 5);
        store.addFleetStats(quiet);
        store.addFleetStats(fewer);
        store.addFleetStats(resetting);
        assertThat(servers(store)).containsExactly("10.244.0.2:8443", "10.244.0.3:8443", "10.244.0.1:8443");

        ObjectNode flood = Records.load("detections").get(0).deepCopy();
        flood.put("id", "flood").put("type", "SYN_FLOOD").put("severity", "CRITICAL").put("status", "OPEN")
                .put("server", "10.244.0.1:8443");
        store.addDetection(flood);
        assertThat(servers(store)).containsExactly("10.244.0.1:8443", "10.244.0.2:8443", "10.244.0.3:8443");
        flood.put("status", "RESOLVED");
        store.addDetection(flood);
        assertThat(servers(store)).first().isEqualTo("10.244.0.2:8443");
    }

    private static List<String> servers(Store store) {
        List<String> out = new ArrayList<>();
        store.overview().path("servers").forEach(s -> out.add(s.path("server").asText()));
        return out;
    }

    /** Heap in use after full collections (what is still reachable), in bytes. */
    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}

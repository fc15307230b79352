package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.FleetConfig;
import static io.tcpwatch.job.fleet.FleetEvents.SERVER;
import static io.tcpwatch.job.fleet.FleetEvents.T0_MS;
import static io.tcpwatch.job.fleet.FleetEvents.closed;
import static io.tcpwatch.job.fleet.FleetEvents.established;
import static io.tcpwatch.job.fleet.FleetEvents.handshake;
import static io.tcpwatch.job.fleet.FleetEvents.opened;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.Detection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each fleet detection from connection outcome events, through the fleet stage's operators in test
 * harnesses (dedup → windows → rules as episodes): what fires, what stays quiet next to it, and the
 * episode's life (open, update, resolve) under one id.
 */
class FleetDetectionsTest {

    private FleetHarness fleet;

    @BeforeEach
    void setUp() throws Exception {
        fleet = new FleetHarness(FleetConfig.defaults());
    }

    @AfterEach
    void tearDown() throws Exception {
        fleet.close();
    }

    private void send(ConnectionEvent e) throws Exception {
        fleet.send(e);
    }

    private void watermark(long atMs) throws Exception {
        fleet.watermark(T0_MS + atMs);
    }

    private List<Detection> of(String type) {
        return fleet.detections().stream().filter(d -> d.type.equals(type)).toList();
    }

    private static ConnectionEvent on(String server, ConnectionEvent e) {
        e.server = server;
        return e;
    }

    /** {@code n} connections reset (REFUSED) in the window starting at {@code windowMs}, from 5 clients. */
    private void resets(long windowMs, int n, int firstClient) throws Exception {
        for (int i = 0; i < n; i++) {
            ConnectionEvent e = closed(windowMs + 100 + i, firstClient + i, "REFUSED").build();
            e.client = "10.1.0." + (1 + i % 5) + ":" + (40000 + firstClient + i);
            send(e);
        }
    }

    @Test
    void rstStormOpensGrowsAndResolvesAsOneEpisode() throws Exception {
        resets(0, 30, 0);
        resets(10_000, 35, 100); // not 1.5× the reported 30: no update
        resets(20_000, 100, 200); // grown and now CRITICAL: update
        watermark(31_000);

        List<Detection> storm = of("RST_STORM");
        assertThat(storm).extracting(d -> d.status).containsExactly("OPEN", "UPDATE");
        assertThat(storm).extracting(d -> d.id).containsOnly(storm.get(0).id);
        assertThat(storm.get(0).severity).isEqualTo("WARNING");
        assertThat(storm.get(1).severity).isEqualTo("CRITICAL");
        assertThat(storm.get(0).explanation).contains("30 connections", "30 REFUSED", "the TCP stack (30)", "10.1.0.1 (6)");
        assertThat(storm.get(0).evidenceJson).contains("\"cause_REFUSED\":30", "tcp.flags.reset == 1");

        watermark(50_000); // two windows without the storm
        assertThat(of("RST_STORM")).hasSize(3);
        Detection resolved = of("RST_STORM").get(2);
        assertThat(resolved.status).isEqualTo("RESOLVED");
        assertThat(resolved.id).isEqualTo(storm.get(0).id);
        assertThat(resolved.explanation).startsWith("Over: RST_STORM").contains("3 windows", "100 connections");

        watermark(Duration.ofHours(2).toMillis());
        assertThat(fleet.stateEntries()).as("all fleet state is gone once the server is idle").isZero();
    }

    @Test
    void rstsBelowTheFloorOrWithinTheServersBaselineAreNoStorm() throws Exception {
        resets(0, 19, 0);
        watermark(11_000);
        assertThat(of("RST_STORM")).isEmpty();

        for (int w = 1; w <= 40; w++) { // a server that always resets 25 connections a window
            resets(w * 10_000L, 25, w * 100);
        }
        watermark(42 * 10_000L);
        assertThat(of("RST_STORM")).extracting(d -> d.status).as("opens cold, resolves as the baseline learns")
                .containsExactly("OPEN", "RESOLVED");
        resets(45 * 10_000L, 40, 9_000); // 1.6× the baseline of 25: still within k = 5
        watermark(47 * 10_000L);
        assertThat(of("RST_STORM")).hasSize(2);
    }

    @Test
    void synFloodIsSingleSynHandshakesThatOverflowTheSynQueue() throws Exception {
        for (int c = 1; c <= 40; c++) { // spoofed sources, one SYN each: 20 in the SYN queue, then SYN cookies
            send(on("10.0.0.1:7006", handshake(500 + c, 300 + c).answered(c > 20).build()));
        }
        send(on("10.0.0.1:7006", handshake(900, 1).established().build()));
        send(on("10.0.0.1:7006", established(900, 1)));
        for (int c = 1; c <= 40; c++) { // the same burst, absorbed: every SYN/ACK sent again, no overflow
            send(on("10.0.0.1:7008", handshake(500 + c, 300 + c).answered(false).build()));
        }
        for (int c = 1; c <= 40; c++) { // the queue full: SYNs left unanswered while others are answered
            send(on("10.0.0.1:7009", handshake(500 + c, 300 + c).answered(false).build()));
            send(on("10.0.0.1:7009", handshake(550 + c, 400 + c).build()));
        }
        for (int c = 1; c <= 40; c++) { // SYNs no one answers (a firewall, or the answers go elsewhere): no overflow seen
            send(on("10.0.0.1:7010", handshake(500 + c, 300 + c).build()));
        }
        for (int c = 1; c <= 12; c++) { // too few single SYNs, though in cookie mode
            send(on("10.0.0.1:7011", handshake(500 + c, 300 + c).answered(true).build()));
        }
        watermark(11_000);

        assertThat(of("SYN_FLOOD")).extracting(d -> d.server).containsExactlyInAnyOrder("10.0.0.1:7006", "10.0.0.1:7009");
        assertThat(of("SYN_FLOOD")).filteredOn(d -> d.server.equals("10.0.0.1:7006")).singleElement().satisfies(d -> {
            assertThat(d.severity).isEqualTo("CRITICAL");
            assertThat(d.explanation).contains("40 connections", "20 of them with SYN cookies");
            assertThat(d.evidenceJson).contains("\"single_syn_pending\":40", "\"syn_cookies\":20", "\"established\":1");
        });
        assertThat(of("SYN_FLOOD")).filteredOn(d -> d.server.equals("10.0.0.1:7009")).singleElement()
                .satisfies(d -> assertThat(d.explanation).contains("left 40 SYNs without an answer"));
        assertThat(of("ACCEPT_BACKLOG_OVERFLOW")).isEmpty();
    }

    @Test
    void acceptBacklogOverflowIsLegitimateClientsTurnedAwayWhileOthersGetIn() throws Exception {
        for (int c = 1; c <= 5; c++) { // clients that got in after retrying their SYN
            send(on("10.0.0.1:7005", handshake(1_000 + c * 100, c).retried(1 + c % 2).established().build()));
            send(on("10.0.0.1:7005", established(1_000 + c * 100 + 1_000, c)));
        }
        // 2 still retrying after 3.5 s, 1 had its handshake ACK ignored, 2 others got in at once
        send(on("10.0.0.1:7007", handshake(500, 1).retried(2).build()));
        send(on("10.0.0.1:7007", handshake(600, 2).retried(2).build()));
        send(on("10.0.0.1:7007", closed(700, 3, null).handshakeAckIgnored().build()));
        for (int c = 4; c <= 5; c++) {
            send(on("10.0.0.1:7007", handshake(800, c).established().build()));
            send(on("10.0.0.1:7007", established(800, c)));
        }
        for (int c = 1; c <= 5; c++) { // retrying clients no one lets in: a firewall or a dead host, not a backlog
            send(on("10.0.0.1:7012", handshake(500 + c, c).retried(2).build()));
        }
        for (int c = 1; c <= 2; c++) { // two retries: below the floor
            send(on("10.0.0.1:7013", handshake(500 + c, c).retried(1).established().build()));
            send(on("10.0.0.1:7013", established(1_500 + c, c)));
        }
        for (int c = 1; c <= 30; c++) { // retried clients during a flood: the flood explains them
            send(on("10.0.0.1:7014", handshake(500 + c, 100 + c).answered(true).build()));
        }
        for (int c = 1; c <= 3; c++) {
            send(on("10.0.0.1:7014", handshake(510 + c, c).retried(1).established().build()));
            send(on("10.0.0.1:7014", established(1_510 + c, c)));
        }
        watermark(11_000);

        assertThat(of("ACCEPT_BACKLOG_OVERFLOW")).extracting(d -> d.server)
                .containsExactlyInAnyOrder("10.0.0.1:7005", "10.0.0.1:7007");
        assertThat(of("ACCEPT_BACKLOG_OVERFLOW")).filteredOn(d -> d.server.equals("10.0.0.1:7005")).singleElement()
                .satisfies(d -> assertThat(d.explanation).contains("5 connections got in only after", "Possible SYN flooding on port 7005"));
        assertThat(of("ACCEPT_BACKLOG_OVERFLOW")).filteredOn(d -> d.server.equals("10.0.0.1:7007")).singleElement()
                .satisfies(d -> assertThat(d.evidenceJson).contains("\"retried_pending\":2", "\"handshake_acks_ignored\":1"));
        assertThat(of("SYN_FLOOD")).extracting(d -> d.server).containsExactly("10.0.0.1:7014");
    }

    @Test
    void slowResponsesAreJudgedAgainstTheServersOwnBaseline() throws Exception {
        int client = 1;
        for (int window = 0; window < 3; window++) { // 30 s of ordinary answers: 8–12 ms; always 300 ms elsewhere
            for (int i = 0; i < 25; i++, client++) {
                send(on("10.0.0.1:8080", closed(window * 10_000 + 100 + i * 100, client, null).response(8 + i % 5).build()));
                send(on("10.0.0.1:8081", closed(window * 10_000 + 100 + i * 100, client, null).response(300).build()));
            }
        }
        for (int i = 0; i < 25; i++, client++) { // then 250–450 ms: the application slowed down
            send(on("10.0.0.1:8080", closed(30_100 + i * 100, client, null).response(250 + i * 8).build()));
            send(on("10.0.0.1:8081", closed(30_100 + i * 100, client, null).response(300).build()));
        }
        for (int i = 0; i < 10; i++, client++) { // slow, but too few answers to judge
            send(on("10.0.0.1:8082", closed(30_100 + i * 100, client, null).response(i < 5 ? 10 : 900).build()));
        }
        watermark(41_000);

        assertThat(of("SLOW_RESPONSES")).singleElement().satisfies(d -> {
            assertThat(d.server).isEqualTo("10.0.0.1:8080");
            assertThat(d.startNs).isEqualTo((T0_MS + 30_000) * 1_000_000L);
            assertThat(d.explanation).contains("25 connections", "its usual 12 ms");
            assertThat(d.evidenceJson).contains("\"responses\":25", "\"baseline_p90_ms\":12.0");
        });
        assertThat(fleet.stats()).filteredOn(w -> w.server.equals("10.0.0.1:8081")).allSatisfy(w -> {
            assertThat(w.responses).isEqualTo(25);
            assertThat(w.responseP50Ms).as("a quantile is the value's bucket's upper end: three digits")
                    .isBetween(300.0, 300.0 * 1.001);
        });
    }

    @Test
    void connectionLimitReportsTheNumberTheApplicationServes() throws Exception {
        for (int c = 1; c <= 8; c++) { // 8 held
            send(opened(100 + c, c));
            send(established(120 + c, c));
        }
        for (int c = 9; c <= 30; c++) { // the rest: in, and reset 5 ms later
            send(opened(500 + c * 10, c));
            send(established(520 + c * 10, c));
            send(closed(525 + c * 10, c, "REJECTED_AFTER_HANDSHAKE").origin("ENDPOINT_APP").build());
        }
        watermark(11_000);

        assertThat(of("CONNECTION_LIMIT")).singleElement().satisfies(d -> {
            assertThat(d.explanation).contains("at most 8 connections", "22 more were reset");
            assertThat(d.evidenceJson).contains("\"limit\":8,", "\"rejected_after_handshake\":22");
        });
        assertThat(fleet.stats()).singleElement().satisfies(w -> assertThat(w.concurrencyHighWater).isEqualTo(8));
    }

    @Test
    void rejectionsAtChangingConcurrencyAreNoLimit() throws Exception {
        int client = 1;
        for (int held = 1; held <= 8; held++) { // one more connection held before each rejection
            send(opened(held * 100, client));
            send(established(held * 100 + 10, client++));
            send(opened(held * 100 + 50, client));
            send(established(held * 100 + 60, client));
            send(closed(held * 100 + 65, client++, "REJECTED_AFTER_HANDSHAKE").build());
        }
        watermark(11_000);
        assertThat(of("CONNECTION_LIMIT")).isEmpty();
    }

    @Test
    void reconnectStormNeedsManyClientsAfterAQuietPeriod() throws Exception {
        send(opened(100, 1));
        send(opened(200, 2));
        for (int c = 3; c <= 27; c++) { // 25 clients after 5 s of quiet
            send(opened(5_200 + c, c));
            send(established(5_201 + c, c));
        }
        for (int c = 1; c <= 40; c++) { // elsewhere: 40 clients, one every 200 ms, never quiet
            send(on("10.0.0.2:80", opened(200 * c, 100 + c)));
            send(on("10.0.0.2:80", established(200 * c + 1, 100 + c)));
        }
        for (int c = 1; c <= 40; c++) { // and a flood after a quiet period: sources that never connect
            send(on("10.0.0.3:80", opened(5_000 + c, 200 + c)));
        }
        watermark(11_000);
        assertThat(of("RECONNECT_STORM")).singleElement().satisfies(d -> {
            assertThat(d.server).isEqualTo(SERVER);
            assertThat(d.explanation).contains("About 25 distinct clients", "5.0 s without a new connection");
        });
    }

    @Test
    void clientsSpreadOverTheWindowAfterAQuietPeriodAreNoHerd() throws Exception {
        send(opened(100, 1));
        for (int c = 2; c <= 25; c++) { // 24 clients after 3.9 s of quiet, one every 250 ms: 12 within 3 s
            send(opened(4_000 + 250 * (c - 2), c));
            send(established(4_001 + 250 * (c - 2), c));
        }
        watermark(11_000);
        assertThat(fleet.stats()).singleElement().satisfies(w -> {
            assertThat(w.distinctClients).isEqualTo(24);
            assertThat(w.quietBeforeNs).isEqualTo(3_900_000_000L);
            assertThat(w.burstClients).isEqualTo(12);
            assertThat(w.burstQuietNs).isEqualTo(3_900_000_000L);
        });
        assertThat(of("RECONNECT_STORM")).isEmpty();
    }

    @Test
    void aHerdAcrossAWindowBoundaryIsOneStorm() throws Exception {
        send(opened(100, 1));
        for (int c = 2; c <= 26; c++) { // 25 clients after 8.4 s of quiet, one every 100 ms from 8.5 s: 15 in the first window
            send(opened(8_500 + 100 * (c - 2), c));
            send(established(8_501 + 100 * (c - 2), c));
        }
        send(opened(25_000, 1)); // later traffic: the herd is over
        watermark(41_000);
        assertThat(fleet.stats()).extracting(w -> w.burstClients).containsExactly(15L, 25L, 0L);
        assertThat(of("RECONNECT_STORM")).extracting(d -> d.status).containsExactly("OPEN", "RESOLVED");
        assertThat(of("RECONNECT_STORM").get(0).explanation).contains("About 25 distinct clients", "within 3 s",
                "8.4 s without a new connection");
    }

    @Test
    void retransmissionSurgeIsPerHostPair() throws Exception {
        send(closed(1_000, 1, null).data(300, 9).build()); // 3%: loss
        send(closed(1_000, 2, null).data(300, 1).build()); // 0.3%: fine
        send(closed(1_000, 3, null).data(100, 10).build()); // too few segments to judge
        watermark(11_000);
        assertThat(of("RETRANSMISSION_SURGE")).singleElement().satisfies(d -> {
            assertThat(d.client).isEqualTo("10.1.0.1");
            assertThat(d.explanation).contains("3.0% of the data segments", "9 of 300");
        });
    }

    @Test
    void portExhaustionFromTheRateTimesTimeWaitOrFromCollisions() throws Exception {
        for (int c = 0; c < 2_500; c++) { // 250/s × 60 s = 15,000 ports ≥ 50% of 28,232
            ConnectionEvent o = opened(c * 4, c);
            o.client = "10.3.0.1:" + (32768 + c);
            send(o);
            ConnectionEvent e = closed(c * 4 + 2, c, null).timeWait(60, 64).build();
            e.client = o.client;
            send(e);
        }
        for (int c = 0; c < 2_000; c++) { // 200/s: 12,000 ports, within the budget
            ConnectionEvent o = opened(c * 5, 10_000 + c);
            o.client = "10.3.0.2:" + (32768 + c);
            send(o);
            ConnectionEvent e = closed(c * 5 + 2, 10_000 + c, null).timeWait(60, 64).build();
            e.client = o.client;
            send(e);
        }
        for (int c = 0; c < 1_500; c++) { // a Windows-like client: 150/s × 120 s = 18,000 > its 16,384 ports
            ConnectionEvent o = opened(c * 6, 20_000 + c);
            o.client = "10.3.0.3:" + (49152 + c);
            send(o);
            ConnectionEvent e = closed(c * 6 + 2, 20_000 + c, null).timeWait(120, 127).build();
            e.client = o.client;
            send(e);
        }
        send(closed(3_000, 7, null).collision().build()); // a collision alone is its own finding, not a shortage of ports
        watermark(11_000);

        assertThat(of("PORT_EXHAUSTION_RISK")).extracting(d -> d.client)
                .containsExactlyInAnyOrder("10.3.0.1", "10.3.0.3");
        Detection windows = of("PORT_EXHAUSTION_RISK").stream().filter(d -> d.client.equals("10.3.0.3")).findFirst().orElseThrow();
        assertThat(windows.severity).isEqualTo("CRITICAL");
        assertThat(windows.explanation).contains("16384 ephemeral ports", "exhausted in 109 s");
        Detection rate = of("PORT_EXHAUSTION_RISK").stream().filter(d -> d.client.equals("10.3.0.1")).findFirst().orElseThrow();
        assertThat(rate.explanation).contains("250.0 connections/s", "about 15000 of the client's 28232 ephemeral ports",
                "53%", "budget 50%");
        assertThat(rate.explanation).contains("The range runs out at 471 connections/s (1.9× this rate)");
        assertThat(rate.severity).isEqualTo("WARNING");
    }

    @Test
    void twoVantagePointsOfTheSameConnectionsCountOnceInAnyOrder() throws Exception {
        List<ConnectionEvent> events = new ArrayList<>();
        for (String observer : List.of("client-side", "server-side")) {
            for (int c = 1; c <= 25; c++) {
                ConnectionEvent e = closed(100 + c, c, "REFUSED").observer(observer).build();
                e.tsNs += observer.equals("client-side") ? 3_000_000L : 0; // another clock
                events.add(e);
            }
        }
        Collections.shuffle(events, new Random(7));
        for (ConnectionEvent e : events) {
            send(e);
        }
        watermark(11_000);
        assertThat(fleet.stats()).singleElement().satisfies(w -> {
            assertThat(w.rstRefused).isEqualTo(25);
            assertThat(w.observers).as("whoever reported first").isNotEmpty();
        });
        assertThat(of("RST_STORM")).singleElement().satisfies(d -> assertThat(d.explanation).contains("25 connections"));
    }

    @Test
    void anEpisodeOfAServerThatFallsSilentResolvesAsOtherServersMoveTime() throws Exception {
        resets(0, 30, 0);
        watermark(11_000);
        assertThat(of("RST_STORM")).hasSize(1);
        for (int s = 1; s <= 4; s++) { // only another server speaks from now on
            send(on("10.0.0.9:80", opened(10_000 * s + 5, s)));
            watermark(10_000L * s + 11_000);
        }
        assertThat(of("RST_STORM")).extracting(d -> d.status).containsExactly("OPEN", "RESOLVED");
    }
}

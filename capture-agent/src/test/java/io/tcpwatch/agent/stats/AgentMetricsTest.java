package io.tcpwatch.agent.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.capture.parse.SkipReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent's counters as Prometheus scrapes them from /metrics. */
class AgentMetricsTest {

    @Test
    void aScrapeShowsTheSnapshotsCountersLabelledWithTheObserver() throws Exception {
        Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
        skipped.put(SkipReason.NOT_TCP, 7L);
        skipped.put(SkipReason.COPY_ON_ANOTHER_INTERFACE, 70L);
        AgentStats stats = new AgentStats("node-1", Instant.now(), "live:any", 1_077, 1_100L, 20L, 3L, 1_000, skipped, 0,
                12, 980, 5, 3, 0);
        try (AgentMetrics metrics = new AgentMetrics("127.0.0.1", 0, () -> stats)) {
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(text).contains(
                    "tcpwatch_agent_packets_seen_total{observer=\"node-1\"} 1077.0",
                    "tcpwatch_agent_pcap_received_total{observer=\"node-1\"} 1100.0",
                    "tcpwatch_agent_pcap_dropped_total{observer=\"node-1\"} 20.0",
                    "tcpwatch_agent_pcap_ifdropped_total{observer=\"node-1\"} 3.0",
                    "tcpwatch_agent_segments_parsed_total{observer=\"node-1\"} 1000.0",
                    "tcpwatch_agent_skipped_total{observer=\"node-1\",reason=\"NOT_TCP\"} 7.0",
                    "tcpwatch_agent_skipped_total{observer=\"node-1\",reason=\"COPY_ON_ANOTHER_INTERFACE\"} 70.0",
                    "tcpwatch_agent_sent_total{observer=\"node-1\"} 980.0",
                    "tcpwatch_agent_dropped_total{observer=\"node-1\"} 5.0",
                    "tcpwatch_agent_send_errors_total{observer=\"node-1\"} 3.0",
                    "tcpwatch_agent_queue_depth{observer=\"node-1\"} 12.0");
            for (String name : AgentMetrics.NAMES) {
                assertThat(text).as(name).contains("\n" + name + "{");
            }
        }
    }
}

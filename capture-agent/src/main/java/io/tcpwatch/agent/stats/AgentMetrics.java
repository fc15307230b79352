package io.tcpwatch.agent.stats;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tcpwatch.capture.parse.SkipReason;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The agent's counters for Prometheus on {@code /metrics} (the Prometheus Java client's exporter),
 * read from the same snapshot as {@code tcp.agent-stats}, labelled with the observer:
 * {@code tcpwatch_agent_packets_seen_total}, {@code _pcap_received_total}, {@code _pcap_dropped_total}
 * (libpcap's ps_drop), {@code _pcap_ifdropped_total} (ps_ifdrop), {@code _segments_parsed_total},
 * {@code _skipped_total{reason}}, {@code _sent_total}, {@code _dropped_total} (queue full),
 * {@code _send_errors_total} and the gauge {@code tcpwatch_agent_queue_depth}.
 */
public final class AgentMetrics implements AutoCloseable {

    /** Every metric name this exports, as Prometheus sees them (the consistency test reads it). */
    public static final List<String> NAMES = List.of("tcpwatch_agent_packets_seen_total", "tcpwatch_agent_pcap_received_total",
            "tcpwatch_agent_pcap_dropped_total", "tcpwatch_agent_pcap_ifdropped_total", "tcpwatch_agent_segments_parsed_total",
            "tcpwatch_agent_skipped_total", "tcpwatch_agent_sent_total", "tcpwatch_agent_dropped_total",
            "tcpwatch_agent_send_errors_total", "tcpwatch_agent_queue_depth");

    private static final long SNAPSHOT_REUSE_MS = 500;

    private final HTTPServer server;
    private final Supplier<AgentStats> stats;
    private AgentStats last;
    private long lastAtMs;

    /** Serves {@code stats} on {@code bind}:{@code port} (0: any free port) until closed. */
    public AgentMetrics(String bind, int port, Supplier<AgentStats> stats) throws IOException {
        this.stats = stats;
        PrometheusRegistry registry = new PrometheusRegistry();
        counter(registry, "tcpwatch_agent_packets_seen", "Frames read from the capture.", AgentStats::packetsSeen);
        counter(registry, "tcpwatch_agent_pcap_received", "Frames libpcap received (ps_recv).", s -> orZero(s.pcapReceived()));
        counter(registry, "tcpwatch_agent_pcap_dropped", "Frames the kernel dropped before the agent saw them (ps_drop).",
                s -> orZero(s.pcapDropped()));
        counter(registry, "tcpwatch_agent_pcap_ifdropped", "Frames the interface dropped (ps_ifdrop).", s -> orZero(s.pcapIfDropped()));
        counter(registry, "tcpwatch_agent_segments_parsed", "TCP segments decoded from frames.", AgentStats::parsed);
        counter(registry, "tcpwatch_agent_sent", "Segments Kafka acknowledged.", AgentStats::sent);
        counter(registry, "tcpwatch_agent_dropped", "Segments dropped because the send queue was full.", AgentStats::dropped);
        counter(registry, "tcpwatch_agent_send_errors", "Segments Kafka refused or that failed to send.", AgentStats::sendErrors);
        CounterWithCallback.builder().name("tcpwatch_agent_skipped").help("Frames that are not a TCP segment, by reason.")
                .labelNames("observer", "reason").callback(cb -> {
                    AgentStats s = snapshot();
                    for (Map.Entry<SkipReason, Long> e : s.skipped().entrySet()) {
                        cb.call(e.getValue(), s.observer(), e.getKey().name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("tcpwatch_agent_queue_depth").help("Segments waiting to be sent to Kafka.")
                .labelNames("observer").callback(cb -> {
                    AgentStats s = snapshot();
                    cb.call(s.queued(), s.observer());
                }).register(registry);
        server = HTTPServer.builder().hostname(bind).port(port).registry(registry).buildAndStart();
    }

    public int port() {
        return server.getPort();
    }

    private void counter(PrometheusRegistry registry, String name, String help, ToLongFunction<AgentStats> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("observer").callback(cb -> {
            AgentStats s = snapshot();
            cb.call(value.applyAsLong(s), s.observer());
        }).register(registry);
    }

    /** One snapshot serves every metric of a scrape. */
    private synchronized AgentStats snapshot() {
        long now = System.currentTimeMillis();
        if (last == null || now - lastAtMs > SNAPSHOT_REUSE_MS) {
            last = stats.get();
            lastAtMs = now;
        }
        return last;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    @Override
    public void close() {
        server.close();
    }
}

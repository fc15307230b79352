package io.tcpwatch.dashboard;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.TreeSet;

/**
 * The dashboard's {@code /metrics}: what it received, what it holds and what it dropped, read from
 * the {@link Store} and the {@link TopicFeed} when Prometheus scrapes, written by Prometheus' own
 * client in its text format (label values escaped as the format requires).
 */
public final class DashboardMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public DashboardMetrics(Store store, TopicFeed feed) {
        CounterWithCallback.builder().name("tcpwatch_dashboard_detections_total")
                .help("Detection records received, by type and severity.").labelNames("type", "severity")
                .callback(c -> store.detectionsByTypeAndSeverity().forEach((k, v) -> {
                    String[] ts = k.split("\\|", 2);
                    c.call(v, ts[0], ts.length > 1 ? ts[1] : "");
                })).register(registry);
        CounterWithCallback.builder().name("tcpwatch_dashboard_records_total").help("Records received, by topic.")
                .labelNames("topic").callback(c -> {
                    for (String t : new String[] {"detections", "fleet-stats", "connections"}) {
                        c.call(store.received(t), t);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("tcpwatch_dashboard_consumer_lag").help("Records in the topic not yet consumed.")
                .labelNames("topic").callback(c -> feed.lag().forEach((t, v) -> c.call(v, t))).register(registry);
        GaugeWithCallback.builder().name("tcpwatch_dashboard_open_incidents").help("Fleet episodes opened and not resolved.")
                .callback(c -> c.call(store.openIncidents())).register(registry);
        GaugeWithCallback.builder().name("tcpwatch_dashboard_store_records")
                .help("What the dashboard holds: server endpoints, their fleet windows, detections, connection records.")
                .labelNames("kind").callback(c -> store.size().forEach((k, v) -> c.call(v, k))).register(registry);
        CounterWithCallback.builder().name("tcpwatch_dashboard_dropped_total")
                .help("Records dropped: not JSON, or beyond the history's bounds.").labelNames("reason").callback(c -> {
                    c.call(feed.undecodable(), "undecodable");
                    c.call(store.evicted(), "evicted");
                }).register(registry);
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The names of the series it exports, with or without data yet (as written: a counter's with {@code _total}). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot m : registry.scrape()) {
            names.add(m.getMetadata().getPrometheusName() + (m instanceof CounterSnapshot ? "_total" : ""));
        }
        return names;
    }
}

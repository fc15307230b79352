package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /metrics in Prometheus' text format, label values escaped whatever a record carries. */
class DashboardMetricsTest {

    @Test
    void labelValuesAreEscapedAsTheTextFormatRequires() throws Exception {
        Store store = new Store(Store.Limits.defaults());
        ObjectNode d = Records.load("detections").get(0).deepCopy();
        d.put("type", "ODD\"TYPE\\WITH\nNEWLINE");
        store.addDetection(d);
        try (TopicFeed feed = new TopicFeed("127.0.0.1:9", new TopicFeed.Topics("a", "b", "c"), Duration.ofHours(1),
                Map.of(), store)) { // never started: its counters only
            DashboardMetrics metrics = new DashboardMetrics(store, feed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.write(out);
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("type=\"ODD\\\"TYPE\\\\WITH\\nNEWLINE\"} 1.0")
                    .contains("tcpwatch_dashboard_store_records{kind=\"detections\"} 1.0");
            assertThat(metrics.contentType()).startsWith("text/plain; version=0.0.4");
            assertThat(metrics.names()).contains("tcpwatch_dashboard_detections_total", "tcpwatch_dashboard_consumer_lag",
                    "tcpwatch_dashboard_store_records", "tcpwatch_dashboard_dropped_total", "tcpwatch_dashboard_open_incidents");
        }
    }
}

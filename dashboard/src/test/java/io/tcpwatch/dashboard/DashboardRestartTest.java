package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A dashboard reads what was written within its look-back, not the topics' retention; a restart
 * reads the same again; no consumer group is left on the broker.
 */
@Timeout(180)
class DashboardRestartTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void itReadsTheLookBackOnEveryStartAndLeavesNoGroupBehind() throws Exception {
        KAFKA.broker().createTopic("tcp.detections", 1);
        KAFKA.broker().createTopic("tcp.fleet-stats", 1);
        KAFKA.broker().createTopic("tcp.connections", 1);
        long now = Instant.now().toEpochMilli();
        try (KafkaProducer<String, String> p = producer()) {
            for (int i = 0; i < 3; i++) { // written three hours ago: beyond the look-back
                p.send(detection("old-" + i, now - Duration.ofHours(3).toMillis())).get();
            }
            for (int i = 0; i < 5; i++) {
                p.send(detection("recent-" + i, now - Duration.ofMinutes(10).toMillis())).get();
            }
        }
        Dashboard.Settings settings = Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(0);
        assertThat(settings.lookBack()).isEqualTo(Duration.ofHours(1));
        for (int start = 1; start <= 2; start++) {
            long recent = 5 + (start - 1); // and the live ones of the starts before
            try (Dashboard dashboard = new Dashboard(settings)) {
                await("start " + start + " reads the recent " + recent).atMost(Duration.ofMinutes(1))
                        .until(() -> dashboard.store().received("detections") == recent);
                try (KafkaProducer<String, String> p = producer()) { // and what comes next, behind them
                    p.send(detection("live-" + start, Instant.now().toEpochMilli())).get();
                }
                await("start " + start + " reads the live one").atMost(Duration.ofMinutes(1))
                        .until(() -> dashboard.store().received("detections") == recent + 1);
                assertThat(dashboard.store().detections(new Store.Query(null, null, null, null, null, null, 100)))
                        .noneMatch(d -> d.path("id").asText().startsWith("old-"));
            }
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()))) {
            assertThat(admin.listGroups().all().get()).as("consumer groups on the broker").isEmpty();
        }
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()), new StringSerializer(),
                new StringSerializer());
    }

    private static ProducerRecord<String, String> detection(String id, long timestampMs) {
        ObjectNode d = Records.load("detections").get(0).deepCopy();
        d.put("id", id);
        return new ProducerRecord<>("tcp.detections", null, timestampMs, d.path("server").asText(), d.toString());
    }
}

package io.tcpwatch.agent.kafka;

import io.tcpwatch.common.KafkaSettings;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With Kafka unreachable, a live capture must never block: the bounded queue fills, further
 * segments are dropped and counted, and every accepted segment ends up counted somewhere.
 */
@Timeout(120)
class SegmentPublisherTest {

    @Test
    void whenKafkaIsDownTheQueueFillsThenDropsAndEverySegmentIsAccountedFor() {
        // the sender's first send() waits for metadata that never comes, for ten minutes: if offer()
        // waited for room in the queue, this test would hang until its timeout
        var config = KafkaSettings.producer("127.0.0.1:1", "publisher-test", "zstd",
                Map.of("max.block.ms", "600000", "delivery.timeout.ms", "2000", "request.timeout.ms", "1000",
                        "linger.ms", "0"));
        SegmentPublisher publisher = new SegmentPublisher(config, "tcp.segments", 100);
        int offered = 10_000;
        int accepted = 0;
        for (int i = 0; i < offered; i++) {
            if (publisher.offer(new byte[] {1}, new byte[] {(byte) i})) {
                accepted++;
            }
        }

        assertThat(publisher.accepted()).isEqualTo(accepted);
        // at most the queue plus the one record the blocked sender holds
        assertThat(accepted).isBetween(100, 101);
        assertThat(publisher.droppedQueueFull()).isEqualTo(offered - accepted);

        publisher.close(Duration.ofSeconds(1));
        assertThat(publisher.sent()).isZero();
        assertThat(publisher.sent() + publisher.sendErrors() + publisher.unsentAtClose()).isEqualTo(accepted);
        assertThat(publisher.lastError()).as("the interrupted send is reported").isNotNull();
    }
}

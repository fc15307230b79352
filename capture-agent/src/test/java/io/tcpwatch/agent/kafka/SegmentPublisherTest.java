package io.tcpwatch.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With Kafka unreachable, a live capture must never block: the bounded queue fills, further
 * segments are dropped and counted, and every accepted segment ends up counted somewhere.
 */
@Timeout(60)
class SegmentPublisherTest {

    @Test
    void whenKafkaIsDownTheQueueFillsThenDropsAndEverySegmentIsAccountedFor() {
        var config = KafkaSettings.producer("127.0.0.1:1", "publisher-test", "zstd",
                Map.of("max.block.ms", "1000", "delivery.timeout.ms", "2000", "request.timeout.ms", "1000",
                        "linger.ms", "0"));
        SegmentPublisher publisher = new SegmentPublisher(config, "tcp.segments", 100);
        int offered = 10_000;
        long t0 = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < offered; i++) {
            if (publisher.offer(new byte[] {1}, new byte[] {(byte) i})) {
                accepted++;
            }
        }
        long offerNanos = System.nanoTime() - t0;

        assertThat(Duration.ofNanos(offerNanos)).as("offer never waits for Kafka").isLessThan(Duration.ofSeconds(2));
        assertThat(publisher.accepted()).isEqualTo(accepted);
        assertThat(publisher.droppedQueueFull()).isEqualTo(offered - accepted).isPositive();

        publisher.close(Duration.ofSeconds(5));
        assertThat(publisher.sent()).isZero();
        assertThat(publisher.sent() + publisher.sendErrors() + publisher.unsentAtClose()).isEqualTo(accepted);
        assertThat(publisher.lastError()).isNotNull();
    }
}

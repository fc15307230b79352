package io.tcpwatch.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.schema.RecordFormatException;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentRecordDecoder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The broker stops in the middle of a live stream of segments and comes back: the agent's
 * publisher never blocks, its bounded queue fills, then it drops and counts; after the restart it
 * sends again. The arithmetic holds exactly: offered = accepted + dropped, accepted = sent + send
 * errors + unsent at close (what the agent reports), and the topic holds exactly the sent records.
 */
@Timeout(600)
class BrokerOutageTest {

    /** Only a stuck run takes this long for a condition. */
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** The queue (5,000) plus 1 MB of producer buffer fill long before this many offers. */
    private static final long MAX_OUTAGE_OFFERS = 5_000_000;

    @Test
    void sentPlusDroppedEqualsCapturedAcrossABrokerRestart() throws Exception {
        int port = freePort();
        int controller = freePort();
        Path data = Files.createTempDirectory(Path.of("target"), "outage");
        EmbeddedKafka kafka = new EmbeddedKafka(data, port, controller);
        kafka.createTopics(Map.of("outage", 2));

        List<Segment> segments = new ArrayList<>();
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 10;
        cfg.seconds = 40;
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                segments.add(s.copy());
            }

            @Override
            public void close() {}
        });

        // a producer that cannot absorb an outage: 1 MB of buffer, and send() gives up on a full buffer
        // after 100 ms, so the sender thread crawls while the broker is away and the queue must fill
        SegmentPublisher publisher = new SegmentPublisher(KafkaSettings.producer(kafka.bootstrap(), "outage", "lz4",
                Map.of("buffer.memory", String.valueOf(1 << 20), "batch.size", String.valueOf(16 << 10),
                        "max.block.ms", "100", "request.timeout.ms", "2000", "retry.backoff.ms", "100",
                        "reconnect.backoff.max.ms", "500", "delivery.timeout.ms", "120000")), "outage", 5_000);
        KafkaSink live = new KafkaSink(publisher, false); // a live capture: never waits for Kafka
        int third = segments.size() / 3;
        long offered = 0;

        for (int i = 0; i < third; i++, offered++) { // the broker is up
            live.accept(segments.get(i));
        }
        await("everything accepted so far was acknowledged").atMost(WAIT)
                .until(() -> publisher.sent() + publisher.sendErrors() == publisher.accepted());

        kafka.close(); // the broker goes away mid-stream, and stays away until the queue reports full
        long droppedBefore = publisher.droppedQueueFull();
        long outageOffers = 0;
        while (publisher.droppedQueueFull() == droppedBefore) { // the middle third, again if need be
            if (outageOffers == MAX_OUTAGE_OFFERS) {
                fail("the queue did not fill in %,d offers while the broker was down", outageOffers);
            }
            live.accept(segments.get(third + (int) (outageOffers % third)));
            offered++;
            outageOffers++;
        }
        long outageAccepted = publisher.accepted();

        kafka = new EmbeddedKafka(data, port, controller); // the broker comes back, with its data
        await("the queue drained into the producer after the restart").atMost(WAIT).until(() -> publisher.queued() == 0);
        for (int i = 2 * third; i < segments.size(); i++, offered++) {
            live.accept(segments.get(i));
        }
        live.flush(); // the open batches
        publisher.drain(Duration.ofSeconds(60));
        publisher.close(Duration.ofSeconds(30));

        assertThat(publisher.accepted() + publisher.droppedQueueFull()).as("offered").isEqualTo(offered);
        assertThat(publisher.sent() + publisher.sendErrors() + publisher.unsentAtClose()).as("accepted")
                .isEqualTo(publisher.accepted());
        assertThat(publisher.accepted()).as("it sent again after the restart").isGreaterThan(outageAccepted);
        long inTopic = count(kafka.bootstrap(), "outage");
        assertThat(inTopic).as("the topic holds exactly what was reported sent").isEqualTo(publisher.sent());
        System.out.printf("broker outage: %,d segments offered (%,d in the outage), %,d sent, %,d dropped on a full queue, %,d send errors,"
                + " %,d unsent at close — all counted; %,d in the topic%n", offered, outageOffers, publisher.sent(), publisher.droppedQueueFull(),
                publisher.sendErrors(), publisher.unsentAtClose(), inTopic);
        kafka.close();
    }

    /** The segments the topic holds: every record up to the end offsets, decoded (a batch holds several). */
    private static long count(String bootstrap, String topic) throws RecordFormatException {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        SegmentRecordDecoder decoder = new SegmentRecordDecoder();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long segments = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    segments += decoder.decode(r.value()).size();
                }
            }
            return segments;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

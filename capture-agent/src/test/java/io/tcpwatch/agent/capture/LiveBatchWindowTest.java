package io.tcpwatch.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tcpwatch.agent.Agent;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentBatchDecoder;
import io.tcpwatch.schema.SegmentRecordDecoder;
import io.tcpwatch.schema.TcpFlags;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A live capture of the real Linux stack on loopback into a real broker, with flow batches: once the
 * network is quiet, the wall clock closes the open batches, so a connection's segments reach Kafka
 * about a batch window after its last segment while the agent keeps running — not when it stops.
 */
@Timeout(180)
class LiveBatchWindowTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WINDOW = Duration.ofMillis(500);

    @Test
    void aQuietCapturePublishesItsOpenBatchesAWindowAfterTheirFirstSegment() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            int port = server.getLocalPort();
            LiveCapture capture;
            try {
                capture = LiveCapture.open(new LiveCapture.Options("lo", "tcp port " + port, 128, 4, false));
            } catch (TcpwatchException e) {
                assumeTrue(e.exitCode() != ExitCode.NO_CAPTURE_PERMISSION,
                        "capturing on lo needs CAP_NET_RAW, which this test run does not have");
                throw e;
            }
            KAFKA.broker().createTopic("live-batches", 1);
            SegmentPublisher publisher = new SegmentPublisher(KafkaSettings.producer(KAFKA.broker().bootstrap(), "live",
                    "zstd", Map.of()), "live-batches", 1_000);
            KafkaSink sink = new KafkaSink(publisher, false, new KafkaSink.Batching(64, WINDOW));
            Agent agent = new Agent("live-observer", sink, null);
            Thread thread = new Thread(() -> {
                try {
                    agent.capture(capture);
                } catch (TcpwatchException e) {
                    throw new IllegalStateException(e);
                }
            }, "capture");
            thread.start();
            try {
                try (Socket client = new Socket(LOOPBACK, port); Socket accepted = server.accept()) {
                    client.getOutputStream().write(new byte[100]);
                    accepted.getInputStream().readNBytes(100);
                    accepted.getOutputStream().write(new byte[50]);
                    client.getInputStream().readNBytes(50);
                }
                long quietSinceMs = System.currentTimeMillis();

                List<Segment> published = new ArrayList<>();
                await("the connection's segments in Kafka while the agent runs").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            published.clear();
                            published.addAll(segments(KAFKA.broker().readToEnd("live-batches", Duration.ofSeconds(10))));
                            return published.stream().filter(s -> s.has(TcpFlags.FIN)).count() == 2;
                        });
                long arrivedMs = System.currentTimeMillis();
                assertThat(thread.isAlive()).as("the agent still capturing").isTrue();
                assertThat(published).anyMatch(s -> s.flags == TcpFlags.SYN && s.dstPort == port);
                assertThat(published.stream().mapToLong(s -> s.payloadLen).sum()).isEqualTo(150);
                assertThat(published).allMatch(s -> s.observer.equals("live-observer") && s.iface.equals("lo"));
                assertThat(KAFKA.broker().readToEnd("live-batches", Duration.ofSeconds(10)))
                        .allMatch(r -> SegmentBatchDecoder.isBatch(r.value()));
                System.out.printf("live capture, batch window %d ms: the connection's %d segments in Kafka %d ms after"
                        + " it went quiet%n", WINDOW.toMillis(), published.size(), arrivedMs - quietSinceMs);
            } finally {
                agent.requestStop();
                thread.join(5_000);
                capture.close();
                sink.close();
            }
        }
    }

    private static List<Segment> segments(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        SegmentRecordDecoder decoder = new SegmentRecordDecoder();
        List<Segment> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.addAll(decoder.decode(r.value()));
        }
        return out;
    }
}

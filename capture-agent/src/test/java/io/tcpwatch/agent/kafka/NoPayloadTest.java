package io.tcpwatch.agent.kafka;

import static io.tcpwatch.agent.testing.Frames.addr4;
import static io.tcpwatch.agent.testing.Frames.ethernet;
import static io.tcpwatch.agent.testing.Frames.ipv4;
import static io.tcpwatch.agent.testing.Frames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.agent.testing.CaptureFileWriter;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import io.tcpwatch.schema.SegmentRecordDecoder;
import io.tcpwatch.schema.TcpFlags;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent never publishes payload: segments whose payload is a known secret reach Kafka without a byte of it. */
class NoPayloadTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @TempDir
    Path dir;

    @Test
    void noPayloadByteReachesKafka() throws Exception {
        byte[] secret = "password=hunter2;card=4111111111111111".getBytes(StandardCharsets.US_ASCII);
        Path pcap = dir.resolve("secret.pcap");
        int frames = 200;
        try (CaptureFileWriter.Pcap w = CaptureFileWriter.pcap(pcap, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            for (int i = 0; i < frames; i++) {
                byte[] seg = tcp(40000 + i % 7, 443, 1000 + i * 100L, 5000, TcpFlags.PSH | TcpFlags.ACK, 502, new byte[0], 0);
                byte[] withPayload = new byte[seg.length + secret.length];
                System.arraycopy(seg, 0, withPayload, 0, seg.length);
                System.arraycopy(secret, 0, withPayload, seg.length, secret.length);
                byte[] frame = ethernet(0x0800, ipv4(addr4(10, 0, 0, 2), addr4(10, 0, 0, 1), withPayload));
                w.frame(1_795_000_000_000_000_000L + i * 1_000_000L, frame); // full frames: the payload is in the capture
            }
        }
        assertThat(Files.readAllBytes(pcap)).as("the capture holds the secret").containsSequence(secret);

        KAFKA.broker().createTopic("payload-check", 2);
        int exit = new CommandLine(new AgentCommand()).execute("--read", pcap.toString(), "--bootstrap", KAFKA.broker().bootstrap(),
                "--topic", "payload-check", "--stats-topic", "payload-stats", "--observer", "o", "--no-progress");
        assertThat(exit).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.broker().readToEnd("payload-check", Duration.ofMinutes(2));
        SegmentRecordDecoder decoder = new SegmentRecordDecoder();
        long segments = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            segments += decoder.decode(r.value()).size();
        }
        assertThat(segments).as("every segment published").isEqualTo(frames);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            // not the secret, nor any 4-byte piece of it
            for (int i = 0; i + 4 <= secret.length; i++) {
                byte[] piece = java.util.Arrays.copyOfRange(secret, i, i + 4);
                assertThat(indexOf(r.value(), piece)).as("payload bytes %s in a record", new String(piece, StandardCharsets.US_ASCII))
                        .isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

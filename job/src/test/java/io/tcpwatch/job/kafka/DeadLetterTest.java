package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.job.StreamingJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Poison records on tcp.segments — garbage, a wrong marker, another schema's fingerprint, an empty
 * value — between real segments: the job keeps running, finds exactly what it finds without them,
 * and puts each one on the dead-letter topic with its reason and position.
 */
@Timeout(600)
class DeadLetterTest extends JobOnKafka {

    static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheJobCarriesOn() throws Exception {
        for (String t : StreamingJob.Topics.defaults().all()) {
            KAFKA.broker().createTopic(t, 2);
        }
        byte[] otherSchema = {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 42};
        List<byte[]> poison = List.of("hello, world".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, 0x02, 0, 0},
                otherSchema);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] v : poison) {
                p.send(new ProducerRecord<>("tcp.segments", 0, null, v)).get();
            }
            p.send(new ProducerRecord<>("tcp.segments", 1, null, null)).get();
        }
        int agent = new CommandLine(new AgentCommand()).execute("--read", CORPUS.resolve("connection-limit.server.pcap").toString(),
                "--bootstrap", KAFKA.broker().bootstrap(), "--observer", "e2e", "--no-progress");
        assertThat(agent).isZero();

        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failure fails the test at once
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).as("poison", StartAt.EARLIEST)
                .withCheckpoints(Duration.ofSeconds(1)).withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)).boundedRun());
        env.execute("tcpwatch poison");

        assertThat(KAFKA.broker().readToEnd("tcp.detections", Duration.ofMinutes(2)))
                .as("the same 70 detections as without poison (KafkaEndToEndTest)").hasSize(70);
        List<JsonNode> dead = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (var r : KAFKA.broker().readToEnd("tcp.segments.dlq", Duration.ofMinutes(2))) {
            dead.add(json.readTree(r.value()));
        }
        assertThat(dead).extracting(d -> d.path("reason").asText())
                .containsExactlyInAnyOrder("BAD_MAGIC", "TRUNCATED", "UNKNOWN_FINGERPRINT", "EMPTY");
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.path("topic").asText()).isEqualTo("tcp.segments");
            assertThat(d.has("offset")).isTrue();
            assertThat(d.path("detail").asText()).isNotEmpty();
        });
        assertThat(dead).anySatisfy(d -> assertThat(d.path("value_head_base64").asText())
                .isEqualTo(java.util.Base64.getEncoder().encodeToString("hello, world".getBytes(StandardCharsets.UTF_8))));
    }
}

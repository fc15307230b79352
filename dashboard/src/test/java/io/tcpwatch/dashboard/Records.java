package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.testing.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Real job output — `tcpwatch analyze --json --fleet-stats --connections` on the corpus'
 * connection-limit and backlog-and-flood server captures — produced into a broker's topics the way
 * the job's Kafka sinks write them (key: server endpoint, timestamp: event time).
 */
final class Records {
    static final ObjectMapper JSON = new ObjectMapper();

    private Records() {}

    static List<JsonNode> load(String name) {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = Records.class.getResourceAsStream("/records/" + name + ".jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Creates the three topics and produces every record into them. */
    static void produceAll(KafkaBroker broker) throws Exception {
        broker.createTopic("tcp.detections", 2);
        broker.createTopic("tcp.fleet-stats", 1);
        broker.createTopic("tcp.connections", 1);
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", broker.bootstrap()),
                new StringSerializer(), new StringSerializer())) {
            for (JsonNode d : load("detections")) {
                p.send(new ProducerRecord<>("tcp.detections", d.path("server").asText(), d.toString()));
            }
            for (JsonNode w : load("fleet-stats")) {
                p.send(new ProducerRecord<>("tcp.fleet-stats", w.path("server").asText(), w.toString()));
            }
            for (JsonNode c : load("connections")) {
                p.send(new ProducerRecord<>("tcp.connections", c.path("id.resp_h").asText() + ":" + c.path("id.resp_p").asText(),
                        c.toString()));
            }
            p.flush();
        }
    }
}

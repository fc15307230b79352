package io.tcpwatch.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.job.kafka.JobOnKafka;
import io.tcpwatch.job.kafka.StartAt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A simulated fleet of 20 servers (two of them IPv6; four also watched from their clients' hosts)
 * with one of each incident injected, published to a KRaft broker, analysed by the job on a Flink
 * MiniCluster: the fleet detections on {@code tcp.detections} are exactly the injected incidents,
 * each opened once and resolved, and the fleet statistics count every connection once. One agent
 * reports lost packets: the detection it contributed to says so, with lower confidence.
 */
@Timeout(600)
class FleetSimulationEndToEndTest extends JobOnKafka {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theFleetDetectionsAreTheInjectedIncidentsAndNothingElse() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.seconds = 80;
        for (String incident : List.of("rst-storm@12:1", "syn-flood@15:2", "backlog@20:3", "connection-limit@25:4",
                "reconnect-storm@30:5", "packet-loss@35:6", "rst-storm@50:7", "port-exhaustion@40:10",
                "syn-burst@45:8", "backlog-pair@50:9")) { // the last two: near a threshold, below it
            cfg.incidents.add(Incident.parse(incident));
        }
        FleetSimulation fleet = new FleetSimulation(cfg);

        KAFKA.broker().createTopic("tcp.segments", 4);
        KAFKA.broker().createTopic("tcp.detections", 2);
        KAFKA.broker().createTopic("tcp.connections", 2);
        KAFKA.broker().createTopic("tcp.fleet-stats", 2);
        KAFKA.broker().createTopic("tcp.agent-stats", 1);
        SegmentPublisher publisher = new SegmentPublisher(
                KafkaSettings.producer(KAFKA.broker().bootstrap(), "simulation", "lz4", Map.of()), "tcp.segments", 100_000);
        FleetSimulation.Summary summary;
        try (KafkaSink sink = new KafkaSink(publisher, true)) {
            summary = fleet.run(sink);
            // the agent of server 1 (its RST storm begins at second 12) lost 10% of its packets from second 10 to 20
            long t0 = cfg.startNs / 1_000_000L;
            for (String stats : List.of(agentStats(t0 + 10_000, 1_000, 0), agentStats(t0 + 20_000, 10_000, 1_000))) {
                publisher.sendDirect("tcp.agent-stats", "srv-1".getBytes(StandardCharsets.UTF_8), stats.getBytes(StandardCharsets.UTF_8));
            }
        }
        assertThat(publisher.sent()).isEqualTo(summary.segments());

        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).as("fleet-e2e", StartAt.EARLIEST)
                .withCheckpoints(Duration.ofSeconds(2)).withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)).boundedRun());
        env.execute("tcpwatch fleet e2e");

        List<JsonNode> detections = read("tcp.detections");
        List<JsonNode> episodes = detections.stream().filter(d -> d.has("status")).toList();
        Set<FleetSimulation.Expected> opened = episodes.stream().filter(d -> d.path("status").asText().equals("OPEN"))
                .map(d -> new FleetSimulation.Expected(d.path("type").asText(), d.path("server").asText(),
                        d.has("client") ? d.path("client").asText() : null))
                .collect(Collectors.toSet());
        assertThat(opened).containsExactlyInAnyOrderElementsOf(fleet.expected());
        assertThat(episodes.stream().filter(d -> d.path("status").asText().equals("OPEN")).count())
                .as("one episode per incident, not one per window").isEqualTo(fleet.expected().size());
        Set<String> resolved = episodes.stream().filter(d -> d.path("status").asText().equals("RESOLVED"))
                .map(d -> d.path("id").asText()).collect(Collectors.toSet());
        assertThat(resolved).as("every episode resolved under its id").isEqualTo(episodes.stream()
                .filter(d -> d.path("status").asText().equals("OPEN")).map(d -> d.path("id").asText()).collect(Collectors.toSet()));

        JsonNode storm = episodes.stream().filter(d -> d.path("type").asText().equals("RST_STORM")
                && d.path("server").asText().equals(FleetSimulation.serverEndpoint(1))).findFirst().orElseThrow();
        assertThat(storm.path("confidence").asDouble()).isEqualTo(0.9);
        assertThat(storm.path("explanation").asText()).endsWith("Lower confidence: srv-1 lost 1,000 packets around this time.");
        assertThat(episodes.stream().filter(d -> d != storm && d.path("status").asText().equals("OPEN")))
                .allSatisfy(d -> assertThat(d.path("confidence").asDouble()).isEqualTo(1.0));

        JsonNode limit = episodes.stream().filter(d -> d.path("type").asText().equals("CONNECTION_LIMIT")).findFirst().orElseThrow();
        assertThat(limit.path("evidence").path("limit").asLong()).isEqualTo(6);

        // background traffic is clean: per-connection findings only where an incident was injected
        Set<String> incidentServers = new HashSet<>();
        cfg.incidents.forEach(i -> incidentServers.add(FleetSimulation.serverEndpoint(i.server())));
        assertThat(detections.stream().filter(d -> !d.has("status")).map(d -> d.path("server").asText()))
                .isNotEmpty().allMatch(incidentServers::contains);

        // both ends of the client-watched servers' connections counted once
        List<JsonNode> stats = read("tcp.fleet-stats");
        assertThat(stats.stream().mapToLong(w -> w.path("new").asLong()).sum()).isEqualTo(summary.connections());
        assertThat(stats).anySatisfy(w -> assertThat(w.path("observers").asText()).contains("srv-5", "cli-"));
    }

    /** An agent-stats record as the agent publishes it (cumulative counters). */
    private static String agentStats(long tsMs, long seen, long dropped) {
        return String.format("{\"observer\":\"srv-1\",\"time\":\"-\",\"ts_ms\":%d,\"source\":\"live:eth0\",\"packets_seen\":%d,"
                + "\"pcap_received\":%d,\"pcap_dropped\":%d,\"pcap_ifdropped\":0,\"parsed\":%d,\"skipped\":{},"
                + "\"options_incomplete\":0,\"queued\":0,\"sent\":%d,\"dropped\":0,\"send_errors\":0,\"unsent_at_exit\":0}",
                tsMs, seen, seen + dropped, dropped, seen, seen);
    }

    private static List<JsonNode> read(String topic) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.broker().readToEnd(topic, Duration.ofMinutes(2))) {
            try {
                out.add(JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }
}

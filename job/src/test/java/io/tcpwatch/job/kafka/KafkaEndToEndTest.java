package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.job.analyze.LocalAnalysis;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.core.connection.TrackerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * End to end on real components: the agent replays a corpus capture into a KRaft broker, the job
 * runs on a Flink MiniCluster from tcp.segments to tcp.detections and tcp.connections with
 * exactly-once sinks, and what lands in the topics is exactly what {@code analyze} reports for the
 * same file.
 */
@Timeout(600)
class KafkaEndToEndTest extends JobOnKafka {

    static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));

    @Test
    void agentToKafkaToJobToKafkaEqualsAnalyzeOnTheSameCapture() throws Exception {
        Path capture = CORPUS.resolve("connection-limit.server.pcap");
        KAFKA.broker().createTopic("tcp.segments", 3);
        KAFKA.broker().createTopic("tcp.detections", 2);
        KAFKA.broker().createTopic("tcp.connections", 2);
        KAFKA.broker().createTopic("tcp.fleet-stats", 1);
        KAFKA.broker().createTopic("tcp.agent-stats", 1);

        int agent = new CommandLine(new AgentCommand()).execute("--read", capture.toString(), "--bootstrap",
                KAFKA.broker().bootstrap(), "--observer", "e2e", "--no-progress");
        assertThat(agent).isZero();

        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failure fails the test at once
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(noRestarts);
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(KAFKA.broker().bootstrap()).as("e2e-job", StartAt.EARLIEST)
                .withCheckpoints(Duration.ofSeconds(1)).withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)).boundedRun());
        env.execute("tcpwatch e2e");

        StreamExecutionEnvironment local = StreamExecutionEnvironment.getExecutionEnvironment();
        local.setParallelism(2);
        LocalAnalysis.Result expected = LocalAnalysis.run(local, List.of(capture), "e2e", TrackerConfig.defaults());
        assertThat(expected.detections()).as("64 per connection, 3 fleet episodes opened and resolved").hasSize(70);
        assertThat(expected.connections()).hasSize(42);

        List<String> detections = values(KAFKA.broker().readAll("tcp.detections", expected.detections().size(), Duration.ofMinutes(2)));
        List<String> connections = values(KAFKA.broker().readAll("tcp.connections", expected.connections().size(), Duration.ofMinutes(2)));
        assertThat(detections).containsExactlyInAnyOrderElementsOf(
                expected.detections().stream().map(RecordJson::detection).toList());
        assertThat(connections).containsExactlyInAnyOrderElementsOf(
                expected.connections().stream().map(RecordJson::connection).toList());

        // fleet windows: 42 connections opened, the 32 rejected, the application's limit of 8
        List<String> fleet = values(KAFKA.broker().readToEnd("tcp.fleet-stats", Duration.ofMinutes(2)));
        assertThat(fleet).isNotEmpty().allSatisfy(w -> assertThat(w).contains("\"server\":\"10.77.1.2:7003\""));
        assertThat(fleet.stream().mapToLong(w -> number(w, "new")).sum()).isEqualTo(42);
        assertThat(fleet.stream().mapToLong(w -> number(w, "REJECTED_AFTER_HANDSHAKE")).sum()).isEqualTo(32);
        assertThat(fleet.stream().mapToLong(w -> number(w, "concurrency_high_water")).max()).hasValue(8);
        // … and the fleet episodes, each opened and resolved under one id
        assertThat(detections.stream().filter(d -> d.contains("\"status\":")))
                .hasSize(6)
                .anySatisfy(d -> assertThat(d).contains("\"type\":\"CONNECTION_LIMIT\"", "\"status\":\"OPEN\"", "\"limit\":8,"))
                .anySatisfy(d -> assertThat(d).contains("\"type\":\"RECONNECT_STORM\"", "\"status\":\"RESOLVED\""));
    }

    private static long number(String json, String field) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).findValue(field).asLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> values(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
}

package io.tcpwatch.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shaded job jar, exactly as the build packages it, on a Flink application cluster started
 * as the Flink Kubernetes Operator starts one (JobManager entry point with the jar in usrlib and
 * the job started detached inside it, a separate TaskManager, only Flink's jars on their
 * classpath, the FlinkDeployment's configuration and job arguments) against a KRaft broker: the
 * JobManager stays up, checkpoints complete, detections arrive; stop-with-savepoint, a restart from
 * that savepoint, and the second half of the fleet's traffic gives its detections with no record
 * written twice.
 */
@Timeout(600)
class FlinkClusterTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEPLOYMENT = Path.of(System.getProperty("tcpwatch.flinkdeployment"));
    private static final Path JOB_JAR = Path.of(System.getProperty("tcpwatch.job.jar"));
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final long T0_NS = 1_795_000_000_000_000_000L;

    @Test
    void theShadedJarRunsOnAFlinkClusterAndResumesFromASavepointWithoutDuplicates() throws Exception {
        for (String topic : List.of("tcp.segments", "tcp.detections", "tcp.connections", "tcp.fleet-stats",
                "tcp.agent-stats", "tcp.segments.dlq", "tcp.segments.late")) {
            KAFKA.broker().createTopic(topic, topic.equals("tcp.segments") ? 2 : 1);
        }
        JsonNode spec = FlinkProcesses.spec(DEPLOYMENT);
        String entryClass = spec.get("job").get("entryClass").asText();
        Path home = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "flink-home-");
        List<String> args = jobArgs(spec, home);

        try (FlinkProcesses flink = new FlinkProcesses(home, DEPLOYMENT, JOB_JAR)) {
            FlinkRest rest = new FlinkRest(flink.restPort());

            // 1. first start: the job runs detached inside the JobManager, which stays up
            flink.start(entryClass, args, null);
            String job = awaitRunningWithCheckpoints(flink, rest, 1);
            publish(T0_NS, 1); // --start latest: the agents' traffic from now on
            Set<String> firstDetections = await("detections of the first half").atMost(WAIT)
                    .until(() -> lines("tcp.detections"), d -> connectionLimitAt(d, 1));
            assertThat(flink.jobManagerAlive()).as("the JobManager after detached submission").isTrue();

            // 2. stop with a savepoint, as an upgrade does; the application cluster then ends by itself
            long firstCheckpoints = rest.completedCheckpoints(job);
            String firstCheckpoint = rest.latestCheckpoint(job);
            String trigger = rest.stopWithSavepoint(job, home.resolve("savepoints").toUri().toString());
            String savepoint = await("the savepoint").atMost(WAIT).until(() -> rest.savepoint(job, trigger), s -> s != null);
            assertThat(flink.awaitJobManagerExit(60)).as("the JobManager ends once its application stopped").isTrue();
            flink.stopTaskManager();

            // 3. the next start, from that savepoint; the fleet's next minute
            flink.start(entryClass, args, savepoint);
            String resumed = awaitRunningWithCheckpoints(flink, rest, 1);
            assertThat(rest.restoredCheckpointOrSavepoint(resumed)).as("restored from the savepoint").isGreaterThanOrEqualTo(0);
            publish(T0_NS + 60_000_000_000L, 2);
            await("detections of the second half").atMost(WAIT)
                    .until(() -> lines("tcp.detections"), d -> connectionLimitAt(d, 2));
            assertThat(flink.jobManagerAlive()).isTrue();

            // every Flink metric the alert rules and the Grafana dashboard use is one this cluster exports
            Set<String> exported = flink.prometheusMetricNames();
            Set<String> used = flinkMetricsUsedByMonitoring();
            assertThat(used).hasSizeGreaterThan(10);
            assertThat(exported).as("Flink metrics of the running job (Prometheus reporter)").containsAll(used);
            List<String> detections = records("tcp.detections");
            List<String> connections = records("tcp.connections");
            assertThat(new HashSet<>(detections)).as("no detection written twice").hasSameSizeAs(detections);
            List<String> uids = connections.stream().map(FlinkClusterTest::uid).toList();
            assertThat(new HashSet<>(uids)).as("no connection record written twice").hasSameSizeAs(uids);
            assertThat(detections).containsAll(firstDetections);
            System.out.printf("flink cluster: first run %d checkpoints (latest %s), stopped with a savepoint; resumed run"
                    + " %d checkpoints (latest %s); %d detections, %d connection records, none twice; the %d Flink metrics the"
                    + " alerts and the dashboard use, all exported%n", firstCheckpoints, firstCheckpoint,
                    rest.completedCheckpoints(resumed), rest.latestCheckpoint(resumed), detections.size(), connections.size(),
                    used.size());
        }
    }

    /**
     * The FlinkDeployment's job arguments, with this test's broker (its plain listener: the client
     * properties file the pods mount is replaced by an empty one; AclTest covers TLS, SCRAM and
     * ACLs) and a checkpoint every 2 s.
     */
    private static List<String> jobArgs(JsonNode spec, Path home) throws IOException {
        List<String> args = new ArrayList<>();
        spec.get("job").get("args").forEach(a -> args.add(a.asText()));
        args.set(args.indexOf("--bootstrap") + 1, KAFKA.broker().bootstrap());
        args.set(args.indexOf("--checkpoint-interval") + 1, "2");
        Path clientProperties = Files.writeString(home.resolve("client.properties"), "# the test broker's plain listener\n");
        args.set(args.indexOf("--kafka-config") + 1, clientProperties.toString());
        return args;
    }

    private static String awaitRunningWithCheckpoints(FlinkProcesses flink, FlinkRest rest, long checkpoints) {
        String[] job = await("the job running").atMost(WAIT).until(() -> {
            if (!flink.jobManagerAlive()) {
                throw new AssertionError("the JobManager exited; see " + flink.jobManagerLog() + ":\n" + tail(flink.jobManagerLog()));
            }
            return rest.job();
        }, j -> j != null && j[1].equals("RUNNING"));
        await("a completed checkpoint").atMost(WAIT).until(() -> rest.completedCheckpoints(job[0]) >= checkpoints);
        return job[0];
    }

    /** The flink_… names in k8s/base/monitoring (the PrometheusRule and the Grafana dashboard). */
    private static Set<String> flinkMetricsUsedByMonitoring() throws IOException {
        Set<String> used = new TreeSet<>();
        Path monitoring = DEPLOYMENT.getParent().getParent().resolve("monitoring");
        for (String file : List.of("prometheusrule.yaml", "tcpwatch-fleet.json")) {
            Matcher m = Pattern.compile("flink_[A-Za-z_]+").matcher(Files.readString(monitoring.resolve(file)));
            while (m.find()) {
                used.add(m.group());
            }
        }
        return used;
    }

    /** One minute of a simulated fleet from {@code startNs}, a connection limit at second 20, through the agent's publisher. */
    private static void publish(long startNs, long seed) throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 4;
        cfg.seconds = 60;
        cfg.seed = seed;
        cfg.startNs = startNs;
        cfg.incidents.add(Incident.parse("connection-limit@20:" + seed));
        Properties producer = KafkaSettings.producer(KAFKA.broker().bootstrap(), "cluster-test", "zstd", Map.of());
        try (SegmentPublisher publisher = new SegmentPublisher(producer, "tcp.segments", 262_144)) {
            KafkaSink sink = new KafkaSink(publisher, true);
            new FleetSimulation(cfg).run(sink);
            sink.close();
        }
    }

    /** A connection limit detected at the simulated fleet's server {@code server}. */
    private static boolean connectionLimitAt(Set<String> detections, int server) {
        String endpoint = "\"server\":\"" + FleetSimulation.serverEndpoint(server) + "\"";
        return detections.stream().anyMatch(l -> l.contains("\"CONNECTION_LIMIT\"") && l.contains(endpoint));
    }

    private static Set<String> lines(String topic) {
        return new HashSet<>(records(topic));
    }

    private static List<String> records(String topic) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KAFKA.broker().readToEnd(topic, Duration.ofSeconds(60))) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String uid(String json) {
        try {
            return JSON.readTree(json).get("uid").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> l = Files.readAllLines(log);
            return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size()));
        } catch (IOException e) {
            return e.toString();
        }
    }
}

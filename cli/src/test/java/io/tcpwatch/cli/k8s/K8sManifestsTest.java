package io.tcpwatch.cli.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.stats.AgentMetrics;
import io.tcpwatch.dashboard.DashboardCommand;
import io.tcpwatch.dashboard.DashboardMetrics;
import io.tcpwatch.dashboard.Store;
import io.tcpwatch.dashboard.TopicFeed;
import io.tcpwatch.job.JobCommand;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.job.kafka.KafkaTopics;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The Kubernetes manifests render (kubectl kustomize) and agree with the code: topic names,
 * command-line flags (parsed by the commands themselves), Flink configuration keys, ports,
 * images and their Dockerfiles, the agent's minimal capabilities, the metrics the Grafana
 * dashboard queries.
 */
class K8sManifestsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    /** The overlay rendered by kubectl kustomize, as a list of resources. */
    static List<JsonNode> render(String overlay) throws Exception {
        Process p = new ProcessBuilder(kubectl(), "kustomize", ROOT.resolve("k8s/overlays/" + overlay).toString())
                .redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize %s: %s", overlay, new String(out, StandardCharsets.UTF_8)).isZero();
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && d.has("kind")) {
                    docs.add(d);
                }
            }
        }
        return docs;
    }

    static String kubectl() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Path.of(dir, "kubectl").toString();
            }
        }
        throw new AssertionError("kubectl is needed to render the overlays (it is on this project's CI machines)");
    }

    static JsonNode one(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static String arg(List<String> args, String option) {
        int i = args.indexOf(option);
        assertThat(i).as("%s in %s", option, args).isGreaterThanOrEqualTo(0);
        return args.get(i + 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theOverlayRendersAndAgreesWithTheCode(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        assertThat(docs).extracting(d -> d.path("kind").asText()).contains("Kafka", "KafkaNodePool", "KafkaTopic",
                "FlinkDeployment", "DaemonSet", "Deployment", "Service", "PodMonitor", "ConfigMap");
        String namespace = docs.stream().filter(d -> d.path("kind").asText().equals("Namespace")).findFirst()
                .map(d -> d.path("metadata").path("name").asText()).orElseGet(() -> one(docs, "Kafka", "tcpwatch")
                        .path("metadata").path("namespace").asText());
        assertThat(docs).allSatisfy(d -> {
            if (!d.path("kind").asText().equals("Namespace")) {
                assertThat(d.path("metadata").path("namespace").asText()).as("%s", d.path("metadata")).isEqualTo(namespace);
            }
        });

        // topics: the code's names, tcp.segments partitioned for the job's parallelism
        Set<String> topics = new HashSet<>();
        docs.stream().filter(d -> d.path("kind").asText().equals("KafkaTopic")).forEach(t -> topics.add(t.path("metadata").path("name").asText()));
        assertThat(topics).containsExactlyInAnyOrderElementsOf(StreamingJob.Topics.defaults().all());
        assertThat(topics).contains(KafkaSettings.DEFAULT_SEGMENTS_TOPIC, KafkaSettings.DEFAULT_STATS_TOPIC);
        JsonNode flink = one(docs, "FlinkDeployment", "tcpwatch-job");
        int partitions = one(docs, "KafkaTopic", KafkaTopics.SEGMENTS).path("spec").path("partitions").asInt();
        assertThat(flink.path("spec").path("job").path("parallelism").asInt()).isBetween(1, partitions);

        // the operators' APIs: only those the pinned releases serve (k8s/operators.env)
        List<String> strimzi = strimziApis();
        assertThat(docs).allSatisfy(d -> {
            String api = d.path("apiVersion").asText();
            if (api.startsWith("kafka.strimzi.io/")) {
                assertThat(api).as("%s %s", d.path("kind"), d.path("metadata").path("name")).isIn(strimzi);
            }
            if (api.startsWith("flink.apache.org/")) {
                assertThat(api).isEqualTo("flink.apache.org/v1beta1");
            }
        });

        // Kafka: one client listener, TLS with SCRAM users, ACLs enforced; every client reaches it
        JsonNode kafka = one(docs, "Kafka", "tcpwatch");
        JsonNode listeners = kafka.path("spec").path("kafka").path("listeners");
        assertThat(listeners).hasSize(1);
        assertThat(listeners.get(0).path("tls").asBoolean()).isTrue();
        assertThat(listeners.get(0).path("authentication").path("type").asText()).isEqualTo("scram-sha-512");
        assertThat(kafka.path("spec").path("kafka").path("authorization").path("type").asText()).isEqualTo("simple");
        String bootstrap = "tcpwatch-kafka-bootstrap:" + listeners.get(0).path("port").asInt();
        String clientProperties = one(docs, "ConfigMap", "tcpwatch-kafka-client").path("data").path("client.properties").asText();
        assertThat(clientProperties).contains("security.protocol=SASL_SSL", "sasl.mechanism=SCRAM-SHA-512",
                "ssl.truststore.location=/etc/tcpwatch/kafka-ca/ca.crt", "${dir:/etc/tcpwatch/kafka-user:sasl.jaas.config}");
        Path mounted = Files.createTempFile(Path.of("target").toAbsolutePath(), "client", ".properties"); // as the pods see it
        Files.writeString(mounted, clientProperties);
        assertThat(kafka.path("spec").path("kafka").path("config").path("transaction.max.timeout.ms").asLong())
                .as("the job's transactional sinks need 15 min").isGreaterThanOrEqualTo(900_000);

        // the job: its entry class, its flags parsed by JobCommand, its jar where the image puts it
        List<String> jobArgs = strings(flink.path("spec").path("job").path("args"));
        assertThat(flink.path("spec").path("job").path("entryClass").asText()).isEqualTo(JobCommand.class.getName());
        new CommandLine(new JobCommand()).parseArgs(mountedAt(jobArgs, mounted));
        assertThat(arg(jobArgs, "--bootstrap")).isEqualTo(bootstrap);
        assertThat(flink.path("spec").path("flinkVersion").asText()).as("the Flink the job is built against")
                .isEqualTo("v" + flinkMinor().replace('.', '_'));
        kafkaClient(flink.path("spec").path("podTemplate").path("spec"), jobArgs, docs, "tcpwatch-job");
        assertThat(arg(jobArgs, "--deployment")).as("the job's group and transactional ids, as its ACLs name them")
                .isEqualTo("tcpwatch-job");
        for (String option : List.of("--segments-topic", "--detections-topic", "--connections-topic", "--fleet-stats-topic",
                "--agent-stats-topic", "--dead-letter-topic", "--late-topic")) {
            assertThat(topics).contains(arg(jobArgs, option));
        }
        String jar = flink.path("spec").path("job").path("jarURI").asText().replace("local://", "");
        assertThat(Files.readString(ROOT.resolve("job/Dockerfile"))).contains("job/target/tcpwatch-job.jar " + jar);
        Set<String> flinkKeys = flinkKeys();
        flink.path("spec").path("flinkConfiguration").fieldNames().forEachRemaining(k -> assertThat(
                flinkKeys.contains(k) || k.startsWith("metrics.reporter.prom.") || k.startsWith("s3."))
                .as("Flink knows the option %s", k).isTrue());
        // key groups are fixed by the first savepoint: room for 10,000 servers (docs/SCALING.md), and never below the parallelism
        int maxParallelism = flink.path("spec").path("flinkConfiguration").path("pipeline.max-parallelism").asInt(0);
        assertThat(maxParallelism).as("pipeline.max-parallelism").isGreaterThanOrEqualTo(2048)
                .isGreaterThanOrEqualTo(flink.path("spec").path("job").path("parallelism").asInt());
        String promPort = flink.path("spec").path("flinkConfiguration").path("metrics.reporter.prom.port").asText();
        JsonNode flinkContainer = flink.path("spec").path("podTemplate").path("spec").path("containers").get(0);
        assertThat(port(flinkContainer, "metrics")).isEqualTo(Integer.parseInt(promPort));
        // the reporter and s3:// are plugins: Flink's image enables them from its opt/ at start
        assertThat(env(flinkContainer, "ENABLE_BUILT_IN_PLUGINS").split(";")).contains(
                "flink-metrics-prometheus-" + flinkVersion() + ".jar", "flink-s3-fs-presto-" + flinkVersion() + ".jar");

        // the agent: flags parsed by AgentCommand, the node as observer, CAP_NET_RAW and what --run-as needs
        JsonNode agentSpec = one(docs, "DaemonSet", "tcpwatch-agent").path("spec").path("template").path("spec");
        JsonNode agent = agentSpec.path("containers").get(0);
        List<String> agentArgs = strings(agent.path("args"));
        assertThat(agentArgs.get(0)).isEqualTo("agent");
        new CommandLine(new AgentCommand()).parseArgs(mountedAt(agentArgs.subList(1, agentArgs.size()), mounted));
        assertThat(arg(agentArgs, "--bootstrap")).isEqualTo(bootstrap);
        kafkaClient(agentSpec, agentArgs, docs, "tcpwatch-agent");
        assertThat(topics).contains(arg(agentArgs, "--topic"), arg(agentArgs, "--stats-topic"));
        assertThat(arg(agentArgs, "--observer")).isEqualTo("$(NODE_NAME)");
        assertThat(agent.path("env").toString()).contains("\"name\":\"NODE_NAME\"", "\"fieldPath\":\"spec.nodeName\"");
        JsonNode sec = agent.path("securityContext");
        assertThat(strings(sec.path("capabilities").path("add"))).containsExactly("NET_RAW", "SETUID", "SETGID");
        assertThat(agentArgs).contains("--run-as"); // which is why SETUID and SETGID (PrivilegeDropTest runs with exactly these)
        assertThat(strings(sec.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(sec.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sec.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(sec.path("privileged").asBoolean(false)).isFalse();
        assertThat(agentSpec.path("hostNetwork").asBoolean()).isTrue();
        assertThat(agentSpec.path("tolerations").toString()).contains("\"operator\":\"Exists\"");
        assertThat(agent.path("volumeMounts").toString()).contains("\"mountPath\":\"/tmp\"");
        assertThat(agent.path("resources").path("limits").has("memory")).isTrue();

        // the dashboard: flags parsed by DashboardCommand, one port from flag to Service to PodMonitor
        JsonNode dash = one(docs, "Deployment", "tcpwatch-dashboard").path("spec").path("template").path("spec").path("containers").get(0);
        List<String> dashArgs = strings(dash.path("args"));
        assertThat(dashArgs.get(0)).isEqualTo("dashboard");
        new CommandLine(new DashboardCommand()).parseArgs(mountedAt(dashArgs.subList(1, dashArgs.size()), mounted));
        assertThat(arg(dashArgs, "--bootstrap")).isEqualTo(bootstrap);
        kafkaClient(one(docs, "Deployment", "tcpwatch-dashboard").path("spec").path("template").path("spec"), dashArgs, docs,
                "tcpwatch-dashboard");
        assertThat(port(dash, "http")).isEqualTo(Integer.parseInt(arg(dashArgs, "--port")));
        assertThat(one(docs, "Service", "tcpwatch-dashboard").path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
        JsonNode dashMonitor = one(docs, "PodMonitor", "tcpwatch-dashboard").path("spec").path("podMetricsEndpoints").get(0);
        assertThat(dashMonitor.path("port").asText()).isEqualTo("http");
        assertThat(dashMonitor.path("path").asText()).isEqualTo("/metrics");
        String tokenSecret = dash.path("env").get(0).path("valueFrom").path("secretKeyRef").path("name").asText();
        assertThat(dashMonitor.path("authorization").path("credentials").path("name").asText()).isEqualTo(tokenSecret);
        assertThat(one(docs, "PodMonitor", "tcpwatch-job").path("spec").path("podMetricsEndpoints").get(0).path("port").asText())
                .isEqualTo("metrics");

        // images: one per role, each built by a Dockerfile of this repository from the jar the build makes for it
        Map<String, String> roles = Map.of(
                "tcpwatch-agent", "capture-agent/Dockerfile capture-agent/target/tcpwatch-agent.jar",
                "tcpwatch-job", "job/Dockerfile job/target/tcpwatch-job.jar",
                "tcpwatch-dashboard", "dashboard/Dockerfile dashboard/target/tcpwatch-dashboard.jar");
        Map<String, String> images = Map.of("tcpwatch-job", flink.path("spec").path("image").asText(),
                "tcpwatch-agent", agent.path("image").asText(), "tcpwatch-dashboard", dash.path("image").asText());
        String dockerignore = Files.readString(ROOT.resolve(".dockerignore"));
        images.forEach((role, image) -> {
            assertThat(image.substring(image.lastIndexOf('/') + 1).split(":")[0]).as("the %s image", role).isEqualTo(role);
            assertThat(image).as("pinned tag").contains(":");
            String[] dockerfileAndJar = roles.get(role).split(" ");
            try {
                assertThat(Files.readString(ROOT.resolve(dockerfileAndJar[0]))).containsPattern("(?m)^COPY .*" + Pattern.quote(dockerfileAndJar[1]));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(dockerignore).contains("!" + dockerfileAndJar[1]);
        });

        // Grafana and the alert rules: every tcpwatch metric they use is one the code exports
        // (Flink's own and the job's operator metrics: FlinkClusterTest scrapes a real cluster for them)
        JsonNode grafana = JSON.readTree(one(docs, "ConfigMap", "tcpwatch-grafana-dashboard").path("data").path("tcpwatch-fleet.json").asText());
        List<String> queries = new ArrayList<>();
        grafana.path("panels").forEach(panel -> panel.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
        one(docs, "PrometheusRule", "tcpwatch").path("spec").path("groups").forEach(g -> g.path("rules")
                .forEach(r -> queries.add(r.path("expr").asText())));
        assertThat(queries).hasSizeGreaterThan(20);
        Set<String> dashboardMetrics = dashboardMetricNames();
        Set<String> used = new HashSet<>();
        for (String expr : queries) {
            Matcher own = Pattern.compile("tcpwatch_(dashboard|agent)_[a-z_]+").matcher(expr);
            while (own.find()) {
                used.add(own.group());
                if (own.group(1).equals("agent")) {
                    assertThat(AgentMetrics.NAMES).as("%s exported by the agent", own.group()).contains(own.group());
                } else {
                    assertThat(dashboardMetrics).as("%s in the dashboard's /metrics", own.group()).contains(own.group());
                }
            }
            Matcher exporter = Pattern.compile("\\bkafka_[a-z_]+").matcher(expr);
            while (exporter.find()) { // Kafka Exporter's metrics: only where the Kafka cluster deploys it
                assertThat(exporter.group()).isEqualTo("kafka_consumergroup_lag");
                assertThat(kafka.path("spec").path("kafkaExporter").path("groupRegex").asText()).isEqualTo(arg(jobArgs, "--deployment"));
            }
            if (expr.contains("flink_")) {
                assertThat(grafana.path("templating").toString()).contains("\"name\":\"namespace\"");
            }
        }
        assertThat(used).contains("tcpwatch_agent_pcap_dropped_total", "tcpwatch_dashboard_detections_total");
        // the agent's /metrics: the flag, the container port, its PodMonitor
        assertThat(port(agent, "metrics")).isEqualTo(Integer.parseInt(arg(agentArgs, "--metrics-port")));
        assertThat(one(docs, "PodMonitor", "tcpwatch-agent").path("spec").path("podMetricsEndpoints").get(0).path("port").asText())
                .isEqualTo("metrics");
    }

    /** The arguments with --kafka-config pointing at {@code file}: the ConfigMap's content where the pod mounts it. */
    static String[] mountedAt(List<String> args, Path file) {
        List<String> a = new ArrayList<>(args);
        a.set(a.indexOf("--kafka-config") + 1, file.toString());
        return a.toArray(String[]::new);
    }

    /**
     * A component's Kafka client: --kafka-config names the mounted ConfigMap's client.properties,
     * and the pod mounts its own KafkaUser's Secret and the cluster CA where that file says.
     */
    static void kafkaClient(JsonNode podSpec, List<String> args, List<JsonNode> docs, String user) {
        assertThat(arg(args, "--kafka-config")).isEqualTo("/etc/tcpwatch/kafka/client.properties");
        assertThat(args).noneMatch(a -> a.contains("sasl.jaas.config") || a.contains("password"));
        one(docs, "KafkaUser", user);
        JsonNode container = podSpec.path("containers").get(0);
        Map<String, String> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(m -> mounts.put(m.path("name").asText(), m.path("mountPath").asText()));
        Map<String, JsonNode> volumes = new HashMap<>();
        podSpec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
        assertThat(mounts).containsEntry("kafka-client", "/etc/tcpwatch/kafka").containsEntry("kafka-user", "/etc/tcpwatch/kafka-user")
                .containsEntry("kafka-ca", "/etc/tcpwatch/kafka-ca");
        assertThat(volumes.get("kafka-client").path("configMap").path("name").asText()).isEqualTo("tcpwatch-kafka-client");
        assertThat(volumes.get("kafka-user").path("secret").path("secretName").asText()).as("its own user's Secret").isEqualTo(user);
        assertThat(volumes.get("kafka-ca").path("secret").path("secretName").asText()).isEqualTo("tcpwatch-cluster-ca-cert");
    }

    /** The Strimzi API versions the pinned release serves: 1.x serves kafka.strimzi.io/v1 only, 0.49–0.51 also v1beta2. */
    static List<String> strimziApis() throws IOException {
        String version = operators().get("STRIMZI_VERSION");
        int major = Integer.parseInt(version.split("\\.")[0]);
        return major >= 1 ? List.of("kafka.strimzi.io/v1") : List.of("kafka.strimzi.io/v1", "kafka.strimzi.io/v1beta2");
    }

    static Map<String, String> operators() throws IOException {
        Map<String, String> m = new HashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("k8s/operators.env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                m.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1).strip());
            }
        }
        return m;
    }

    /** "2.2" from the Flink version the build uses. */
    static String flinkMinor() throws IOException {
        return flinkVersion().substring(0, flinkVersion().lastIndexOf('.'));
    }

    /** "2.2.1": the parent pom's flink.version. */
    static String flinkVersion() throws IOException {
        Matcher m = Pattern.compile("<flink.version>(\\d+\\.\\d+\\.\\d+)<").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("flink.version in the parent pom").isTrue();
        return m.group(1);
    }

    static String env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (e.path("name").asText().equals(name)) {
                return e.path("value").asText();
            }
        }
        throw new AssertionError(container.path("name").asText() + " sets no " + name);
    }

    static int port(JsonNode container, String name) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("no port " + name + " in " + container);
    }

    /** Every key (and fallback key) of the Flink options the manifests use. */
    static Set<String> flinkKeys() throws IllegalAccessException {
        Set<String> keys = new HashSet<>();
        for (Class<?> c : List.of(CheckpointingOptions.class, StateBackendOptions.class, HighAvailabilityOptions.class,
                TaskManagerOptions.class, RestartStrategyOptions.class, PipelineOptions.class)) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    keys.add(o.key());
                    for (FallbackKey k : o.fallbackKeys()) {
                        keys.add(k.getKey());
                    }
                }
            }
        }
        return keys;
    }

    /** What the dashboard's /metrics exports: its real exposition, from a store and a feed never started. */
    private static Set<String> dashboardMetricNames() throws Exception {
        Store store = new Store(Store.Limits.defaults());
        try (TopicFeed feed = new TopicFeed("127.0.0.1:9", new TopicFeed.Topics("a", "b", "c"), Duration.ofHours(1), Map.of(),
                store)) {
            return new DashboardMetrics(store, feed).names();
        }
    }
}

package io.tcpwatch.cli.demo;

import static io.tcpwatch.cli.demo.SecureKafkaTest.freePort;
import static io.tcpwatch.cli.demo.SecureKafkaTest.keytool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.dashboard.Dashboard;
import io.tcpwatch.dashboard.DetectionsCommand;
import io.tcpwatch.job.JobCommand;
import io.tcpwatch.job.StreamingJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The Kubernetes deployment's Kafka security, on a real broker: the ACLs of the KafkaUsers in
 * k8s/base/kafka/users.yaml, exactly, enforced by Kafka's StandardAuthorizer on a SASL_SSL
 * (SCRAM-SHA-512) listener; each component reads the ConfigMap's client.properties (with
 * --kafka-config) and its password from a file, as the pods mount them. Each component does its
 * job — the agent publishes, the job reads and commits its outputs, the dashboard and the CLI read
 * them — and each user is refused every other topic access (the policy below, written
 * independently of the manifests).
 */
@Timeout(300)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AclTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String AGENT = "tcpwatch-agent";
    static final String JOB = "tcpwatch-job";
    static final String DASHBOARD = "tcpwatch-dashboard";

    /** What each component may do, per topic: W write, R read (the least privilege the deployment promises). */
    static final Map<String, Map<String, String>> POLICY = Map.of(
            AGENT, Map.of("tcp.segments", "W", "tcp.agent-stats", "W"),
            JOB, Map.of("tcp.segments", "R", "tcp.agent-stats", "R", "tcp.detections", "W", "tcp.connections", "W",
                    "tcp.fleet-stats", "W", "tcp.segments.dlq", "W", "tcp.segments.late", "W"),
            DASHBOARD, Map.of("tcp.detections", "R", "tcp.connections", "R", "tcp.fleet-stats", "R"));

    static Path dir;
    static EmbeddedKafka kafka;
    static String secure;
    static Map<String, Path> clientConfig = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "acl");
        Path keystore = dir.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        Path ca = dir.resolve("kafka-ca/ca.crt"); // what the Secret tcpwatch-cluster-ca-cert mounts
        Files.createDirectories(ca.getParent());
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "changeit", "-rfc",
                "-file", ca.toString());

        int plain = freePort();
        int sasl = freePort();
        int controller = freePort();
        Map<String, String> broker = SecureKafkaTest.saslSslBroker(plain, sasl, controller, keystore);
        // ACLs enforced; the plain listener (the broker itself, the operator's side of this test) is the super user
        broker.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        broker.put("super.users", "User:ANONYMOUS");
        broker.put("allow.everyone.if.no.acl.found", "false");
        kafka = new EmbeddedKafka(dir, plain, controller, broker);
        secure = "127.0.0.1:" + sasl;

        String clientProperties = manifest("kafka/client-config.yaml").get(0).path("data").path("client.properties").asText();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) { // what Strimzi's operators do
            List<NewTopic> topics = new ArrayList<>();
            for (String t : StreamingJob.Topics.defaults().all()) {
                topics.add(new NewTopic(t, 2, (short) 1));
            }
            admin.createTopics(topics).all().get();
            List<AclBinding> acls = new ArrayList<>();
            for (JsonNode user : manifest("kafka/users.yaml")) {
                String name = user.path("metadata").path("name").asText();
                String password = "pw-" + name;
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(name,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get();
                acls.addAll(acls(name, user.path("spec").path("authorization").path("acls")));
                clientConfig.put(name, mountFor(name, password, clientProperties, ca));
            }
            admin.createAcls(acls).all().get();
        }
        assertThat(clientConfig).containsOnlyKeys(AGENT, JOB, DASHBOARD);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The resources of a manifest under k8s/base. */
    static List<JsonNode> manifest(String path) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(ROOT.resolve("k8s/base").resolve(path).toFile())) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                if (d != null && d.has("kind")) {
                    docs.add(d);
                }
            }
        }
        return docs;
    }

    /** A Strimzi KafkaUser's simple-authorization ACLs as Kafka ACL bindings for User:{@code user}. */
    static List<AclBinding> acls(String user, JsonNode acls) {
        List<AclBinding> out = new ArrayList<>();
        for (JsonNode acl : acls) {
            JsonNode r = acl.path("resource");
            ResourceType type = switch (r.path("type").asText()) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                case "cluster" -> ResourceType.CLUSTER;
                default -> throw new AssertionError("resource type " + r.path("type"));
            };
            PatternType pattern = r.path("patternType").asText("literal").equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL;
            ResourcePattern resource = new ResourcePattern(type, type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText(), pattern);
            for (JsonNode op : acl.path("operations")) {
                AclOperation operation = AclOperation.fromString(op.asText().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
                out.add(new AclBinding(resource, new AccessControlEntry("User:" + user, acl.path("host").asText("*"), operation,
                        AclPermissionType.ALLOW)));
            }
        }
        return out;
    }

    /**
     * What a pod of {@code user} sees: the ConfigMap's client.properties (its paths pointing here),
     * the user's Secret as files (Strimzi writes {@code sasl.jaas.config} and {@code password}).
     */
    static Path mountFor(String user, String password, String clientProperties, Path ca) throws Exception {
        Path userDir = Files.createDirectories(dir.resolve(user + "/kafka-user"));
        Files.writeString(userDir.resolve("password"), password);
        Files.writeString(userDir.resolve("sasl.jaas.config"), "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"" + user + "\" password=\"" + password + "\";");
        String text = clientProperties.replace("/etc/tcpwatch/kafka-ca/ca.crt", ca.toString())
                .replace("/etc/tcpwatch/kafka-user", userDir.toString());
        return Files.writeString(dir.resolve(user + "/client.properties"), text);
    }

    @Test
    @Order(1)
    void eachComponentDoesItsJobWithItsOwnUser() throws Exception {
        int agent = new CommandLine(new AgentCommand()).execute("--read",
                ROOT.resolve("corpus/fixtures/connection-limit.server.pcap").toString(), "--bootstrap", secure,
                "--observer", "acl", "--no-progress", "--kafka-config", clientConfig.get(AGENT).toString());
        assertThat(agent).as("the agent publishes as " + AGENT).isZero();

        int job = new CommandLine(new JobCommand()).execute("--bootstrap", secure, "--bounded", "--checkpoint-interval", "1",
                "--parallelism", "2", "--deployment", JOB, "--start", "earliest", "--kafka-config", clientConfig.get(JOB).toString());
        assertThat(job).as("the job reads and commits as " + JOB).isZero();

        List<String> detections = await("the CLI reads the committed detections as " + DASHBOARD).atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1)).until(() -> cliDetections(DASHBOARD), d -> d.size() == 70);
        try (Dashboard dashboard = new Dashboard(Dashboard.Settings.defaults(secure)
                .withKafkaClient(properties(clientConfig.get(DASHBOARD))).withPort(0))) {
            await("the dashboard reads them as " + DASHBOARD).atMost(Duration.ofMinutes(3))
                    .until(() -> dashboard.store().received("detections"), n -> n >= detections.size());
        }
    }

    @Test
    @Order(2) // it writes a byte to every topic a user may write: after the components' run
    void eachUserIsRefusedEveryTopicAccessItsComponentDoesNotNeed() throws Exception {
        List<String> checked = new ArrayList<>();
        for (String user : POLICY.keySet()) {
            Map<String, String> config = properties(clientConfig.get(user));
            for (String topic : StreamingJob.Topics.defaults().all()) {
                String may = POLICY.get(user).getOrDefault(topic, "");
                assertThat(canWrite(config, topic)).as("%s writes %s", user, topic).isEqualTo(may.contains("W"));
                assertThat(canRead(config, topic)).as("%s reads %s", user, topic).isEqualTo(may.contains("R"));
                checked.add(user + " " + topic + " " + (may.isEmpty() ? "-" : may));
            }
        }
        assertThat(checked).hasSize(3 * 7);
        System.out.println("acl: " + String.join("; ", checked));
    }

    /** True if a record can be written to {@code topic}, false if the broker refuses it. */
    static boolean canWrite(Map<String, String> config, String topic) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>(config);
        p.put("bootstrap.servers", secure);
        p.put("max.block.ms", "15000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, new byte[] {1})).get();
            return true;
        } catch (Exception e) {
            return refused(e);
        }
    }

    /** False if an authorization error is somewhere in {@code e}'s causes (a refusal); anything else is rethrown. */
    static boolean refused(Exception e) throws Exception {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return false;
            }
        }
        throw e;
    }

    /** True if {@code topic} can be read (no consumer group: the CLI's way), false if the broker refuses it. */
    static boolean canRead(Map<String, String> config, String topic) throws Exception {
        Map<String, Object> p = new LinkedHashMap<>(config);
        p.put("bootstrap.servers", secure);
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            consumer.poll(Duration.ofSeconds(2));
            consumer.position(parts.get(0), Duration.ofSeconds(15));
            return true;
        } catch (Exception e) {
            return refused(e);
        }
    }

    static Map<String, String> properties(Path file) throws Exception {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    /** The detections {@code tcpwatch detections --json} prints as {@code user}, one per line. */
    static List<String> cliDetections(String user) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int cli;
        try {
            cli = new CommandLine(new DetectionsCommand()).execute("--bootstrap", secure, "--from", "2026-11-22T00:00:00Z",
                    "--json", "--kafka-config", clientConfig.get(user).toString());
        } finally {
            System.setOut(old);
        }
        assertThat(cli).isZero();
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}

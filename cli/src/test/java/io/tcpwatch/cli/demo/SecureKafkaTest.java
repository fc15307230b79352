package io.tcpwatch.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.dashboard.Dashboard;
import io.tcpwatch.dashboard.DetectionsCommand;
import io.tcpwatch.job.JobCommand;
import io.tcpwatch.job.StreamingJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Every Kafka client of tcpwatch — agent, job, dashboard, `tcpwatch detections` — against a real
 * broker whose only client listener is SASL_SSL with SCRAM-SHA-512 (a certificate made for the
 * test by keytool): the segments go in, the job's detections come out, the dashboard and the CLI
 * read them; wrong credentials are one sentence and exit code 11, at once.
 */
@Timeout(300)
class SecureKafkaTest {

    static final Path CORPUS = Path.of("../corpus/fixtures");
    static Path dir;
    static EmbeddedKafka kafka;
    static String secure;
    static Path truststore;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "sasl");
        Path keystore = dir.resolve("broker.p12");
        truststore = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", "changeit", "-rfc",
                "-file", dir.resolve("broker.pem").toString());
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", dir.resolve("broker.pem").toString(),
                "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", "changeit");

        int plain = freePort();
        int sasl = freePort();
        int controller = freePort();
        kafka = new EmbeddedKafka(dir, plain, controller, saslSslBroker(plain, sasl, controller, keystore));
        secure = "127.0.0.1:" + sasl;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrap()))) { // the operator's side
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("tcpwatch",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "s3cret"))).all().get();
            List<NewTopic> topics = new ArrayList<>();
            for (String t : StreamingJob.Topics.defaults().all()) {
                topics.add(new NewTopic(t, 2, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
    }

    /**
     * A broker whose client listener is SASL_SSL with SCRAM-SHA-512 ({@code keystore}: its
     * certificate) and whose plain listener serves the test's own administration.
     */
    static Map<String, String> saslSslBroker(int plain, int sasl, int controller, Path keystore) {
        Map<String, String> broker = new LinkedHashMap<>();
        broker.put("listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + sasl + ",CONTROLLER://127.0.0.1:" + controller);
        broker.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plain + ",SASL_SSL://127.0.0.1:" + sasl);
        broker.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        broker.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        broker.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        broker.put("listener.name.sasl_ssl.ssl.keystore.location", keystore.toString());
        broker.put("listener.name.sasl_ssl.ssl.keystore.password", "changeit");
        broker.put("listener.name.sasl_ssl.ssl.key.password", "changeit");
        broker.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
        return broker;
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The client settings a user passes with -X. */
    static Map<String, String> client(String password) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("security.protocol", "SASL_SSL");
        c.put("sasl.mechanism", "SCRAM-SHA-512");
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"tcpwatch\""
                + " password=\"" + password + "\";");
        c.put("ssl.truststore.location", truststore.toString());
        c.put("ssl.truststore.password", "changeit");
        c.put("ssl.truststore.type", "PKCS12");
        return c;
    }

    static String[] with(Map<String, String> client, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        client.forEach((k, v) -> {
            all.add("-X");
            all.add(k + "=" + v);
        });
        return all.toArray(String[]::new);
    }

    @Test
    void agentJobDashboardAndCliWorkOverSaslSsl() throws Exception {
        Map<String, String> ok = client("s3cret");
        int agent = new CommandLine(new AgentCommand()).execute(with(ok, "--read",
                CORPUS.resolve("connection-limit.server.pcap").toString(), "--bootstrap", secure, "--observer", "sasl",
                "--no-progress"));
        assertThat(agent).isZero();

        int job = new CommandLine(new JobCommand()).execute(with(ok, "--bootstrap", secure, "--bounded",
                "--checkpoint-interval", "1", "--parallelism", "2", "--deployment", "sasl-job", "--start", "earliest"));
        assertThat(job).isZero();

        // the CLI first: the detections committed (read_committed), then the dashboard must show as many
        long jobDone = System.nanoTime();
        await("the CLI reads the job's 70 committed detections").atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> cliDetections(ok), org.hamcrest.Matchers.hasSize(70));
        System.out.printf("secure kafka: the CLI read the 70 committed detections %.1f s after the job returned%n",
                (System.nanoTime() - jobDone) / 1e9);

        try (Dashboard dashboard = new Dashboard(Dashboard.Settings.defaults(secure).withKafkaClient(ok).withPort(0))) {
            await("the dashboard reads the 70 detections the CLI read").atMost(Duration.ofMinutes(3))
                    .until(() -> dashboard.store().received("detections"), org.hamcrest.Matchers.greaterThanOrEqualTo(70L));
            assertThat(dashboard.store().received("detections")).as("the dashboard read them over SASL_SSL").isEqualTo(70);
        }
    }

    /** The detections {@code tcpwatch detections --json} prints, one per line. */
    private static List<String> cliDetections(Map<String, String> client) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int cli;
        try {
            cli = new CommandLine(new DetectionsCommand()).execute(with(client, "--bootstrap", secure, "--from",
                    "2026-11-22T00:00:00Z", "--json"));
        } finally {
            System.setOut(old);
        }
        assertThat(cli).isZero();
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void wrongCredentialsAreOneSentenceAndExitCode11AtOnce() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try { // retrying would end only after ten minutes, in exit code 7 ("unreachable"), or at the test's timeout
            exit = new CommandLine(new AgentCommand()).execute(with(client("wrong"), "--read",
                    CORPUS.resolve("refused.server.pcap").toString(), "--bootstrap", secure, "--broker-timeout", "600",
                    "--no-progress"));
        } finally {
            System.setErr(old);
        }
        assertThat(exit).isEqualTo(11);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("refused the connection's credentials or TLS handshake")
                .doesNotContain("\tat ");
    }

    static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("keytool %s: %s", args[0], out).isZero();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

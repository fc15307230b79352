package io.tcpwatch.cli.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The jars of the images that run on the fleet, as the build packages them: each starts and
 * answers for its commands, and none carries what only the demo or a Flink cluster needs (a Kafka
 * broker, Scala, Flink); the job's cluster jar carries no live-capture library (pcap4j, JNA).
 */
class RoleJarsTest {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @ParameterizedTest
    @CsvSource({"capture-agent/target/tcpwatch-agent.jar, agent, simulate",
                "dashboard/target/tcpwatch-dashboard.jar, dashboard, detections"})
    void aRoleJarRunsItsCommandsAndCarriesNoBrokerScalaOrFlink(String jar, String command, String other) throws Exception {
        Path file = ROOT.resolve(jar);
        try (JarFile j = new JarFile(file.toFile())) {
            List<String> unwanted = j.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && (n.startsWith("kafka/") || n.startsWith("scala/") || n.startsWith("org/apache/flink/")))
                    .limit(5).toList();
            assertThat(unwanted).as("broker (kafka/…), Scala or Flink classes in %s", jar).isEmpty();
        }
        for (String c : List.of(command, other)) {
            Process p = new ProcessBuilder(javaCommand(), "-jar", file.toString(), c, "--help").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("%s %s --help: %s", jar, c, out).isZero();
            assertThat(out).startsWith("Usage: tcpwatch " + c);
        }
        System.out.printf(Locale.ROOT, "role jar %s: %.1f MB%n", jar, Files.size(file) / 1e6);
    }

    @Test
    void theClusterJarCarriesNoLiveCaptureLibraries() throws Exception {
        Path file = ROOT.resolve("job/target/tcpwatch-job.jar");
        try (JarFile j = new JarFile(file.toFile())) {
            List<String> unwanted = j.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && (n.startsWith("org/pcap4j/") || n.startsWith("com/sun/jna/")))
                    .limit(5).toList();
            assertThat(unwanted).as("pcap4j or JNA classes in the job's cluster jar").isEmpty();
            assertThat(j.getEntry("io/tcpwatch/job/JobCommand.class")).isNotNull();
        }
        System.out.printf(Locale.ROOT, "cluster jar tcpwatch-job.jar: %.1f MB%n", Files.size(file) / 1e6);
    }

    static String javaCommand() throws IOException {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

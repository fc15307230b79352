package io.tcpwatch.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The agent started as root with --run-as and exactly the capabilities the Kubernetes DaemonSet
 * grants (its bounding set, as a container runtime sets it, through {@code setpriv}): once its
 * capture of lo is open it runs as the given user with no capability left (/proc/PID/status), and
 * it still captures the connections made afterwards.
 */
@Timeout(300)
class PrivilegeDropTest {

    @Test
    void theAgentDropsRootOnceTheCaptureIsOpenAndKeepsCapturing() throws Exception {
        assumeTrue(Files.readString(Path.of("/proc/self/status")).contains("\nUid:\t0\t"),
                "dropping root needs a test run as root (CI runs as root)");
        try (ServerSocket server = new ServerSocket(0)) {
            int port = server.getLocalPort();
            List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--bounding-set", "-all," + daemonSetCapabilities(),
                    "--inh-caps", "-all", "--"));
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "io.tcpwatch.cli.Tcpwatch", "agent", "--interface", "lo",
                    "--bpf", "tcp port " + port, "--print", "--run-as", "65534:65534", "--no-progress"));
            Process agent = new ProcessBuilder(command).start();
            List<String> out = new CopyOnWriteArrayList<>();
            List<String> err = new CopyOnWriteArrayList<>();
            Thread stdout = follow(agent.getInputStream(), out);
            Thread stderr = follow(agent.getErrorStream(), err);
            try {
                await("the agent reports its capture open, or exits").atMost(Duration.ofMinutes(2))
                        .until(() -> !agent.isAlive() || err.stream().anyMatch(l -> l.contains("capturing on lo")));
                assertThat(err).as("the agent started: %s", err).anyMatch(l -> l.contains("capturing on lo"));

                String status = Files.readString(Path.of("/proc", String.valueOf(agent.pid()), "status"));
                assertThat(status).contains("\nUid:\t65534\t65534\t65534\t65534\n", "\nGid:\t65534\t65534\t65534\t65534\n",
                        "\nCapEff:\t0000000000000000\n", "\nCapPrm:\t0000000000000000\n");

                for (int i = 0; i < 3; i++) { // connections made after the drop are captured
                    try (Socket s = new Socket("127.0.0.1", port); Socket accepted = server.accept()) {
                        OutputStream o = s.getOutputStream();
                        o.write("hello".getBytes(StandardCharsets.US_ASCII));
                        o.flush();
                        accepted.getInputStream().readNBytes(5);
                    }
                }
            } finally {
                agent.destroy(); // SIGTERM: the agent drains its capture ring, flushes what it captured and exits
                assertThat(agent.waitFor(2, TimeUnit.MINUTES)).isTrue();
            }
            assertThat(agent.exitValue()).as("stderr: %s", err).isZero();
            stdout.join(); // the pipes reach their end once the process is gone
            stderr.join();
            assertThat(out.stream().filter(l -> l.contains("\"dst_port\":" + port)).count())
                    .as("segments of the connections made after the drop").isGreaterThanOrEqualTo(6);
        }
    }

    /** The DaemonSet's added capabilities as setpriv names them: "+net_raw,+setuid,+setgid". */
    private static String daemonSetCapabilities() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode ds = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(Path.of("../k8s/base/agent/daemonset.yaml").toFile());
        List<String> caps = new java.util.ArrayList<>();
        ds.path("spec").path("template").path("spec").path("containers").get(0).path("securityContext").path("capabilities")
                .path("add").forEach(c -> caps.add("+" + c.asText().toLowerCase(java.util.Locale.ROOT)));
        assertThat(caps).as("the DaemonSet adds capabilities").isNotEmpty();
        return String.join(",", caps);
    }

    private static Thread follow(java.io.InputStream in, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}

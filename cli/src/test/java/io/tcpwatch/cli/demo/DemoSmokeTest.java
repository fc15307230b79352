package io.tcpwatch.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * `tcpwatch demo` as a user starts it, in its own process on free ports: the dashboard's API
 * returns detections of the bundled scenarios (usually within a minute); SIGTERM stops it with exit code 0,
 * leaving no process behind and no port taken.
 */
@Timeout(900)
class DemoSmokeTest {

    @Test
    void theDemoShowsDetectionsAndStopsCleanly() throws Exception {
        int[] ports = freePorts(4);
        Path log = Path.of("target", "demo-smoke.log");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.tcpwatch.cli.Tcpwatch", "demo",
                "--dashboard-port", String.valueOf(ports[0]), "--flink-port", String.valueOf(ports[1]),
                "--kafka-port", String.valueOf(ports[2]), "--controller-port", String.valueOf(ports[3]), "--no-live")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI api = URI.create("http://127.0.0.1:" + ports[0] + "/api/detections?limit=50");
            AtomicReference<String> body = new AtomicReference<>("");
            await("the demo's detections, or its end").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptionsInstanceOf(IOException.class) // not up yet
                    .until(() -> {
                        if (!demo.isAlive()) {
                            return true;
                        }
                        body.set(get(http, api));
                        return body.get().contains("\"observer\":\"demo-");
                    });
            assertThat(body.get()).as("detections of the bundled scenarios (log: %s)", log).contains("\"observer\":\"demo-");
            String page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[1] + "/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(page).as("the Flink web UI").containsIgnoringCase("flink");
        } finally {
            List<ProcessHandle> children = new ArrayList<>(demo.descendants().toList());
            demo.destroy(); // SIGTERM, as Ctrl-C would
            boolean exited = demo.waitFor(3, TimeUnit.MINUTES);
            if (!exited) {
                demo.destroyForcibly();
            }
            assertThat(exited).as("stopped within 3 minutes (log: %s)", log).isTrue();
            assertThat(demo.exitValue()).as("exit code (log: %s)", log).isZero();
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        }
        assertThat(Files.readString(log)).contains("tcpwatch demo: stopped.");
        for (int p : ports) {
            try (ServerSocket s = new ServerSocket(p)) {
                assertThat(s.getLocalPort()).as("port %d is free again", p).isEqualTo(p);
            }
        }
    }

    private static String get(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aBusyPortIsOneSentenceAndExitCode10() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            int exit;
            try {
                int[] free = freePorts(3);
                exit = new picocli.CommandLine(new DemoCommand()).execute("--kafka-port", String.valueOf(taken.getLocalPort()),
                        "--dashboard-port", String.valueOf(free[0]), "--flink-port", String.valueOf(free[1]),
                        "--controller-port", String.valueOf(free[2]));
            } finally {
                System.setErr(old);
            }
            assertThat(exit).isEqualTo(10);
            assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(
                    "tcpwatch demo: port " + taken.getLocalPort() + " is in use (choose another with --kafka-port).\n");
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
        return ports;
    }
}

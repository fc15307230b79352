package io.tcpwatch.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.capture.LiveCapture;
import io.tcpwatch.agent.testing.CapturedOutput;
import io.tcpwatch.agent.testing.JsonFields;
import io.tcpwatch.agent.testing.SyntheticTraffic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What a user sees: output, one-sentence errors, and distinct exit codes. */
@Timeout(300)
class AgentCommandTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new AgentCommand());
        cl.setErr(new java.io.PrintWriter(System.err, true));
        return cl.execute(args);
    }

    private String stderr() {
        return output.err();
    }

    @Test
    void printWritesOneJsonLinePerTcpSegment() throws Exception {
        Path pcap = dir.resolve("t.pcap");
        long frames = SyntheticTraffic.write(pcap, 2_000, 20, 5);

        assertThat(run("--read", pcap.toString(), "--print", "--observer", "o1")).isZero();

        String[] lines = output.out().split("\n");
        assertThat(lines).hasSize((int) frames);
        Map<String, String> first = JsonFields.of(lines[0]);
        assertThat(first).containsEntry("observer", "o1").containsEntry("flags", "SYN")
                .containsKeys("ts_ns", "time", "src_addr", "dst_addr", "seq", "mss", "window_scale", "ts_val");
        assertThat(stderr()).contains(String.format("%,d TCP segments", frames));
    }

    @Test
    void aMissingFileIsOneSentenceAndExitCode5() {
        assertThat(run("--read", dir.resolve("nope.pcap").toString(), "--print")).isEqualTo(5);
        assertThat(stderr()).contains("nope.pcap does not exist").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aFileThatIsNotACaptureIsExitCode5() throws IOException {
        Path f = Files.writeString(dir.resolve("x.pcap"), "GET / HTTP/1.1\r\n");
        assertThat(run("--read", f.toString(), "--print")).isEqualTo(5);
        assertThat(stderr()).contains("is not a pcap or pcapng file");
    }

    @Test
    void aTruncatedFileIsProcessedUpToTheDamageThenExitCode6() throws IOException {
        Path pcap = dir.resolve("cut.pcap");
        long frames = SyntheticTraffic.write(pcap, 1_000, 10, 9);
        try (FileChannel ch = FileChannel.open(pcap, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7);
        }
        assertThat(run("--read", pcap.toString(), "--print")).isEqualTo(6);
        assertThat(output.out().split("\n")).hasSize((int) frames - 1);
        assertThat(stderr()).contains("cut.pcap: truncated record").contains("the rest of the file was not read");
    }

    @Test
    void usageErrorsAreExitCode2() {
        assertThat(run("--print")).isEqualTo(2);
        assertThat(run("--read", "a.pcap")).isEqualTo(2);
        assertThat(run("--read", "a.pcap", "--print", "--speed", "fast")).isEqualTo(2);
        assertThat(stderr()).contains("--speed takes realtime, max or a factor such as 10x, not 'fast'");
    }

    @Test
    void aMissingInterfaceIsExitCode3AndABadFilterExitCode8() throws TcpwatchException {
        assumeTrue(canCapture(), "live capture needs CAP_NET_RAW");
        assertThat(run("--interface", "tcpw-none0", "--print")).isEqualTo(3);
        assertThat(stderr()).contains("There is no interface named 'tcpw-none0'");
        assertThat(run("--interface", "lo", "--bpf", "tcp port", "--print")).isEqualTo(8);
        assertThat(stderr()).contains("is not valid BPF syntax");
    }

    @Test
    void withoutCapNetRawTheAgentSaysSoAndExits4() throws Exception {
        assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to drop CAP_NET_RAW for a child process");
        Process p = child(List.of("/usr/bin/setpriv", "--bounding-set=-net_raw,-net_admin", "--inh-caps=-all"),
                "--interface", "lo", "--print");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String e = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(e).isEqualTo(4);
        assertThat(e).contains("needs CAP_NET_RAW").doesNotContain("\tat ");
    }

    @Test
    void sigtermDuringALiveCaptureFlushesAndExitsZero() throws Exception {
        assumeTrue(canCapture(), "live capture needs CAP_NET_RAW");
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Process p = child(List.of(), "--interface", "lo", "--bpf", "tcp port " + port, "--print");
            String firstLine = readLine(p);
            assertThat(firstLine).contains("capturing on lo");
            for (int i = 0; i < 3; i++) {
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port); Socket a = server.accept()) {
                    c.getOutputStream().write(1);
                    a.getInputStream().read();
                }
            }
            // no waiting: what the kernel captured is in the agent's ring, and a stop drains the ring
            p.toHandle().destroy(); // SIGTERM, streams left open
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String stdout = Files.readString(dir.resolve("child.out"));
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(stderr).isZero();
            assertThat(stdout.lines().count()).as("segments of 3 connections").isGreaterThanOrEqualTo(3 * 7);
            assertThat(stderr).contains("stopping (SIGTERM)").contains("TCP segments");
        }
    }

    private Process child(List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(AgentMain.class.getName());
        cmd.addAll(List.of(args));
        cmd.add("--no-progress");
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve("child.out").toFile()).start();
    }

    private static String readLine(Process p) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = p.getErrorStream().read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** False only when this test run lacks CAP_NET_RAW; any other failure to open lo fails the test. */
    private static boolean canCapture() throws TcpwatchException {
        try {
            LiveCapture.open(new LiveCapture.Options("lo", "tcp", 128, 1, false)).close();
            return true;
        } catch (TcpwatchException e) {
            if (e.exitCode() == ExitCode.NO_CAPTURE_PERMISSION) {
                return false;
            }
            throw e;
        }
    }
}

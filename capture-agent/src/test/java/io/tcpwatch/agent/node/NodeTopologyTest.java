package io.tcpwatch.agent.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.Agent;
import io.tcpwatch.agent.cli.AgentMain;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.testing.TcpPeer;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a Kubernetes-like node, capturing {@code any} as the DaemonSet does. Network
 * namespaces the test builds: a node with a bridge and two pods on it, a pod on a routed veth
 * (no bridge, as Calico lays them out), an outside host behind the node's SNAT, and a Service
 * address that the node DNATs to a pod. Each connection crosses two or three of the node's
 * interfaces; the agent must record each of its segments once, as the client saw it — the labels
 * are what the clients' own namespaces captured on their single interface.
 */
@Timeout(300)
class NodeTopologyTest {

    private final String id = Long.toString(ProcessHandle.current().pid() % 100000, 36);
    private final String node = "twn" + id;
    private final String podA = "twa" + id;
    private final String podB = "twb" + id;
    private final String podC = "twc" + id;
    private final String outside = "two" + id;
    private final List<Process> started = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void buildTheNode() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root");
        for (String ns : List.of(node, podA, podB, podC, outside)) {
            ip("netns", "add", ns);
            ip("-n", ns, "link", "set", "lo", "up");
        }
        // the bridge and two pods on it
        ip("-n", node, "link", "add", "cni0", "type", "bridge");
        ip("-n", node, "addr", "add", "10.244.0.1/24", "dev", "cni0");
        ip("-n", node, "link", "set", "cni0", "up");
        pod(podA, "veth-a", "10.244.0.2/24", "10.244.0.1", true);
        pod(podB, "veth-b", "10.244.0.3/24", "10.244.0.1", true);
        // a pod on a routed veth, no bridge
        ip("-n", node, "link", "add", "veth-c", "type", "veth", "peer", "name", "eth0", "netns", podC);
        ip("-n", node, "addr", "add", "10.244.1.1/24", "dev", "veth-c");
        ip("-n", node, "link", "set", "veth-c", "up");
        pod(podC, null, "10.244.1.2/24", "10.244.1.1", false);
        // the uplink to a host outside
        ip("-n", node, "link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", outside);
        ip("-n", node, "addr", "add", "192.0.2.1/24", "dev", "uplink");
        ip("-n", node, "link", "set", "uplink", "up");
        ip("-n", outside, "addr", "add", "192.0.2.10/24", "dev", "eth0");
        ip("-n", outside, "link", "set", "eth0", "up");
        run(List.of("ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1"));
        // a Service address DNATed to pod B, and SNAT towards the outside
        Path rules = dir.resolve("nat.nft");
        Files.writeString(rules, """
                table ip nat {
                  chain prerouting { type nat hook prerouting priority dstnat; ip daddr 10.96.0.10 tcp dport 80 dnat to 10.244.0.3:8080; }
                  chain postrouting { type nat hook postrouting priority srcnat; oifname "uplink" masquerade; }
                }
                """);
        run(List.of("ip", "netns", "exec", node, "nft", "-f", rules.toString()));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (String ns : List.of(podA, podB, podC, outside, node)) {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void everySegmentOnceAsTheClientSawItThroughBridgeRoutingDnatAndSnat() throws Exception {
        Child serverB = java(podB, TcpPeer.class.getName(), "serve", "8080", "3").ready("listening");
        Child serverOutside = java(outside, TcpPeer.class.getName(), "serve", "8080", "1").ready("listening");
        Path seenByA = dir.resolve("pod-a.pcap");
        Path seenByC = dir.resolve("pod-c.pcap");
        Child tcpdumpA = tcpdump(podA, seenByA).ready("listening on");
        Child tcpdumpC = tcpdump(podC, seenByC).ready("listening on");
        Path agentOut = dir.resolve("agent.jsonl");
        Child agent = start(List.of("ip", "netns", "exec", node, javaBin(), "-cp", System.getProperty("java.class.path"),
                AgentMain.class.getName(), "--interface", "any", "--bpf", "tcp", "--print", "--observer", "node",
                "--no-progress"), agentOut).ready("capturing on any");

        connect(podA, "10.244.0.3", 8080);   // pod → pod on the bridge
        connect(podC, "10.244.0.3", 8080);   // routed pod → bridged pod
        connect(podC, "10.96.0.10", 80);     // pod → Service, DNAT to pod B
        connect(podA, "192.0.2.10", 8080);   // pod → outside, SNAT on the uplink
        assertThat(serverB.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(serverOutside.process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        String agentSummary = agent.stop();
        tcpdumpA.stop();
        tcpdumpC.stop();
        List<String> labels = new ArrayList<>(segmentsOf(seenByA));
        labels.addAll(segmentsOf(seenByC));
        List<String> recorded = recordedBy(agentOut);

        assertThat(labels).as("the clients' own captures: 4 connections").hasSizeGreaterThanOrEqualTo(4 * 8);
        assertThat(recorded).as("the node's capture on any, against the clients' (%s)", agentSummary)
                .containsExactlyInAnyOrderElementsOf(labels);
        assertThat(agentSummary).containsPattern("COPY_ON_ANOTHER_INTERFACE [1-9]");
        System.out.printf("node topology: %d segments of 4 connections, each recorded once on any; %s%n", recorded.size(),
                agentSummary.lines().filter(l -> l.contains("COPY_ON_ANOTHER_INTERFACE")).findFirst().orElse(""));
    }

    /** A pod: a veth into the node (on the bridge when {@code bridged}), its address and default route. */
    private void pod(String ns, String hostSide, String cidr, String gateway, boolean bridged) throws Exception {
        if (bridged) {
            ip("-n", node, "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", node, "link", "set", hostSide, "master", "cni0");
            ip("-n", node, "link", "set", hostSide, "up");
        }
        ip("-n", ns, "addr", "add", cidr, "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", ns, "route", "add", "default", "via", gateway);
    }

    private void connect(String ns, String host, int port) throws Exception {
        Child client = java(ns, TcpPeer.class.getName(), "connect", host, Integer.toString(port));
        assertThat(client.process.waitFor(60, TimeUnit.SECONDS)).as("client in %s to %s:%d", ns, host, port).isTrue();
        assertThat(client.process.exitValue()).as("client in %s to %s:%d: %s", ns, host, port, client.said()).isZero();
    }

    /** The segments of a client's capture, as "src > dst flags seq ack len". */
    private static List<String> segmentsOf(Path pcap) {
        List<String> out = new ArrayList<>();
        new Agent("client", new SegmentSink() {
            @Override
            public void accept(Segment s) {
                out.add(key(host(s.srcAddr), s.srcPort, host(s.dstAddr), s.dstPort,
                        TcpFlags.describe(s.flags), s.seq, s.ack, s.payloadLen));
            }

            @Override
            public void close() {}
        }, null).replay(List.of(pcap), m -> {});
        return out;
    }

    private static List<String> recordedBy(Path jsonLines) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonLines)) {
            JsonNode s = mapper.readTree(line);
            out.add(key(s.path("src_addr").asText(), s.path("src_port").asInt(), s.path("dst_addr").asText(),
                    s.path("dst_port").asInt(), s.path("flags").asText(), s.path("seq").asLong(), s.path("ack").asLong(),
                    s.path("payload_len").asInt()));
        }
        return out;
    }

    private static String key(String src, int sport, String dst, int dport, String flags, long seq, long ack, int len) {
        return src + ":" + sport + " > " + dst + ":" + dport + " " + flags + " seq " + seq + " ack " + ack + " len " + len;
    }

    /** An address as the agent's JSON writes it. */
    private static String host(byte[] addr) {
        try {
            return InetAddress.getByAddress(addr).getHostAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Child java(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, javaBin(), "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        return start(cmd, null);
    }

    private Child tcpdump(String ns, Path file) throws IOException {
        // immediate mode: a SIGTERM ends tcpdump without draining the kernel's ring
        return start(List.of("ip", "netns", "exec", ns, "tcpdump", "-i", "eth0", "--immediate-mode", "-U", "-n", "-w",
                file.toString(), "tcp"), null);
    }

    private Child start(List<String> cmd, Path stdout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        }
        Process p = pb.start();
        started.add(p);
        return new Child(p);
    }

    /** A process of the test, what it has said so far (stdout unless redirected, and stderr). */
    private static final class Child {
        final Process process;
        private final StringBuilder said = new StringBuilder();
        private final List<Thread> readers = new ArrayList<>();

        Child(Process process) {
            this.process = process;
            for (var stream : List.of(process.getErrorStream(), process.getInputStream())) {
                Thread t = new Thread(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            synchronized (said) {
                                said.append(line).append('\n');
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                });
                t.setDaemon(true);
                t.start();
                readers.add(t);
            }
        }

        String said() {
            synchronized (said) {
                return said.toString();
            }
        }

        /** Waits until it says {@code ready}; one that exits first fails the test. */
        Child ready(String ready) {
            await(ready).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .failFast("the process ended: " + said(), () -> !process.isAlive() && !said().contains(ready))
                    .until(() -> said().contains(ready));
            return this;
        }

        /** SIGTERM; all it said. */
        String stop() throws Exception {
            process.toHandle().destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (Thread t : readers) {
                t.join(10_000); // its streams end with the process
            }
            return said();
        }
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    private static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }
}

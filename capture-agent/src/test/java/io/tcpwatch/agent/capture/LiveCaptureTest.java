package io.tcpwatch.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tcpwatch.agent.Agent;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Captures the real Linux TCP stack on loopback with libpcap while the test makes connections,
 * then checks the parsed segments against what the kernel must have sent.
 */
@Timeout(180)
class LiveCaptureTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<Segment> seen = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private LiveCapture capture;
    private Agent agent;
    private Thread captureThread;

    private long startedNanos;

    @BeforeEach
    void startCapture() throws Exception {
        startedNanos = System.currentTimeMillis() * 1_000_000L;
        server = new ServerSocket(0, 50, LOOPBACK);
        int port = server.getLocalPort();
        int closedPort = closedPort();
        try {
            capture = LiveCapture.open(new LiveCapture.Options("lo",
                    "tcp port " + port + " or tcp port " + closedPort, 128, 4, false));
        } catch (TcpwatchException e) {
            assumeTrue(e.exitCode() != ExitCode.NO_CAPTURE_PERMISSION,
                    "capturing on lo needs CAP_NET_RAW, which this test run does not have");
            throw e;
        }
        this.closedPort = closedPort;
        SegmentSink sink = new SegmentSink() {
            @Override
            public void accept(Segment s) {
                seen.add(s.copy());
            }

            @Override
            public void close() {}
        };
        agent = new Agent("test-observer", sink, null);
        captureThread = new Thread(() -> {
            try {
                agent.capture(capture);
            } catch (TcpwatchException e) {
                throw new IllegalStateException(e);
            }
        }, "capture");
        captureThread.start(); // the handle is open: the kernel fills its ring from now on, read or not
    }

    private int closedPort;

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.requestStop();
            captureThread.join(5_000);
            capture.close();
        }
        server.close();
    }

    /** Waits until the capture has seen a segment matching {@code p}. */
    private void awaitSegment(String what, Predicate<Segment> p) {
        await(what).atMost(Duration.ofSeconds(60)).until(() -> seen.stream().anyMatch(p));
    }

    @Test
    void gracefulCloseShowsHandshakeDataAndFinsWithContinuousSequenceNumbers() throws Exception {
        try (Socket client = new Socket(LOOPBACK, server.getLocalPort()); Socket accepted = server.accept()) {
            OutputStream out = client.getOutputStream();
            out.write(new byte[100]);
            out.flush();
            InputStream in = accepted.getInputStream();
            in.readNBytes(100);
            accepted.getOutputStream().write(new byte[50]);
            client.getInputStream().readNBytes(50);
            client.shutdownOutput();
            in.read(); // EOF
            accepted.close();
        }
        int sport = server.getLocalPort();
        await("both FINs captured").atMost(Duration.ofSeconds(60))
                .until(() -> seen.stream().filter(x -> x.has(TcpFlags.FIN)).count() == 2);

        Segment syn = only(s -> s.flags == TcpFlags.SYN && s.dstPort == sport);
        Segment synAck = only(s -> s.flags == (TcpFlags.SYN | TcpFlags.ACK) && s.srcPort == sport);
        int cport = syn.srcPort;
        assertThat(syn.mss).isPositive();
        assertThat(syn.windowScale).isNotEqualTo(Segment.ABSENT);
        assertThat(syn.sackPermitted).isTrue();
        assertThat(syn.hasTimestamps).isTrue();
        assertThat(syn.ttl).isEqualTo(64);
        assertThat(syn.ipVersion).isEqualTo(4);
        assertThat(syn.observer).isEqualTo("test-observer");
        assertThat(syn.iface).isEqualTo("lo");
        assertThat(synAck.ack).isEqualTo(syn.seq + 1);
        assertThat(synAck.tsEcr).isEqualTo(syn.tsVal);

        long clientBytes = seen.stream().filter(s -> s.srcPort == cport).mapToLong(s -> s.payloadLen).sum();
        long serverBytes = seen.stream().filter(s -> s.srcPort == sport).mapToLong(s -> s.payloadLen).sum();
        assertThat(clientBytes).isEqualTo(100);
        assertThat(serverBytes).isEqualTo(50);

        Segment clientFin = only(s -> s.srcPort == cport && s.has(TcpFlags.FIN));
        Segment serverFin = only(s -> s.srcPort == sport && s.has(TcpFlags.FIN));
        assertThat(clientFin.seq).isEqualTo((syn.seq + 1 + 100) & 0xFFFFFFFFL);
        assertThat(serverFin.seq).isEqualTo((synAck.seq + 1 + 50) & 0xFFFFFFFFL);
        assertThat(serverFin.ack).isEqualTo((clientFin.seq + 1) & 0xFFFFFFFFL);

        assertThat(capture.nanosecondTimestamps()).isTrue();
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(syn.tsNanos).as("the kernel's wall-clock time of the SYN").isBetween(startedNanos - 1_000_000L, now);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).tsNanos).isGreaterThanOrEqualTo(seen.get(i - 1).tsNanos);
        }
        assertThat(agent.counters().skippedTotal()).isZero();
        assertThat(capture.stats().received()).isGreaterThanOrEqualTo(seen.size());
    }

    @Test
    void lingerZeroCloseSendsAResetAtTheNextSequenceNumber() throws Exception {
        int sport = server.getLocalPort();
        try (Socket client = new Socket(LOOPBACK, sport); Socket accepted = server.accept()) {
            client.getOutputStream().write(new byte[10]);
            accepted.getInputStream().readNBytes(10);
            client.setSoLinger(true, 0);
            client.close();
            awaitSegment("the RST captured", s -> s.has(TcpFlags.RST));
        }
        Segment syn = only(s -> s.flags == TcpFlags.SYN && s.dstPort == sport);
        Segment rst = only(s -> s.has(TcpFlags.RST));
        assertThat(rst.srcPort).isEqualTo(syn.srcPort);
        assertThat(rst.seq).isEqualTo((syn.seq + 1 + 10) & 0xFFFFFFFFL);
        assertThat(rst.payloadLen).isZero();
    }

    @Test
    void aSynToAPortWithoutListenerIsAnsweredWithRstAck() throws Exception {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(LOOPBACK, closedPort), 2_000);
            throw new AssertionError("port " + closedPort + " unexpectedly accepted");
        } catch (ConnectException expected) {
            // refused, as it must be
        }
        awaitSegment("the RST,ACK captured", s -> s.has(TcpFlags.RST));
        Segment syn = only(s -> s.flags == TcpFlags.SYN && s.dstPort == closedPort);
        Segment rst = only(s -> s.srcPort == closedPort);
        assertThat(rst.flags).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
        assertThat(rst.ack).isEqualTo(syn.seq + 1);
        assertThat(rst.window).isZero();
    }

    private Segment only(Predicate<Segment> p) {
        List<Segment> matches = seen.stream().filter(p).toList();
        assertThat(matches).as("segments matching in %s", seen).hasSize(1);
        return matches.get(0);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort(); // closed again at once: nothing listens there now
        }
    }
}

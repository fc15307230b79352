package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.TrackerConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tcpwatch.agent.Agent;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.capture.LiveCapture;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real Linux stack on loopback, captured with libpcap: a server that listens and never calls
 * accept(), a client that sends its request and gives up when its 11 s read timeout expires — and,
 * beside it, a server that answers. The labels are the applications' own: the first server never
 * accepted, the client's read timed out; the second answered. Only the first connection is an
 * {@code UNANSWERED_REQUEST}.
 */
@Timeout(120)
class UnansweredRequestLiveTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int CLIENT_TIMEOUT_MS = 11_000;

    @Test
    void aServerThatNeverAcceptsLeavesTheRequestUnansweredUntilTheClientGivesUp() throws Exception {
        List<Segment> seen = new CopyOnWriteArrayList<>();
        try (ServerSocket neverAccepts = new ServerSocket(0, 8, LOOPBACK); ServerSocket answers = new ServerSocket(0, 8, LOOPBACK)) {
            LiveCapture capture = open("tcp port " + neverAccepts.getLocalPort() + " or tcp port " + answers.getLocalPort());
            Agent agent = new Agent("live", new SegmentSink() {
                @Override
                public void accept(Segment s) {
                    seen.add(s.copy());
                }

                @Override
                public void close() {}
            }, null);
            Thread captureThread = new Thread(() -> {
                try {
                    agent.capture(capture);
                } catch (TcpwatchException e) {
                    throw new IllegalStateException(e);
                }
            }, "capture");
            captureThread.start();
            try {
                int served = served(answers);
                int unserved = unserved(neverAccepts);
                await("the client's FIN after its timeout, captured").atMost(Duration.ofSeconds(30))
                        .until(() -> seen.stream().anyMatch(s -> s.has(TcpFlags.FIN) && s.srcPort == unserved));

                List<Detection> found = track(seen);
                assertThat(found).filteredOn(d -> d.type.equals("UNANSWERED_REQUEST")).singleElement().satisfies(d -> {
                    assertThat(d.client).endsWith(":" + unserved);
                    assertThat(d.explanation).contains("the client gave up after 11.");
                });
                assertThat(found).noneMatch(d -> d.client != null && d.client.endsWith(":" + served));
            } finally {
                agent.requestStop();
                captureThread.join(5_000);
                capture.close();
            }
        }
    }

    /** A request answered at once; returns the client's port. */
    private static int served(ServerSocket answers) throws Exception {
        try (Socket client = new Socket(LOOPBACK, answers.getLocalPort()); Socket accepted = answers.accept()) {
            client.getOutputStream().write(new byte[100]);
            accepted.getInputStream().readNBytes(100);
            accepted.getOutputStream().write(new byte[300]);
            client.getInputStream().readNBytes(300);
            return client.getLocalPort();
        }
    }

    /** A request to a server that never accepts: the kernel completes the handshake and acknowledges it; the client times out. */
    private static int unserved(ServerSocket neverAccepts) throws Exception {
        try (Socket client = new Socket(LOOPBACK, neverAccepts.getLocalPort())) {
            client.setSoTimeout(CLIENT_TIMEOUT_MS);
            client.getOutputStream().write(new byte[100]);
            InputStream in = client.getInputStream();
            assertThatThrownBy(in::read).as("the client's own timeout: no answer").isInstanceOf(SocketTimeoutException.class);
            return client.getLocalPort();
        }
    }

    private static LiveCapture open(String bpf) throws TcpwatchException {
        try {
            return LiveCapture.open(new LiveCapture.Options("lo", bpf, 128, 4, false));
        } catch (TcpwatchException e) {
            assumeTrue(e.exitCode() != ExitCode.NO_CAPTURE_PERMISSION, "capturing on lo needs CAP_NET_RAW");
            throw e;
        }
    }

    /** The captured segments, in capture order, through the tracker; its detections. */
    private static List<Detection> track(List<Segment> segments) throws Exception {
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ConnectionTracker(TrackerConfig.defaults())), (SegmentRun run) -> ConnKey.of(run.first()),
                TypeInformation.of(ConnKey.class))) {
            harness.open();
            for (Segment s : segments.stream().sorted(Comparator.comparingLong(s -> s.tsNanos)).toList()) {
                harness.processElement(SegmentRun.of(s), Math.floorDiv(s.tsNanos, 1_000_000L));
            }
            harness.processWatermark(Long.MAX_VALUE);
            return harness.extractOutputValues();
        }
    }
}

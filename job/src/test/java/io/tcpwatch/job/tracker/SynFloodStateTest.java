package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TcpState;
import io.tcpwatch.core.connection.TrackerConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.state.ConnectionSerializer;
import io.tcpwatch.job.state.SegmentHeaderSerializer;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Resource bounds under a SYN flood of random 4-tuples: per spoofed SYN one connection and its
 * SYN's kept header, each expiring with the handshake timeout, nothing left afterwards. The figure for 10^6 SYNs is
 * RELIABILITY.md's (run with -Dtcpwatch.flood=1000000); CI floods 100,000.
 */
class SynFloodStateTest {

    @Test
    void spoofedSynsAreForgottenAfterTheHandshakeTimeout() throws Exception {
        int syns = Integer.getInteger("tcpwatch.flood", 100_000);
        long t0Ms = 1_795_000_000_000L;
        Random rnd = new Random(42);
        try (var harness = new KeyedOneInputStreamOperatorTestHarness<ConnKey, SegmentRun, Detection>(
                new KeyedProcessOperator<>(new ConnectionTracker(TrackerConfig.defaults())), run -> ConnKey.of(run.first()),
                TypeInformation.of(ConnKey.class))) {
            harness.open();
            Segment s = new Segment();
            for (int i = 0; i < syns; i++) { // 10 s of flood from random sources and ports
                s.observer = "srv";
                s.tsNanos = (t0Ms + (long) i * 10_000 / syns) * 1_000_000L;
                s.ipVersion = 4;
                s.srcAddr = new byte[] {(byte) rnd.nextInt(), (byte) rnd.nextInt(), (byte) rnd.nextInt(), (byte) rnd.nextInt()};
                s.dstAddr = new byte[] {10, 0, 0, 1};
                s.srcPort = 1024 + rnd.nextInt(64_000);
                s.dstPort = 443;
                s.seq = rnd.nextInt() & 0xFFFFFFFFL;
                s.flags = TcpFlags.SYN;
                s.window = 64240;
                s.ttl = 50;
                harness.processElement(SegmentRun.of(s.copy()), Math.floorDiv(s.tsNanos, 1_000_000L));
            }
            int peak = harness.numKeyedStateEntries() / 2;
            assertThat(peak).as("one connection and its SYN's kept header per SYN, nothing more")
                    .isLessThanOrEqualTo(syns).isGreaterThan(syns * 99 / 100);
            long peakBytes = peak * (long) (io.tcpwatch.job.bench.JobBenchmark.size(stateOf(s), ConnectionSerializer.INSTANCE)
                    + io.tcpwatch.job.bench.JobBenchmark.size(headerOf(s), SegmentHeaderSerializer.INSTANCE));

            harness.processWatermark(t0Ms + 10_000 + TrackerConfig.defaults().handshakeTimeout.toMillis() + 1_000);
            assertThat(harness.numKeyedStateEntries()).as("every half-open connection expired").isZero();
            long halfOpen = harness.extractOutputValues().stream().filter(d -> d.type.equals("HALF_OPEN")).count();
            assertThat(halfOpen).isEqualTo(peak);
            System.out.printf("SYN flood: %,d spoofed SYNs → peak %,d connections and as many kept SYN headers (≈ %,d MB"
                    + " serialized, keys not counted), 0 after the handshake timeout; %,d HALF_OPEN detections%n", syns, peak,
                    peakBytes >> 20, halfOpen);
        }
    }

    /** The SYN's header as the tracker keeps it for findings. */
    private static SegmentHeader headerOf(Segment s) {
        SegmentHeader h = new SegmentHeader();
        h.n = 1;
        h.tsNs = s.tsNanos;
        h.fromClient = true;
        h.flags = s.flags;
        h.seq = s.seq;
        h.window = s.window;
        return h;
    }

    /** A half-open connection's state as the tracker keeps it, for its serialized size. */
    private static Connection stateOf(Segment s) {
        Connection c = new Connection();
        c.observer = s.observer;
        c.ipVersion = 4;
        c.orig.addr = s.srcAddr;
        c.resp.addr = s.dstAddr;
        c.orig.port = s.srcPort;
        c.resp.port = s.dstPort;
        c.history = "S";
        c.state = TcpState.SYN_SENT;
        c.startNs = c.lastNs = c.firstSynNs = c.lastSynNs = s.tsNanos;
        c.orig.isn = s.seq;
        return c;
    }
}

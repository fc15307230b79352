package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The tracker in an operator test harness with a small segment language: {@code c(ms, flags, seq,
 * ack, len)} for the client, {@code s(…)} for the server, {@code watermark(ms)} to let event time pass.
 */
abstract class TrackerHarness {

    protected static final byte[] CLIENT = {10, 0, 0, 2};
    protected static final byte[] SERVER = {10, 0, 0, 1};
    protected static final int CPORT = 40000;
    protected static final int SPORT = 80;
    protected static final long T0 = 1_795_000_000_000L; // ms
    /** How long a closed incarnation stays open for stragglers (the tracker's default). */
    protected static final double LINGER_MS = TrackerConfig.defaults().closeLinger.toMillis();

    protected KeyedOneInputStreamOperatorTestHarness<ConnKey, SegmentRun, Detection> harness;
    protected int serverTtl = 64;
    /** Segments collected for one run, or null: each segment is a run of its own. */
    private List<Segment> run;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ConnectionTracker(TrackerConfig.defaults())),
                run -> ConnKey.of(run.first()), TypeInformation.of(ConnKey.class));
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** A segment at {@code ms} after T0 (with µs fraction {@code us}), from the client when {@code c2s}. */
    protected void seg(double ms, boolean c2s, int flags, long seq, long ack, int len, int window) throws Exception {
        seg(CLIENT, ms, c2s, flags, seq, ack, len, window);
    }

    /** The same, of another connection: {@code client} instead of {@link #CLIENT}. */
    protected void seg(byte[] client, double ms, boolean c2s, int flags, long seq, long ack, int len, int window)
            throws Exception {
        Segment s = new Segment();
        s.observer = "obs";
        s.tsNanos = (T0 * 1_000_000L) + (long) (ms * 1_000_000L);
        s.ipVersion = 4;
        s.srcAddr = c2s ? client : SERVER;
        s.dstAddr = c2s ? SERVER : client;
        s.srcPort = c2s ? CPORT : SPORT;
        s.dstPort = c2s ? SPORT : CPORT;
        s.flags = flags;
        s.seq = seq & 0xFFFFFFFFL;
        s.ack = ack & 0xFFFFFFFFL;
        s.payloadLen = len;
        s.window = window;
        s.ttl = c2s ? 64 : serverTtl;
        if (run != null) {
            run.add(s);
        } else {
            harness.processElement(SegmentRun.of(s), Math.floorDiv(s.tsNanos, 1_000_000L));
        }
    }

    /** The segments {@code segments} makes, given to the tracker as one run (a flow batch). */
    protected void asOneRun(Steps segments) throws Exception {
        run = new ArrayList<>();
        try {
            segments.run();
            SegmentRun r = SegmentRun.of(run);
            harness.processElement(r, r.eventTimeMs());
        } finally {
            run = null;
        }
    }

    protected interface Steps {
        void run() throws Exception;
    }

    protected void c(double ms, int flags, long seq, long ack, int len) throws Exception {
        seg(ms, true, flags, seq, ack, len, 502);
    }

    protected void s(double ms, int flags, long seq, long ack, int len) throws Exception {
        seg(ms, false, flags, seq, ack, len, 509);
    }

    protected void watermark(double ms) throws Exception {
        harness.processWatermark(T0 + (long) ms);
    }

    protected static final int SYN = TcpFlags.SYN;
    protected static final int SA = TcpFlags.SYN | TcpFlags.ACK;
    protected static final int A = TcpFlags.ACK;
    protected static final int PA = TcpFlags.PSH | TcpFlags.ACK;
    protected static final int FA = TcpFlags.FIN | TcpFlags.ACK;
    protected static final int RA = TcpFlags.RST | TcpFlags.ACK;
    protected static final int R = TcpFlags.RST;

    /** SYN(1000) / SYN-ACK(5000) / ACK / 100 bytes each way, starting at {@code at} ms. */
    protected void handshakeAndData(double at, long cIsn, long sIsn) throws Exception {
        c(at, SYN, cIsn, 0, 0);
        s(at + 0.1, SA, sIsn, cIsn + 1, 0);
        c(at + 0.2, A, cIsn + 1, sIsn + 1, 0);
        c(at + 1, PA, cIsn + 1, sIsn + 1, 100);
        s(at + 1.1, A, sIsn + 1, cIsn + 101, 0);
        s(at + 2, PA, sIsn + 1, cIsn + 101, 100);
        c(at + 2.1, A, cIsn + 101, sIsn + 101, 0);
    }

    /** The server closes first; the client answers with its FIN. */
    protected void serverClosesFirst(double at, long cIsn, long sIsn) throws Exception {
        s(at, FA, sIsn + 101, cIsn + 101, 0);
        c(at + 0.1, FA, cIsn + 101, sIsn + 102, 0);
        s(at + 0.2, A, sIsn + 102, cIsn + 102, 0);
    }

    protected List<Detection> detections() {
        return harness.extractOutputValues();
    }

    protected List<Detection> detections(String type) {
        return detections().stream().filter(d -> d.type.equals(type)).collect(Collectors.toList());
    }

    /** What the tracker told the fleet stage: OPENED, ESTABLISHED, CLOSED. */
    protected List<io.tcpwatch.core.fleet.ConnectionEvent> events(io.tcpwatch.core.fleet.ConnectionEvent.Kind kind) {
        return harness.getSideOutput(ConnectionTracker.EVENTS).stream().map(StreamRecord::getValue)
                .filter(e -> e.kind == kind).toList();
    }

    protected List<ConnectionRecord> records() {
        return harness.getSideOutput(ConnectionTracker.CONNECTIONS).stream().map(StreamRecord::getValue).toList();
    }

}

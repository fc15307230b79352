package io.tcpwatch.core.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A flow batch is one call of the tracker ({@link Tracker#onSegments}): the same findings, records,
 * events and remaining state as its segments one call each, for one read and one write of the
 * connection's state and at most one deadline set.
 */
class TrackerRunTest {

    private static final long T0_NS = 1_795_000_000_000L * 1_000_000L;
    private static final byte[] CLIENT = {10, 0, 0, 2};
    private static final byte[] SERVER = {10, 0, 0, 1};

    @Test
    void aConnectionAsOneRunGivesWhatItsSegmentsGiveOneByOne() {
        List<Segment> segments = exchange(0, 40_000, 1_000, 20);
        Run single = new Run();
        segments.forEach(s -> single.tracker.onSegment(s, single.timers, single.out));
        Run batched = new Run();
        batched.tracker.onSegments(segments, batched.timers, batched.out);

        assertSameOutcome(batched, single);
        assertThat(single.reads).as("one read per segment, one by one").isEqualTo(segments.size());
        assertThat(batched.reads).as("reads of the connection's state for the run").isEqualTo(1);
        assertThat(batched.writes).as("writes of the connection's state for the run").isEqualTo(1);
        assertThat(batched.scheduled).as("deadlines set for the run").isEqualTo(1);
        assertThat(single.writes).isEqualTo(segments.size());
    }

    @Test
    void aRunAcrossTheEndOfAnIncarnationAndTheNextOneGivesTheSameStory() {
        // a FIN close with the server in TIME_WAIT, then the client's SYN from the same port 200 ms later:
        // a port-reuse collision, answered by the server's stray ACK and the client's RST
        List<Segment> segments = new ArrayList<>(exchange(0, 40_000, 1_000, 3)); // ends at seq 40,302 and 1,902
        double t = 300;
        segments.add(seg(t, true, TcpFlags.SYN, 90_000, 0, 0));
        segments.add(seg(t + 0.1, false, TcpFlags.ACK, 1_902, 40_302, 0));
        segments.add(seg(t + 0.2, true, TcpFlags.RST, 40_302, 0, 0));
        segments.add(seg(t + 1_000, true, TcpFlags.SYN, 90_000, 0, 0));
        Run single = new Run();
        segments.forEach(s -> single.tracker.onSegment(s, single.timers, single.out));
        Run batched = new Run();
        batched.tracker.onSegments(segments, batched.timers, batched.out);
        assertThat(batched.reads).as("reads of the connection's state for the run").isEqualTo(1);
        for (Run r : List.of(single, batched)) {
            r.timers.watermark = Long.MAX_VALUE;
            r.fireAll();
        }

        assertSameOutcome(batched, single);
        assertThat(single.records).as("the closed incarnation and the next one").hasSizeGreaterThanOrEqualTo(2);
        assertThat(single.detections).as("the port-reuse collision").anyMatch(d -> d.contains("PORT_REUSE_COLLISION"));
    }

    @Test
    void segmentsOfARunBehindTheWatermarkAreLateAndTheRestIsTracked() {
        List<Segment> segments = exchange(0, 40_000, 1_000, 5);
        Run single = new Run();
        Run batched = new Run();
        single.timers.watermark = batched.timers.watermark = Tracker.eventTimeMs(segments.get(2));
        segments.forEach(s -> single.tracker.onSegment(s, single.timers, single.out));
        batched.tracker.onSegments(segments, batched.timers, batched.out);

        assertSameOutcome(batched, single);
        assertThat(batched.late).as("the handshake's first two segments").hasSize(2);
        assertThat(batched.state.get("connection")).as("the rest is tracked").isNotNull();
    }

    private static void assertSameOutcome(Run batched, Run single) {
        assertThat(batched.detections).isEqualTo(single.detections);
        assertThat(batched.records).isEqualTo(single.records);
        assertThat(batched.late).isEqualTo(single.late);
        assertThat(batched.events).usingRecursiveFieldByFieldElementComparator().isEqualTo(single.events);
        assertThat(batched.state.keySet()).isEqualTo(single.state.keySet());
        assertThat(batched.state.get("connection")).usingRecursiveComparison()
                .ignoringFields("timerAtMs").isEqualTo(single.state.get("connection"));
        assertThat(batched.lists).usingRecursiveComparison().isEqualTo(single.lists);
    }

    /**
     * A handshake, {@code requests} request/response pairs, and a close begun by the server: segments
     * of one 4-tuple from {@code ms} (milliseconds after T0) on, 1 ms apart.
     */
    private static List<Segment> exchange(double ms, long clientIsn, long serverIsn, int requests) {
        List<Segment> out = new ArrayList<>();
        long c = clientIsn;
        long s = serverIsn;
        out.add(seg(ms++, true, TcpFlags.SYN, c, 0, 0));
        out.add(seg(ms++, false, TcpFlags.SYN | TcpFlags.ACK, s, c + 1, 0));
        c++;
        s++;
        out.add(seg(ms++, true, TcpFlags.ACK, c, s, 0));
        for (int i = 0; i < requests; i++) {
            out.add(seg(ms++, true, TcpFlags.ACK | TcpFlags.PSH, c, s, 100));
            c += 100;
            out.add(seg(ms++, false, TcpFlags.ACK | TcpFlags.PSH, s, c, 300));
            s += 300;
            out.add(seg(ms++, true, TcpFlags.ACK, c, s, 0));
        }
        out.add(seg(ms++, false, TcpFlags.FIN | TcpFlags.ACK, s, c, 0));
        out.add(seg(ms++, true, TcpFlags.FIN | TcpFlags.ACK, c, s + 1, 0));
        out.add(seg(ms, false, TcpFlags.ACK, s + 1, c + 1, 0));
        return out;
    }

    private static Segment seg(double ms, boolean fromClient, int flags, long seq, long ack, int len) {
        Segment s = new Segment();
        s.observer = "obs";
        s.tsNanos = T0_NS + (long) (ms * 1_000_000L);
        s.ipVersion = 4;
        s.srcAddr = fromClient ? CLIENT : SERVER;
        s.dstAddr = fromClient ? SERVER : CLIENT;
        s.srcPort = fromClient ? 40_000 : 443;
        s.dstPort = fromClient ? 443 : 40_000;
        s.flags = flags;
        s.seq = seq & 0xFFFFFFFFL;
        s.ack = ack & 0xFFFFFFFFL;
        s.payloadLen = len;
        s.window = 64_000;
        s.ttl = 64;
        return s;
    }

    /** One key's tracker on counting in-memory state, its outputs collected. */
    private static final class Run implements StateStore {
        final Map<String, Object> state = new HashMap<>();
        final Map<String, List<Object>> lists = new HashMap<>();
        final List<String> detections = new ArrayList<>();
        final List<String> records = new ArrayList<>();
        final List<ConnectionEvent> events = new ArrayList<>();
        final List<String> late = new ArrayList<>();
        int reads;
        int writes;
        int scheduled;
        final FixedTimers timers = new FixedTimers();
        final Tracker tracker = new Tracker(TrackerConfig.defaults(), this);
        final TrackerOutput out = new TrackerOutput() {
            @Override
            public void detection(Detection d) {
                detections.add(RecordJson.detection(d));
            }

            @Override
            public void connection(ConnectionRecord r) {
                records.add(RecordJson.connection(r));
            }

            @Override
            public void event(ConnectionEvent e) {
                events.add(e);
            }

            @Override
            public void late(LateSegment l) {
                late.add(RecordJson.lateSegment(l));
            }
        };

        /** Fires the deadlines the watermark has passed, earliest first, including those set meanwhile. */
        void fireAll() {
            while (!timers.due.isEmpty() && timers.due.first() <= timers.watermark) {
                tracker.onTimer(timers.due.pollFirst(), timers, out);
            }
        }

        final class FixedTimers implements Timers {
            long watermark = Long.MIN_VALUE;
            final TreeSet<Long> due = new TreeSet<>();

            @Override
            public long watermark() {
                return watermark;
            }

            @Override
            public void schedule(long atMs) {
                scheduled++;
                due.add(atMs);
            }

            @Override
            public void cancel(long atMs) {
                due.remove(atMs);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> Cell<V> cell(String name, Class<V> type) {
            return new Cell<>() {
                @Override
                public V get() {
                    reads += name.equals("connection") ? 1 : 0;
                    return (V) state.get(name);
                }

                @Override
                public void set(V value) {
                    writes += name.equals("connection") ? 1 : 0;
                    state.put(name, value);
                }

                @Override
                public void clear() {
                    state.remove(name);
                }
            };
        }

        @Override
        @SuppressWarnings("unchecked")
        public <V> ListCell<V> list(String name, Class<V> elementType) {
            return new ListCell<>() {
                @Override
                public void add(V value) {
                    lists.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                }

                @Override
                public List<V> get() {
                    return new ArrayList<>((List<V>) lists.getOrDefault(name, List.of()));
                }

                @Override
                public void update(List<V> values) {
                    lists.put(name, new ArrayList<>(values));
                }

                @Override
                public void clear() {
                    lists.remove(name);
                }
            };
        }

        @Override
        public <K, V> Table<K, V> table(String name, Class<K> keyType, Class<V> valueType) {
            throw new UnsupportedOperationException("the tracker keeps no tables");
        }

        @Override
        public <K, V> Table<K, List<V>> listTable(String name, Class<K> keyType, Class<V> elementType) {
            throw new UnsupportedOperationException("the tracker keeps no tables");
        }
    }
}

package io.tcpwatch.core.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalPipelineTest {

    private final List<ConnectionRecord> records = new ArrayList<>();
    private final LocalPipeline.Sink sink = new LocalPipeline.Sink() {
        @Override
        public void detection(Detection d) {}

        @Override
        public void connection(ConnectionRecord r) {
            records.add(r);
        }

        @Override
        public void fleetStats(FleetStats w) {}

        @Override
        public void late(LateSegment l) {}
    };

    @Test
    void aPipelineForOneObserverRefusesASecondOne() {
        LocalPipeline one = new LocalPipeline(TrackerConfig.defaults(), FleetConfig.defaults(), Duration.ofSeconds(2),
                true, sink);
        one.accept(syn("node-a", 1));
        one.accept(syn("node-a", 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> one.accept(syn("node-b", 3)));
        assertEquals("a pipeline for one observer got segments of node-a and of node-b", e.getMessage());
    }

    @Test
    void bothPipelinesTellTheSameStoryOfOneObserversSegments() {
        List<String> stories = new ArrayList<>();
        for (boolean oneObserver : new boolean[] {true, false}) {
            records.clear();
            LocalPipeline p = new LocalPipeline(TrackerConfig.defaults(), FleetConfig.defaults(), Duration.ofSeconds(2),
                    oneObserver, sink);
            for (int i = 0; i < 5; i++) {
                p.accept(syn("node-a", 1 + i * 1_000));
            }
            p.finish();
            stories.add(records.stream().map(r -> r.connState + " " + r.history + " " + r.origPort).toList().toString());
        }
        assertEquals(stories.get(0), stories.get(1));
        assertEquals(5, records.size());
    }

    private static Segment syn(String observer, long ms) {
        Segment s = new Segment();
        s.observer = observer;
        s.tsNanos = 1_765_000_000_000_000_000L + ms * 1_000_000L;
        s.ipVersion = 4;
        s.srcAddr = new byte[] {10, 0, 0, 2};
        s.dstAddr = new byte[] {10, 0, 0, 1};
        s.srcPort = 40_000 + (int) (ms % 20_000);
        s.dstPort = 443;
        s.seq = 1_000;
        s.flags = TcpFlags.SYN;
        s.window = 64_240;
        return s;
    }
}

package io.tcpwatch.agent.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowBatchesTest {

    private static final long MS = 1_000_000L;
    private static final long T0 = 1_700_000_000_000L * MS;

    private final List<List<Segment>> out = new ArrayList<>();
    private final FlowBatches.Out collect = (key, segments) -> {
        for (Segment s : segments) {
            assertThat(key).isEqualTo(FlowKey.of(s));
        }
        out.add(List.copyOf(segments));
    };

    @Test
    void aBatchClosesWhenFull() throws Exception {
        FlowBatches batches = new FlowBatches(4, Duration.ofSeconds(1));
        for (int i = 0; i < 10; i++) {
            batches.add(segment(1, i % 2 == 0, i), collect);
        }
        assertThat(out).extracting(List::size).containsExactly(4, 4);
        assertThat(batches.pendingSegments()).isEqualTo(2);
        batches.closeAll(collect);
        assertThat(out).extracting(List::size).containsExactly(4, 4, 2);
        assertThat(out.stream().flatMap(List::stream).map(s -> s.seq)).as("both directions, in capture order")
                .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(batches.pendingSegments()).isZero();
    }

    @Test
    void capturedTimeClosesABatchAWindowAfterItsFirstSegment() throws Exception {
        FlowBatches batches = new FlowBatches(64, Duration.ofMillis(500));
        batches.add(segment(1, true, 0), collect);
        batches.add(segment(2, true, 100), collect);
        batches.add(segment(1, false, 499), collect);
        assertThat(out).isEmpty();
        batches.add(segment(3, true, 500), collect); // flow 1's batch is 500 ms old: it goes, flow 2's stays
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).extracting(s -> s.seq).containsExactly(0L, 499L);
        batches.add(segment(1, true, 700), collect); // flow 1 opens a new batch; flow 2's turns 600 ms old
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).extracting(s -> s.seq).containsExactly(100L);
    }

    @Test
    void theWallClockClosesTheBatchesOfAQuietCapture() throws Exception {
        FlowBatches batches = new FlowBatches(64, Duration.ofMillis(500));
        batches.add(segment(1, true, 0), collect);
        batches.add(segment(2, true, 300), collect);
        batches.closeDue(T0 + 400 * MS, collect);
        assertThat(out).isEmpty();
        batches.closeDue(T0 + 600 * MS, collect);
        assertThat(out).hasSize(1);
        batches.closeDue(T0 + 800 * MS, collect);
        assertThat(out).hasSize(2);
        assertThat(batches.pendingSegments()).isZero();
    }

    @Test
    void anotherObserverOrInterfaceIsAnotherBatch() throws Exception {
        FlowBatches batches = new FlowBatches(64, Duration.ofSeconds(1));
        Segment a = segment(1, true, 0);
        Segment b = segment(1, true, 1);
        b.observer = "node-b";
        Segment c = segment(1, true, 2);
        c.iface = "veth1";
        batches.add(a, collect);
        batches.add(b, collect);
        batches.add(c, collect);
        batches.closeAll(collect);
        assertThat(out).extracting(List::size).containsExactly(1, 1, 1);
    }

    @Test
    void aBatchTheOutputDidNotTakeStaysOpen() throws Exception {
        FlowBatches batches = new FlowBatches(2, Duration.ofSeconds(1));
        batches.add(segment(1, true, 0), collect);
        FlowBatches.Out interrupted = (key, segments) -> {
            throw new InterruptedException("stopping");
        };
        try {
            batches.add(segment(1, true, 1), interrupted);
        } catch (InterruptedException expected) {
            // the caller stops; the batch is still there to be counted or sent
        }
        assertThat(batches.pendingSegments()).isEqualTo(2);
        batches.closeAll(collect);
        assertThat(out).extracting(List::size).containsExactly(2);
    }

    @Test
    void aFloodOfFlowsClosesTheOldestBatchesEarlyInsteadOfHoldingThemAll() throws Exception {
        FlowBatches batches = new FlowBatches(64, Duration.ofSeconds(1), 100);
        for (int flow = 0; flow < 1_000; flow++) { // a SYN flood: every segment a flow of its own, all within 1 ms
            batches.add(segment(flow, true, 0), collect);
            assertThat(batches.pendingSegments()).isLessThanOrEqualTo(100);
        }
        assertThat(out).hasSize(900).allSatisfy(batch -> assertThat(batch).hasSize(1));
        assertThat(out.get(0).get(0).srcPort).as("the oldest first").isEqualTo(40_000);
        batches.closeAll(collect);
        assertThat(out).hasSize(1_000);
    }

    /** A segment of flow {@code flow} (client port 40000 + flow), {@code ms} after T0, seq = ms. */
    private static Segment segment(int flow, boolean fromClient, long ms) {
        Segment s = new Segment();
        s.observer = "node-a";
        s.iface = "eth0";
        s.tsNanos = T0 + ms * MS;
        s.ipVersion = 4;
        byte[] client = {10, 0, 0, 1};
        byte[] server = {10, 0, 0, 2};
        s.srcAddr = fromClient ? client : server;
        s.dstAddr = fromClient ? server : client;
        s.srcPort = fromClient ? 40_000 + flow : 443;
        s.dstPort = fromClient ? 443 : 40_000 + flow;
        s.seq = ms;
        s.flags = TcpFlags.ACK;
        return s;
    }
}

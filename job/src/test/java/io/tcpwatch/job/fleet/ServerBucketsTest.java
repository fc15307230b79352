package io.tcpwatch.job.fleet;

import static io.tcpwatch.job.fleet.FleetEvents.T0_MS;
import static io.tcpwatch.job.fleet.FleetEvents.established;
import static io.tcpwatch.job.fleet.FleetEvents.opened;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.fleet.ConnectionEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The combiner before the fleet windows in an operator test harness: a server's events of one 10 ms
 * bucket leave as one record when the watermark reaches the bucket's end, always before that
 * watermark; before a checkpoint barrier, at the end of the input and past its bound, everything
 * leaves.
 */
class ServerBucketsTest {

    private static final String OTHER = "10.0.0.2:443";

    private OneInputStreamOperatorTestHarness<ConnectionEvent, ServerEvents> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new ServerBuckets(1_000));
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void aServersEventsOfOneBucketLeaveAsOneRecordBeforeTheWatermarkThatEndsIt() throws Exception {
        for (int c = 1; c <= 100; c++) { // bucket [100, 110) ms
            send(opened(100 + c * 0.05, c));
            send(established(100 + c * 0.09, c));
        }
        send(on(OTHER, opened(105, 500)));
        send(opened(112, 200)); // the next bucket
        watermark(109);
        assertThat(harness.getOutput()).as("the bucket has not ended").hasSize(1).allMatch(o -> o instanceof Watermark);

        watermark(110);
        List<Object> out = new ArrayList<>(harness.getOutput());
        assertThat(out).hasSize(4);
        assertThat(out.subList(1, 3)).as("one record per server, before the watermark")
                .allMatch(o -> o instanceof StreamRecord<?>);
        assertThat(records()).extracting(b -> b.server).containsExactlyInAnyOrder(FleetEvents.SERVER, OTHER);
        assertThat(records()).filteredOn(b -> b.server.equals(FleetEvents.SERVER)).singleElement()
                .satisfies(b -> assertThat(b.events).hasSize(200).allMatch(e -> e.tsNs < (T0_MS + 110) * 1_000_000L)
                        .extracting(e -> e.kind + " " + e.isn).startsWith("OPENED 1001", "ESTABLISHED 1001", "OPENED 1002"));
        assertThat(out.get(3)).isEqualTo(new Watermark(T0_MS + 110));
    }

    @Test
    void anEventOfABucketThatHasEndedLeavesWithTheNextWatermark() throws Exception {
        watermark(2_000);
        send(opened(500, 1)); // its bucket ended 1.5 s ago (a handshake verdict stamped with its SYN)
        assertThat(records()).isEmpty();
        watermark(2_200);
        assertThat(new ArrayList<>(harness.getOutput())).as("the record, then the watermark")
                .hasSize(3).endsWith(new Watermark(T0_MS + 2_200));
        assertThat(records()).singleElement().satisfies(b -> assertThat(b.events).hasSize(1));
    }

    @Test
    void everythingLeavesBeforeACheckpointBarrierAtTheEndOfTheInputAndPastTheBound() throws Exception {
        send(opened(100, 1));
        send(opened(5_000, 2));
        harness.prepareSnapshotPreBarrier(1);
        assertThat(records()).hasSize(2);

        send(opened(6_000, 3));
        harness.endInput();
        assertThat(records()).hasSize(3);

        for (int c = 0; c <= 1_000; c++) {
            send(opened(7_000 + c * 10, c)); // 1,001 events in 1,001 buckets: past the bound of 1,000
        }
        assertThat(records()).as("all 1,001 left when the bound was passed").hasSize(3 + 1_001);
    }

    private static ConnectionEvent on(String server, ConnectionEvent e) {
        e.server = server;
        return e;
    }

    private void send(ConnectionEvent e) throws Exception {
        harness.processElement(e, Math.floorDiv(e.tsNs, 1_000_000L));
    }

    private void watermark(long ms) throws Exception {
        harness.processWatermark(T0_MS + ms);
    }

    private List<ServerEvents> records() {
        return harness.extractOutputValues();
    }
}

package io.tcpwatch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class SegmentBatchCodecTest {

    private final SegmentBatchEncoder encoder = new SegmentBatchEncoder();
    private final SegmentBatchDecoder decoder = new SegmentBatchDecoder();

    @Test
    void everyFieldOfEverySegmentComesBack() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 1_000; i++) {
            List<Segment> flow = randomFlow(rnd, 1 + rnd.nextInt(i % 10 == 0 ? 600 : 40));
            byte[] batch = encoder.encodeToArray(flow);
            assertThat(SegmentBatchDecoder.isBatch(batch)).isTrue();
            assertThat(decoder.decode(batch, 0, batch.length)).as("flow %d", i).isEqualTo(flow);
        }
    }

    @Test
    void avroReadsTheBatchAsItsSchemaSays() throws Exception {
        BinaryMessageDecoder<GenericRecord> avro = new BinaryMessageDecoder<>(GenericData.get(), SegmentSchema.BATCH_SCHEMA);
        Random rnd = new Random(7);
        for (int i = 0; i < 200; i++) {
            List<Segment> flow = randomFlow(rnd, 1 + rnd.nextInt(50));
            GenericRecord r = avro.decode(encoder.encodeToArray(flow));
            assertThat((List<?>) r.get("head")).hasSize(flow.size());
            assertThat((List<?>) r.get("seq")).hasSize(flow.size());
            assertThat((List<?>) r.get("ts_val")).hasSize((int) flow.stream().filter(s -> s.hasTimestamps).count());
            assertThat(r.get("ts_ns")).isEqualTo(flow.get(0).tsNanos);
            assertThat(r.get("observer").toString()).isEqualTo(flow.get(0).observer);
        }
    }

    @Test
    void aFlowAlongItsSequenceNumbersTakesAFewBytesPerSegment() {
        List<Segment> flow = randomFlow(new Random(3), 0);
        Segment syn = SegmentCodecTest.randomSegment(new Random(5));
        syn.ipVersion = 4;
        syn.srcAddr = new byte[] {10, 0, 0, 1};
        syn.dstAddr = new byte[] {10, 0, 0, 2};
        syn.iface = "eth0";
        syn.tunnel = null;
        syn.sackBlocks = Segment.NO_SACK;
        syn.windowScale = syn.mss = Segment.ABSENT;
        syn.tsNanos = 1_700_000_000_000_000_000L;
        for (int i = 0; i < 32; i++) {
            Segment s = syn.copy();
            s.tsNanos += i * 150_000L;
            s.seq = (syn.seq + i * 1448L) & 0xFFFFFFFFL;
            s.tsVal = (syn.tsVal + i) & 0xFFFFFFFFL;
            s.ipId = (syn.ipId + i) & 0xFFFF;
            s.payloadLen = 1448;
            flow.add(s);
        }
        int single = new SegmentEncoder().encodeToArray(syn).length;
        int batch = encoder.encodeToArray(flow).length;
        assertThat(batch).as("32 data segments of one direction, uncompressed").isLessThan(32 * single / 4);
    }

    @Test
    void segmentsOfAnotherFlowOrObserverAreRefused() {
        List<Segment> flow = randomFlow(new Random(9), 3);
        Segment other = flow.get(1).copy();
        other.srcPort = (other.srcPort + 1) & 0xFFFF;
        assertThatThrownBy(() -> encoder.encode(List.of(flow.get(0), other))).isInstanceOf(IllegalArgumentException.class);
        Segment elsewhere = flow.get(1).copy();
        elsewhere.observer = "another-node";
        assertThatThrownBy(() -> encoder.encode(List.of(flow.get(0), elsewhere))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encoder.encode(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTruncatedOrDamagedBatchIsARecordFormatExceptionAndNoSegments() {
        Random rnd = new Random(13);
        byte[] good = encoder.encodeToArray(randomFlow(rnd, 20));
        for (int len = 0; len < good.length; len++) {
            int n = len;
            assertThatThrownBy(() -> decoder.decode(good, 0, n)).as("first %d bytes", n)
                    .isInstanceOf(RecordFormatException.class);
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] bad = good.clone();
            bad[SegmentSchema.HEADER_LENGTH + rnd.nextInt(bad.length - SegmentSchema.HEADER_LENGTH)] = (byte) rnd.nextInt(256);
            try {
                decoder.decode(bad, 0, bad.length);
            } catch (RecordFormatException expected) {
                // refused with its reason: the only other outcome allowed
            }
        }
        byte[] single = new SegmentEncoder().encodeToArray(SegmentCodecTest.randomSegment(rnd));
        assertThat(SegmentBatchDecoder.isBatch(single)).isFalse();
        assertThatThrownBy(() -> decoder.decode(single, 0, single.length)).isInstanceOf(RecordFormatException.class)
                .extracting(e -> ((RecordFormatException) e).reason()).isEqualTo(RecordFormatException.Reason.UNKNOWN_FINGERPRINT);
    }

    /**
     * {@code n} segments of one flow, both directions, fields as random as the wire allows (counters
     * wrapping, options coming and going, capture times in microseconds or nanoseconds, out of order).
     */
    static List<Segment> randomFlow(Random rnd, int n) {
        Segment base = SegmentCodecTest.randomSegment(rnd);
        boolean micro = rnd.nextBoolean();
        List<Segment> flow = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Segment s = SegmentCodecTest.randomSegment(rnd);
            s.observer = base.observer;
            s.ipVersion = base.ipVersion;
            s.iface = base.iface;
            s.tunnel = base.tunnel;
            boolean back = rnd.nextBoolean();
            s.srcAddr = (back ? base.dstAddr : base.srcAddr).clone();
            s.dstAddr = (back ? base.srcAddr : base.dstAddr).clone();
            s.srcPort = back ? base.dstPort : base.srcPort;
            s.dstPort = back ? base.srcPort : base.dstPort;
            s.ipId = s.ipVersion == 6 ? Segment.ABSENT : s.ipId;
            s.tsNanos = base.tsNanos + (rnd.nextInt(10) == 0 ? -1 : 1) * (long) rnd.nextInt(1 << 30);
            if (micro) {
                s.tsNanos -= Math.floorMod(s.tsNanos, 1_000L);
            }
            flow.add(s);
        }
        return flow;
    }

    @Test
    void theBatchSchemaIsNotTheSegmentSchema() {
        assertThat(SegmentSchema.BATCH_FINGERPRINT).isNotIn(SegmentSchema.FINGERPRINT, SegmentSchema.FINGERPRINT_V1);
        assertThat(Arrays.asList(SegmentSchema.BATCH_SCHEMA.getName(), SegmentSchema.SCHEMA.getName()))
                .containsExactly("SegmentBatch", "Segment");
    }
}

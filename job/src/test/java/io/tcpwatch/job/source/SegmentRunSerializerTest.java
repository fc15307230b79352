package io.tcpwatch.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class SegmentRunSerializerTest {

    private final TypeSerializer<SegmentRun> serializer = SegmentRunSerializer.INSTANCE;

    @Test
    void flinkTakesThisSerializerWhereverItMeetsTheType() {
        assertThat(TypeInformation.of(SegmentRun.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(SegmentRunSerializer.INSTANCE);
    }

    @Test
    void everyFieldOfEverySegmentComesBack() throws IOException {
        SegmentRun run = SegmentRun.of(varied());
        SegmentRun back = roundTrip(run);
        assertThat(back.asList()).containsExactlyElementsOf(run.asList()); // every field, addresses and SACKs too
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(run, out);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    @Test
    void aCopySharesNothingWithItsOriginal() {
        SegmentRun run = SegmentRun.of(varied());
        SegmentRun copy = serializer.copy(run);
        assertThat(copy.asList()).containsExactlyElementsOf(run.asList());
        copy.segments[0].srcAddr[0] = 99;
        copy.segments[0].seq = 1;
        assertThat(run.segments[0].srcAddr[0]).isNotEqualTo((byte) 99);
        assertThat(run.segments[0].seq).isNotEqualTo(1);
    }

    @Test
    void theSnapshotRestoresTheSameSerializerAndAnUnknownFormatIsRefused() throws IOException {
        TypeSerializerSnapshot<SegmentRun> snapshot = serializer.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        snapshot.writeSnapshot(out);
        TypeSerializerSnapshot<SegmentRun> read = new SegmentRunSerializer.Snapshot();
        read.readSnapshot(snapshot.getCurrentVersion(), new DataInputDeserializer(out.getCopyOfBuffer()),
                getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(SegmentRunSerializer.INSTANCE);

        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(new byte[] {9, 0, 0, 0, 1})))
                .isInstanceOf(IOException.class).hasMessageContaining("format 9");
    }

    private SegmentRun roundTrip(SegmentRun run) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(run, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        SegmentRun back = serializer.deserialize(in);
        assertThat(in.available()).as("nothing left over").isZero();
        return back;
    }

    /** Segments that differ in every field, the names changing and repeating along the run. */
    private static List<Segment> varied() {
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Segment s = new Segment();
            s.observer = i < 3 ? "node-a" : "node-b";
            s.iface = i == 2 ? null : "eth" + (i / 2);
            s.tunnel = i >= 4 ? "vni:42" : null;
            s.tsNanos = 1_765_000_000_123_456_789L + i * 1_000L;
            boolean v6 = i % 2 == 1;
            s.ipVersion = v6 ? 6 : 4;
            s.srcAddr = v6 ? new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) i}
                    : new byte[] {10, 0, 0, (byte) i};
            s.dstAddr = v6 ? new byte[16] : new byte[] {(byte) 192, (byte) 168, 1, 1};
            s.srcPort = 40_000 + i;
            s.dstPort = i == 0 ? 65_535 : 443;
            s.seq = 0xFFFF_FFFFL - i;
            s.ack = i * 1_000_003L;
            s.flags = i == 0 ? TcpFlags.SYN : TcpFlags.ACK | (i == 5 ? TcpFlags.FIN : 0);
            s.window = i == 3 ? 0 : 65_535 - i;
            s.windowScale = i == 0 ? 7 : Segment.ABSENT;
            s.payloadLen = i * 100;
            s.ttl = 64 - i;
            s.ipId = v6 ? Segment.ABSENT : 1000 + i;
            s.mss = i == 0 ? 1460 : Segment.ABSENT;
            s.sackPermitted = i == 0;
            s.sackBlocks = i == 4 ? new long[] {100, 200, 300, 400} : s.sackBlocks;
            s.hasTimestamps = i != 2;
            s.tsVal = s.hasTimestamps ? 7_000_000L + i : 0;
            s.tsEcr = s.hasTimestamps ? 6_000_000L + i : 0;
            segments.add(s);
        }
        return segments;
    }
}

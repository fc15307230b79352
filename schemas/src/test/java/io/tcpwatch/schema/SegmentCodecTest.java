package io.tcpwatch.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class SegmentCodecTest {

    private final BinaryMessageEncoder<GenericRecord> avroEncoder =
            new BinaryMessageEncoder<>(GenericData.get(), SegmentSchema.SCHEMA);
    private final BinaryMessageDecoder<GenericRecord> avroDecoder =
            new BinaryMessageDecoder<>(GenericData.get(), SegmentSchema.SCHEMA);

    @Test
    void encodesExactlyWhatAvroWrites() throws Exception {
        Random rnd = new Random(42);
        SegmentEncoder encoder = new SegmentEncoder();
        for (int i = 0; i < 2_000; i++) {
            Segment s = randomSegment(rnd);
            byte[] ours = encoder.encodeToArray(s);
            byte[] avro = toArray(avroEncoder.encode(toGeneric(s)));
            assertThat(ours).as("segment %s", s).isEqualTo(avro);
        }
    }

    @Test
    void avroReadsOurRecordsAndWeReadAvros() throws Exception {
        Random rnd = new Random(7);
        SegmentEncoder encoder = new SegmentEncoder();
        SegmentDecoder decoder = new SegmentDecoder();
        for (int i = 0; i < 2_000; i++) {
            Segment s = randomSegment(rnd);
            GenericRecord viaAvro = avroDecoder.decode(encoder.encodeToArray(s));
            assertThat(viaAvro).isEqualTo(toGeneric(s));
            Segment back = decoder.decode(toArray(avroEncoder.encode(toGeneric(s))));
            assertThat(back).isEqualTo(s);
        }
    }

    @Test
    void recordsOfTheFirstSchemaVersionStillDecodeWithoutATunnel() throws Exception {
        BinaryMessageEncoder<GenericRecord> v1 = new BinaryMessageEncoder<>(GenericData.get(), SegmentSchema.SCHEMA_V1);
        SegmentDecoder decoder = new SegmentDecoder();
        Random rnd = new Random(11);
        for (int i = 0; i < 500; i++) {
            Segment s = randomSegment(rnd);
            s.tunnel = null;
            assertThat(decoder.decode(toArray(v1.encode(toGeneric(s, SegmentSchema.SCHEMA_V1))))).isEqualTo(s);
        }
        assertThat(SegmentSchema.FINGERPRINT_V1).isNotEqualTo(SegmentSchema.FINGERPRINT);
    }

    @Test
    void refusesForeignRecordsWithAReason() {
        SegmentDecoder decoder = new SegmentDecoder();
        byte[] good = new SegmentEncoder().encodeToArray(randomSegment(new Random(1)));

        assertThatThrownBy(() -> decoder.decode("{\"json\":1}".getBytes()))
                .isInstanceOfSatisfying(RecordFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(RecordFormatException.Reason.BAD_MAGIC));

        byte[] otherSchema = good.clone();
        otherSchema[5] ^= 0x55;
        assertThatThrownBy(() -> decoder.decode(otherSchema))
                .isInstanceOfSatisfying(RecordFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(RecordFormatException.Reason.UNKNOWN_FINGERPRINT));

        byte[] cut = Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> decoder.decode(cut))
                .isInstanceOfSatisfying(RecordFormatException.class,
                        e -> assertThat(e.reason()).isIn(RecordFormatException.Reason.TRUNCATED,
                                RecordFormatException.Reason.BAD_VALUE));
    }

    @Test
    void garbageAfterAValidHeaderNeverEscapesAsAnotherException() {
        Random rnd = new Random(99);
        SegmentDecoder decoder = new SegmentDecoder();
        byte[] good = new SegmentEncoder().encodeToArray(randomSegment(rnd));
        int refused = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] b = Arrays.copyOf(good, 10 + rnd.nextInt(good.length + 20 - 10));
            for (int k = 10; k < b.length; k++) {
                if (rnd.nextInt(4) == 0) {
                    b[k] = (byte) rnd.nextInt();
                }
            }
            try {
                decoder.decode(b);
            } catch (RecordFormatException e) {
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(50_000);
    }

    static Segment randomSegment(Random rnd) {
        Segment s = new Segment();
        s.observer = rnd.nextBoolean() ? "node-" + rnd.nextInt(100) : "ä-observer";
        s.tsNanos = 1_700_000_000_000_000_000L + (rnd.nextLong() >>> 8);
        s.ipVersion = rnd.nextBoolean() ? 4 : 6;
        int len = s.ipVersion == 4 ? 4 : 16;
        s.srcAddr = new byte[len];
        s.dstAddr = new byte[len];
        rnd.nextBytes(s.srcAddr);
        rnd.nextBytes(s.dstAddr);
        s.srcPort = rnd.nextInt(65536);
        s.dstPort = rnd.nextInt(65536);
        s.seq = rnd.nextLong() & 0xFFFFFFFFL;
        s.ack = rnd.nextLong() & 0xFFFFFFFFL;
        s.flags = rnd.nextInt(0x200);
        s.window = rnd.nextInt(65536);
        s.windowScale = rnd.nextBoolean() ? Segment.ABSENT : rnd.nextInt(15);
        s.payloadLen = rnd.nextInt(65536);
        s.ttl = rnd.nextInt(256);
        s.ipId = s.ipVersion == 6 || rnd.nextBoolean() ? Segment.ABSENT : rnd.nextInt(65536);
        s.mss = rnd.nextBoolean() ? Segment.ABSENT : rnd.nextInt(65536);
        s.sackPermitted = rnd.nextBoolean();
        int edges = 2 * rnd.nextInt(5);
        s.sackBlocks = new long[edges];
        for (int i = 0; i < edges; i++) {
            s.sackBlocks[i] = rnd.nextLong() & 0xFFFFFFFFL;
        }
        s.hasTimestamps = rnd.nextBoolean();
        if (s.hasTimestamps) {
            s.tsVal = rnd.nextLong() & 0xFFFFFFFFL;
            s.tsEcr = rnd.nextLong() & 0xFFFFFFFFL;
        }
        s.iface = rnd.nextBoolean() ? null : "eth" + rnd.nextInt(4);
        s.tunnel = rnd.nextBoolean() ? null : "vxlan:" + rnd.nextInt(1 << 24);
        return s;
    }

    static GenericRecord toGeneric(Segment s) {
        GenericRecord r = toGeneric(s, SegmentSchema.SCHEMA);
        r.put("tunnel", s.tunnel == null ? null : new org.apache.avro.util.Utf8(s.tunnel));
        return r;
    }

    static GenericRecord toGeneric(Segment s, org.apache.avro.Schema schema) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("observer", new org.apache.avro.util.Utf8(s.observer));
        r.put("ts_ns", s.tsNanos);
        r.put("ip_version", s.ipVersion);
        r.put("src_addr", ByteBuffer.wrap(s.srcAddr));
        r.put("dst_addr", ByteBuffer.wrap(s.dstAddr));
        r.put("src_port", s.srcPort);
        r.put("dst_port", s.dstPort);
        r.put("seq", s.seq);
        r.put("ack", s.ack);
        r.put("flags", s.flags);
        r.put("window", s.window);
        r.put("window_scale", s.windowScale == Segment.ABSENT ? null : s.windowScale);
        r.put("payload_len", s.payloadLen);
        r.put("ttl", s.ttl);
        r.put("ip_id", s.ipId == Segment.ABSENT ? null : s.ipId);
        r.put("mss", s.mss == Segment.ABSENT ? null : s.mss);
        r.put("sack_permitted", s.sackPermitted);
        List<Long> sack = new ArrayList<>();
        for (long e : s.sackBlocks) {
            sack.add(e);
        }
        r.put("sack_blocks", new GenericData.Array<>(SegmentSchema.SCHEMA.getField("sack_blocks").schema(), sack));
        r.put("ts_val", s.hasTimestamps ? s.tsVal : null);
        r.put("ts_ecr", s.hasTimestamps ? s.tsEcr : null);
        r.put("interface", s.iface == null ? null : new org.apache.avro.util.Utf8(s.iface));
        return r;
    }

    private static byte[] toArray(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}

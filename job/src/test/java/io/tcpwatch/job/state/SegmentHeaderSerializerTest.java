package io.tcpwatch.job.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.SegmentHeader;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Every field of a kept segment header survives the compact serializer, in fewer bytes than Flink's own. */
class SegmentHeaderSerializerTest {

    private final Random random = new Random();

    /** Each field filled reflectively: a field added later without its encoding fails here. */
    @RepeatedTest(20)
    void everyFieldComesBack() throws Exception {
        SegmentHeader h = new SegmentHeader();
        for (Field f : SegmentHeader.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> t = f.getType();
            if (t == long.class) {
                f.setLong(h, f.getName().equals("tsNs") ? random.nextLong() : random.nextLong(0, 1L << 32));
            } else if (t == int.class) {
                f.setInt(h, f.getName().equals("flags") ? random.nextInt(0, 512) : random.nextInt(0, 70_000));
            } else if (t == boolean.class) {
                f.setBoolean(h, random.nextBoolean());
            } else {
                throw new AssertionError("no test value for " + f + ": give it one and an encoding");
            }
        }
        assertThat(roundTrip(h, SegmentHeaderSerializer.INSTANCE)).usingRecursiveComparison().isEqualTo(h);
        assertThat(SegmentHeaderSerializer.INSTANCE.copy(h)).usingRecursiveComparison().isEqualTo(h).isNotSameAs(h);
    }

    @Test
    void aTypicalHeaderTakesHalfWhatThePojoSerializerWrites() throws Exception {
        SegmentHeader h = new SegmentHeader();
        h.n = 7;
        h.tsNs = 1_795_000_000_123_456_789L;
        h.fromClient = true;
        h.flags = 0x11; // FIN, ACK
        h.seq = 3_000_000_000L;
        h.ack = 4_000_000_000L;
        h.window = 502;
        h.len = 0;
        TypeSerializer<SegmentHeader> pojo = TypeInformation.of(SegmentHeader.class).createSerializer(new SerializerConfigImpl());
        int compact = size(h, SegmentHeaderSerializer.INSTANCE);
        assertThat(compact).isLessThanOrEqualTo(24).isLessThan(size(h, pojo) / 2);
    }

    private static int size(SegmentHeader h, TypeSerializer<SegmentHeader> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(h, out);
        return out.length();
    }

    private static SegmentHeader roundTrip(SegmentHeader h, TypeSerializer<SegmentHeader> serializer) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(h, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        SegmentHeader back = serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }
}

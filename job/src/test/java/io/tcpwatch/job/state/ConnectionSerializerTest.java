package io.tcpwatch.job.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.Side;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Every field of a connection's state survives the compact serializer, whatever its value. */
class ConnectionSerializerTest {

    private static final long START_NS = 1_795_000_000_123_456_789L;

    private final Random random = new Random();

    /** Each field of Connection and of its two Sides, filled reflectively: a field added later without its encoding fails here. */
    @RepeatedTest(20)
    void everyFieldComesBack() throws Exception {
        Connection c = new Connection();
        fill(c);
        c.startNs = START_NS;
        assertThat(roundTrip(c)).usingRecursiveComparison().isEqualTo(c);
        assertThat(ConnectionSerializer.INSTANCE.copy(c)).usingRecursiveComparison().isEqualTo(c).isNotSameAs(c);
    }

    @Test
    void aFreshConnectionComesBackWithItsDefaults() throws Exception {
        Connection c = new Connection();
        c.observer = "node-1";
        assertThat(roundTrip(c)).usingRecursiveComparison().isEqualTo(c);
    }

    @Test
    void copyingBetweenViewsKeepsTheBytes() throws Exception {
        Connection c = new Connection();
        fill(c);
        DataOutputSerializer first = new DataOutputSerializer(64);
        ConnectionSerializer.INSTANCE.serialize(c, first);
        DataOutputSerializer second = new DataOutputSerializer(64);
        ConnectionSerializer.INSTANCE.copy(new DataInputDeserializer(first.getCopyOfBuffer()), second);
        assertThat(second.getCopyOfBuffer()).isEqualTo(first.getCopyOfBuffer());
    }

    @Test
    void anotherFormatVersionIsRefusedInOneSentence() {
        assertThatThrownBy(() -> ConnectionSerializer.INSTANCE.deserialize(new DataInputDeserializer(new byte[] {9})))
                .isInstanceOf(IOException.class).hasMessage("connection state of format 9, this build reads 2");
    }

    @Test
    void theSnapshotRestoresThisSerializer() {
        assertThat(ConnectionSerializer.INSTANCE.snapshotConfiguration().restoreSerializer())
                .isSameAs(ConnectionSerializer.INSTANCE);
    }

    private static Connection roundTrip(Connection c) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ConnectionSerializer.INSTANCE.serialize(c, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        Connection back = ConnectionSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        return back;
    }

    /** Random values of each field's type: times near the start (before and after), counters, flags, names. */
    private void fill(Object o) throws Exception {
        for (Field f : o.getClass().getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> t = f.getType();
            if (t == Side.class) {
                Side s = new Side();
                fill(s);
                f.set(o, s);
            } else if (t == long.class) {
                f.setLong(o, f.getName().endsWith("Ns") ? START_NS + random.nextLong(-10_000_000_000L, 600_000_000_000L)
                        : f.getName().endsWith("Ms") ? START_NS / 1_000_000L + random.nextInt(1, 900_000)
                        : random.nextLong(0, 1L << 40));
            } else if (t == int.class) {
                f.setInt(o, random.nextInt(-1, 70_000));
            } else if (t == boolean.class) {
                f.setBoolean(o, random.nextBoolean());
            } else if (t == String.class) {
                f.set(o, random.nextInt(4) == 0 && !f.getName().equals("observer") && !f.getName().equals("history")
                        ? null : f.getName() + "-" + random.nextInt(1000));
            } else if (t == byte[].class) {
                byte[] addr = new byte[random.nextBoolean() ? 4 : 16];
                random.nextBytes(addr);
                f.set(o, addr);
            } else if (t.isEnum()) {
                Object[] values = t.getEnumConstants();
                f.set(o, values[random.nextInt(values.length)]);
            } else {
                throw new AssertionError("no test value for " + f + ": give it one and an encoding");
            }
        }
    }
}

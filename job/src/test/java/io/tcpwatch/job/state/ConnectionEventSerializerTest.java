package io.tcpwatch.job.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.job.fleet.ServerEvents;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Connection events, alone and in a server's bucket, survive the fleet stage's exchanges whatever their values. */
class ConnectionEventSerializerTest {

    private final Random random = new Random();

    /** Each public field filled reflectively: a field added later without its encoding fails here. */
    @RepeatedTest(20)
    void everyFieldComesBack() throws Exception {
        ConnectionEvent e = filled();
        assertThat(roundTrip(ConnectionEventSerializer.INSTANCE, e)).usingRecursiveComparison().isEqualTo(e);
        assertThat(ConnectionEventSerializer.INSTANCE.copy(e)).usingRecursiveComparison().isEqualTo(e).isNotSameAs(e);
    }

    @Test
    void aFreshEventComesBackWithItsDefaults() throws Exception {
        ConnectionEvent e = new ConnectionEvent();
        assertThat(roundTrip(ConnectionEventSerializer.INSTANCE, e)).usingRecursiveComparison().isEqualTo(e);
    }

    @Test
    void aServersBucketComesBackEventForEventAndFlinkTakesItsSerializer() throws Exception {
        ServerEvents b = ServerEvents.of("10.0.0.1:443", List.of(filled(), filled(), filled()));
        TypeSerializer<ServerEvents> serializer = TypeInformation.of(ServerEvents.class)
                .createSerializer(new SerializerConfigImpl());
        assertThat(serializer.getClass().getSimpleName()).isEqualTo("ServerEventsSerializer");
        assertThat(roundTrip(serializer, b)).usingRecursiveComparison().isEqualTo(b);
        ServerEvents copy = serializer.copy(b);
        assertThat(copy).usingRecursiveComparison().isEqualTo(b);
        assertThat(copy.events[0]).isNotSameAs(b.events[0]);
        assertThat(serializer.snapshotConfiguration().restoreSerializer()).isSameAs(serializer);
    }

    private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T back = serializer.deserialize(in);
        assertThat(in.available()).as("every byte read").isZero();
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        return back;
    }

    private ConnectionEvent filled() throws Exception {
        ConnectionEvent e = new ConnectionEvent();
        for (Field f : ConnectionEvent.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            Class<?> t = f.getType();
            if (t == long.class) {
                f.setLong(e, random.nextLong());
            } else if (t == int.class) {
                f.setInt(e, random.nextInt());
            } else if (t == boolean.class) {
                f.setBoolean(e, random.nextBoolean());
            } else if (t == String.class) {
                f.set(e, random.nextInt(4) == 0 ? null : f.getName() + "-" + random.nextInt(1000) + " → é");
            } else if (t.isEnum()) {
                Object[] values = t.getEnumConstants();
                f.set(e, values[random.nextInt(values.length)]);
            } else {
                throw new AssertionError("no test value for " + f + ": give it one and an encoding");
            }
        }
        return e;
    }
}

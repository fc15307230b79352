package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.job.state.ConnectionEventSerializer;
import io.tcpwatch.job.state.RecordSerializer;
import io.tcpwatch.job.state.SerializerTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/** A server's bucket of connection events on its way to the fleet windows: the server, then each event ({@link ConnectionEventSerializer}). */
public final class ServerEventsSerializer extends RecordSerializer<ServerEvents> {

    public static final ServerEventsSerializer INSTANCE = new ServerEventsSerializer();

    private static final ConnectionEventSerializer EVENTS = ConnectionEventSerializer.INSTANCE;

    private ServerEventsSerializer() {}

    @Override
    public ServerEvents createInstance() {
        return new ServerEvents();
    }

    @Override
    public ServerEvents copy(ServerEvents from) {
        ServerEvents c = new ServerEvents();
        c.server = from.server;
        c.events = new ConnectionEvent[from.events.length];
        for (int i = 0; i < c.events.length; i++) {
            c.events[i] = EVENTS.copy(from.events[i]);
        }
        return c;
    }

    @Override
    public void serialize(ServerEvents b, DataOutputView out) throws IOException {
        StringValue.writeString(b.server, out);
        out.writeInt(b.events.length);
        for (ConnectionEvent e : b.events) {
            EVENTS.serialize(e, out);
        }
    }

    @Override
    public ServerEvents deserialize(DataInputView in) throws IOException {
        ServerEvents b = new ServerEvents();
        b.server = StringValue.readString(in);
        b.events = new ConnectionEvent[in.readInt()];
        for (int i = 0; i < b.events.length; i++) {
            b.events[i] = EVENTS.deserialize(in);
        }
        return b;
    }

    @Override
    public TypeSerializerSnapshot<ServerEvents> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Named on {@link ServerEvents}: wherever Flink meets the type, it takes this serializer. */
    public static final class Types extends TypeInfoFactory<ServerEvents> {
        @Override
        public TypeInformation<ServerEvents> createTypeInfo(Type t, Map<String, TypeInformation<?>> parameters) {
            return new SerializerTypeInfo<>(ServerEvents.class, INSTANCE);
        }
    }

    /** Restores this serializer from a checkpoint (in-flight buckets of an unaligned one). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ServerEvents> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}

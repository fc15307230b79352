package io.tcpwatch.job.state;

import io.tcpwatch.core.fleet.ConnectionEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A connection event as it crosses the fleet stage's exchanges (tracker → dedup → server buckets →
 * fleet windows, and to the pair windows): its booleans in one flags word, the rest in a fixed
 * order, no reflection. The fleet windows keep waiting events in state with Flink's POJO
 * serializer, as before: this one moves events, it stores none. Every field comes back
 * ({@code ConnectionEventSerializerTest}).
 */
public final class ConnectionEventSerializer extends RecordSerializer<ConnectionEvent> {

    public static final ConnectionEventSerializer INSTANCE = new ConnectionEventSerializer();

    /** The type of the connection events the fleet stage's steps pass on. */
    public static final TypeInformation<ConnectionEvent> TYPE = new SerializerTypeInfo<>(ConnectionEvent.class, INSTANCE);

    private static final ConnectionEvent.Kind[] KINDS = ConnectionEvent.Kind.values();

    // the flags word
    private static final int PORT_REUSE_COLLISION = 1;
    private static final int WAS_ESTABLISHED = 1 << 1;
    private static final int SYN_ANSWERED = 1 << 2;
    private static final int STATELESS_SYN_ACK = 1 << 3;
    private static final int REFUSED = 1 << 4;
    private static final int HALF_OPEN = 1 << 5;
    private static final int HANDSHAKE_ACK_IGNORED = 1 << 6;
    private static final int ZERO_WINDOW_STALL = 1 << 7;

    private ConnectionEventSerializer() {}

    @Override
    public ConnectionEvent createInstance() {
        return new ConnectionEvent();
    }

    @Override
    public ConnectionEvent copy(ConnectionEvent e) {
        ConnectionEvent c = new ConnectionEvent();
        c.kind = e.kind;
        c.tsNs = e.tsNs;
        c.observer = e.observer;
        c.server = e.server;
        c.client = e.client;
        c.isn = e.isn;
        c.synRetransmits = e.synRetransmits;
        c.portReuseCollision = e.portReuseCollision;
        c.wasEstablished = e.wasEstablished;
        c.synAnswered = e.synAnswered;
        c.statelessSynAck = e.statelessSynAck;
        c.refused = e.refused;
        c.connState = e.connState;
        c.rstCause = e.rstCause;
        c.rstOrigin = e.rstOrigin;
        c.halfOpen = e.halfOpen;
        c.handshakeAckIgnored = e.handshakeAckIgnored;
        c.zeroWindowStall = e.zeroWindowStall;
        c.timeWaitNs = e.timeWaitNs;
        c.clientTtl = e.clientTtl;
        c.retransmissions = e.retransmissions;
        c.dataSegments = e.dataSegments;
        c.responseNs = e.responseNs;
        return c;
    }

    @Override
    public void serialize(ConnectionEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.kind == null ? 255 : e.kind.ordinal());
        out.writeByte(flag(e.portReuseCollision, PORT_REUSE_COLLISION) | flag(e.wasEstablished, WAS_ESTABLISHED)
                | flag(e.synAnswered, SYN_ANSWERED) | flag(e.statelessSynAck, STATELESS_SYN_ACK) | flag(e.refused, REFUSED)
                | flag(e.halfOpen, HALF_OPEN) | flag(e.handshakeAckIgnored, HANDSHAKE_ACK_IGNORED)
                | flag(e.zeroWindowStall, ZERO_WINDOW_STALL));
        out.writeLong(e.tsNs);
        StringValue.writeString(e.observer, out);
        StringValue.writeString(e.server, out);
        StringValue.writeString(e.client, out);
        out.writeLong(e.isn);
        out.writeInt(e.synRetransmits);
        StringValue.writeString(e.connState, out);
        StringValue.writeString(e.rstCause, out);
        StringValue.writeString(e.rstOrigin, out);
        out.writeLong(e.timeWaitNs);
        out.writeInt(e.clientTtl);
        out.writeInt(e.retransmissions);
        out.writeInt(e.dataSegments);
        out.writeLong(e.responseNs);
    }

    @Override
    public ConnectionEvent deserialize(DataInputView in) throws IOException {
        ConnectionEvent e = new ConnectionEvent();
        int kind = in.readUnsignedByte();
        e.kind = kind == 255 ? null : KINDS[kind];
        int flags = in.readUnsignedByte();
        e.portReuseCollision = (flags & PORT_REUSE_COLLISION) != 0;
        e.wasEstablished = (flags & WAS_ESTABLISHED) != 0;
        e.synAnswered = (flags & SYN_ANSWERED) != 0;
        e.statelessSynAck = (flags & STATELESS_SYN_ACK) != 0;
        e.refused = (flags & REFUSED) != 0;
        e.halfOpen = (flags & HALF_OPEN) != 0;
        e.handshakeAckIgnored = (flags & HANDSHAKE_ACK_IGNORED) != 0;
        e.zeroWindowStall = (flags & ZERO_WINDOW_STALL) != 0;
        e.tsNs = in.readLong();
        e.observer = StringValue.readString(in);
        e.server = StringValue.readString(in);
        e.client = StringValue.readString(in);
        e.isn = in.readLong();
        e.synRetransmits = in.readInt();
        e.connState = StringValue.readString(in);
        e.rstCause = StringValue.readString(in);
        e.rstOrigin = StringValue.readString(in);
        e.timeWaitNs = in.readLong();
        e.clientTtl = in.readInt();
        e.retransmissions = in.readInt();
        e.dataSegments = in.readInt();
        e.responseNs = in.readLong();
        return e;
    }

    @Override
    public TypeSerializerSnapshot<ConnectionEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a checkpoint (in-flight events of an unaligned one). */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ConnectionEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static int flag(boolean set, int bit) {
        return set ? bit : 0;
    }
}

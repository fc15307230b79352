package io.tcpwatch.job.state;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.Side;
import io.tcpwatch.core.connection.TcpState;
import io.tcpwatch.core.record.ZeekConnState.Endpoint;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The tracker's per-connection state as RocksDB stores it and checkpoints carry it: a version byte,
 * the booleans in one flags word, capture times as variable-length offsets from the connection's
 * start (most are unset or close to it), counters and sequence numbers as variable-length integers.
 * About a third of what Flink's POJO serializer writes for the same connection
 * ({@code JobBenchmark.stateBytes}); {@code ConnectionSerializerTest} checks that every field of
 * {@link Connection} and {@link Side} comes back.
 */
public final class ConnectionSerializer extends RecordSerializer<Connection> {

    public static final ConnectionSerializer INSTANCE = new ConnectionSerializer();

    private static final int VERSION = 2;
    private static final TcpState[] STATES = TcpState.values();
    private static final Endpoint[] ENDPOINTS = Endpoint.values();

    // the flags word
    private static final int TUNNEL = 1;
    private static final int RST_CAUSE = 1 << 1;
    private static final int RST_ORIGIN = 1 << 2;
    private static final int HANDSHAKE_ACK_IGNORED = 1 << 3;
    private static final int HANDSHAKE_REPORTED = 1 << 4;
    private static final int REQUEST_MORE = 1 << 5;
    private static final int INTO_TIME_WAIT = 1 << 6;
    private static final int CHALLENGE_ACK_SEEN = 1 << 7;
    private static final int ORIG_RST_AFTER_CHALLENGE = 1 << 8;
    private static final int HALF_OPEN = 1 << 9;
    private static final int PORT_REUSE_COLLISION = 1 << 10;
    private static final int ZERO_WINDOW_STALL = 1 << 11;
    private static final int CLOSED_EVENT_SENT = 1 << 12;
    private static final int ORIG_NEXT_KNOWN = 1 << 13;
    private static final int RESP_NEXT_KNOWN = 1 << 14;

    private ConnectionSerializer() {}

    @Override
    public Connection createInstance() {
        return new Connection();
    }

    /** A deep copy, through the serialized form (heap state copies on write only while a snapshot runs). */
    @Override
    public Connection copy(Connection from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(160);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new IllegalStateException("copying a connection's state", e);
        }
    }

    @Override
    public void serialize(Connection c, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        int flags = flag(c.tunnel != null, TUNNEL) | flag(c.rstCause != null, RST_CAUSE)
                | flag(c.rstOrigin != null, RST_ORIGIN) | flag(c.handshakeAckIgnored, HANDSHAKE_ACK_IGNORED)
                | flag(c.handshakeReported, HANDSHAKE_REPORTED) | flag(c.requestMore, REQUEST_MORE)
                | flag(c.intoTimeWait, INTO_TIME_WAIT) | flag(c.challengeAckSeen, CHALLENGE_ACK_SEEN)
                | flag(c.origRstAfterChallenge, ORIG_RST_AFTER_CHALLENGE) | flag(c.halfOpen, HALF_OPEN)
                | flag(c.portReuseCollision, PORT_REUSE_COLLISION) | flag(c.zeroWindowStall, ZERO_WINDOW_STALL)
                | flag(c.closedEventSent, CLOSED_EVENT_SENT) | flag(c.orig.nextKnown, ORIG_NEXT_KNOWN)
                | flag(c.resp.nextKnown, RESP_NEXT_KNOWN);
        Varints.write(out, flags);
        out.writeUTF(c.observer);
        if (c.tunnel != null) {
            out.writeUTF(c.tunnel);
        }
        Varints.write(out, c.ipVersion);
        out.writeByte(c.state.ordinal());
        out.writeUTF(c.history);
        long t0 = c.startNs;
        out.writeLong(t0);
        writeTime(out, c.lastNs, t0);
        writeTime(out, c.firstSynNs, t0);
        writeTime(out, c.lastSynNs, t0);
        writeTime(out, c.synAckNs, t0);
        writeTime(out, c.establishedNs, t0);
        writeTime(out, c.closedNs, t0);
        writeTime(out, c.rstNs, t0);
        writeTime(out, c.dataAfterRstNs, t0);
        writeTime(out, c.requestNs, t0);
        writeTime(out, c.requestAckedNs, t0);
        writeTime(out, c.firstResponseNs, t0);
        writeTime(out, c.zeroWindowStartNs, t0);
        writeTime(out, c.previousCloseNs, t0);
        writeTime(out, c.challengeAckNs, t0);
        Varints.write(out, c.dataSegments);
        Varints.write(out, c.retransmittedSegments);
        Varints.write(out, c.synRetransmits);
        Varints.write(out, c.synAckRetransmits);
        Varints.write(out, c.firstFinSide);
        Varints.write(out, c.rstSide);
        Varints.write(out, c.zeroWindowSide);
        Varints.write(out, c.zeroWindowProbes);
        Varints.write(out, c.previousTimeWaitNs);
        Varints.write(out, c.challengeAck);
        Varints.write(out, c.excerptSize);
        Varints.write(out, c.excerptPrevious);
        writeTime(out, c.timerAtMs, Math.floorDiv(t0, 1_000_000L)); // in ms
        if (c.rstCause != null) {
            out.writeUTF(c.rstCause);
        }
        if (c.rstOrigin != null) {
            out.writeUTF(c.rstOrigin);
        }
        writeSide(out, c.orig, t0);
        writeSide(out, c.resp, t0);
    }

    @Override
    public Connection deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("connection state of format " + version + ", this build reads " + VERSION);
        }
        Connection c = new Connection();
        int flags = (int) Varints.read(in);
        c.observer = in.readUTF();
        c.tunnel = (flags & TUNNEL) != 0 ? in.readUTF() : null;
        c.ipVersion = (int) Varints.read(in);
        c.state = STATES[in.readUnsignedByte()];
        c.history = in.readUTF();
        long t0 = in.readLong();
        c.startNs = t0;
        c.lastNs = readTime(in, t0);
        c.firstSynNs = readTime(in, t0);
        c.lastSynNs = readTime(in, t0);
        c.synAckNs = readTime(in, t0);
        c.establishedNs = readTime(in, t0);
        c.closedNs = readTime(in, t0);
        c.rstNs = readTime(in, t0);
        c.dataAfterRstNs = readTime(in, t0);
        c.requestNs = readTime(in, t0);
        c.requestAckedNs = readTime(in, t0);
        c.firstResponseNs = readTime(in, t0);
        c.zeroWindowStartNs = readTime(in, t0);
        c.previousCloseNs = readTime(in, t0);
        c.challengeAckNs = readTime(in, t0);
        c.dataSegments = (int) Varints.read(in);
        c.retransmittedSegments = (int) Varints.read(in);
        c.synRetransmits = (int) Varints.read(in);
        c.synAckRetransmits = (int) Varints.read(in);
        c.firstFinSide = (int) Varints.read(in);
        c.rstSide = (int) Varints.read(in);
        c.zeroWindowSide = (int) Varints.read(in);
        c.zeroWindowProbes = (int) Varints.read(in);
        c.previousTimeWaitNs = Varints.read(in);
        c.challengeAck = Varints.read(in);
        c.excerptSize = (int) Varints.read(in);
        c.excerptPrevious = (int) Varints.read(in);
        c.timerAtMs = readTime(in, Math.floorDiv(t0, 1_000_000L));
        c.rstCause = (flags & RST_CAUSE) != 0 ? in.readUTF() : null;
        c.rstOrigin = (flags & RST_ORIGIN) != 0 ? in.readUTF() : null;
        c.handshakeAckIgnored = (flags & HANDSHAKE_ACK_IGNORED) != 0;
        c.handshakeReported = (flags & HANDSHAKE_REPORTED) != 0;
        c.requestMore = (flags & REQUEST_MORE) != 0;
        c.intoTimeWait = (flags & INTO_TIME_WAIT) != 0;
        c.challengeAckSeen = (flags & CHALLENGE_ACK_SEEN) != 0;
        c.origRstAfterChallenge = (flags & ORIG_RST_AFTER_CHALLENGE) != 0;
        c.halfOpen = (flags & HALF_OPEN) != 0;
        c.portReuseCollision = (flags & PORT_REUSE_COLLISION) != 0;
        c.zeroWindowStall = (flags & ZERO_WINDOW_STALL) != 0;
        c.closedEventSent = (flags & CLOSED_EVENT_SENT) != 0;
        c.orig = readSide(in, t0, (flags & ORIG_NEXT_KNOWN) != 0);
        c.resp = readSide(in, t0, (flags & RESP_NEXT_KNOWN) != 0);
        return c;
    }

    @Override
    public TypeSerializerSnapshot<Connection> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a checkpoint; the format version inside each value says the rest. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Connection> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void writeSide(DataOutputView out, Side s, long t0) throws IOException {
        out.writeByte(s.addr == null ? 0 : s.addr.length);
        if (s.addr != null) {
            out.write(s.addr);
        }
        Varints.write(out, s.port);
        out.writeByte(s.endpoint.ordinal());
        writeTime(out, s.lastNs, t0);
        writeTime(out, s.finNs, t0);
        Varints.write(out, s.isn);
        Varints.write(out, s.nextSeq);
        Varints.write(out, s.bytes);
        Varints.write(out, s.pkts);
        Varints.write(out, s.mss);
        Varints.write(out, s.retransmits);
        Varints.write(out, s.zeroWindows);
        Varints.write(out, s.ttl + 1L); // -1: none yet
    }

    private static Side readSide(DataInputView in, long t0, boolean nextKnown) throws IOException {
        Side s = new Side();
        int addrLength = in.readUnsignedByte();
        if (addrLength > 0) {
            s.addr = new byte[addrLength];
            in.readFully(s.addr);
        }
        s.port = (int) Varints.read(in);
        s.endpoint = ENDPOINTS[in.readUnsignedByte()];
        s.lastNs = readTime(in, t0);
        s.finNs = readTime(in, t0);
        s.isn = Varints.read(in);
        s.nextSeq = Varints.read(in);
        s.nextKnown = nextKnown;
        s.bytes = Varints.read(in);
        s.pkts = Varints.read(in);
        s.mss = (int) Varints.read(in);
        s.retransmits = (int) Varints.read(in);
        s.zeroWindows = (int) Varints.read(in);
        s.ttl = (int) Varints.read(in) - 1;
        return s;
    }

    private static int flag(boolean set, int bit) {
        return set ? bit : 0;
    }

    /** A capture time: 0 when unset, else its offset from the connection's start (either side of it), plus one. */
    private static void writeTime(DataOutputView out, long time, long t0) throws IOException {
        Varints.writeSigned(out, time == 0 ? 0 : time - t0 + (time >= t0 ? 1 : -1));
    }

    private static long readTime(DataInputView in, long t0) throws IOException {
        long v = Varints.readSigned(in);
        return v == 0 ? 0 : t0 + v - (v > 0 ? 1 : -1);
    }
}

package io.tcpwatch.job.source;

import io.tcpwatch.job.state.RecordSerializer;
import io.tcpwatch.job.state.SerializerTypeInfo;
import io.tcpwatch.schema.Segment;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A run as it crosses the job's exchange from the source to the tracker: field by field in a fixed
 * order, no reflection, the observer, interface and tunnel names written once while the run's
 * segments repeat them. Every field comes back ({@code SegmentRunSerializerTest}). Flink's POJO
 * serializer, which it replaces, wrote a null marker and a type tag per field and copied each
 * segment by reflection between chained operators.
 *
 * <p>Runs are not kept in state; a change of this format matters only to in-flight data that an
 * unaligned checkpoint keeps, and the format version goes first in every run.
 */
public final class SegmentRunSerializer extends RecordSerializer<SegmentRun> {

    public static final SegmentRunSerializer INSTANCE = new SegmentRunSerializer();

    private static final int VERSION = 1;
    private static final long[] NO_SACK = new Segment().sackBlocks;

    // the per-segment bits
    private static final int NEW_OBSERVER = 1;
    private static final int NEW_IFACE = 1 << 1;
    private static final int NEW_TUNNEL = 1 << 2;
    private static final int SACK_PERMITTED = 1 << 3;
    private static final int TIMESTAMPS = 1 << 4;

    private SegmentRunSerializer() {}

    @Override
    public SegmentRun createInstance() {
        return new SegmentRun();
    }

    @Override
    public SegmentRun copy(SegmentRun from) {
        SegmentRun r = new SegmentRun();
        r.segments = new Segment[from.segments.length];
        for (int i = 0; i < r.segments.length; i++) {
            r.segments[i] = from.segments[i].copy();
        }
        return r;
    }

    @Override
    public void serialize(SegmentRun run, DataOutputView out) throws IOException {
        out.writeByte(VERSION);
        out.writeInt(run.segments.length);
        Segment previous = null;
        for (Segment s : run.segments) {
            writeSegment(s, previous, out);
            previous = s;
        }
    }

    @Override
    public SegmentRun deserialize(DataInputView in) throws IOException {
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("a segment run in format " + version + "; this job reads format " + VERSION);
        }
        SegmentRun run = new SegmentRun();
        run.segments = new Segment[in.readInt()];
        Segment previous = null;
        for (int i = 0; i < run.segments.length; i++) {
            previous = run.segments[i] = readSegment(previous, in);
        }
        return run;
    }

    @Override
    public TypeSerializerSnapshot<SegmentRun> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Named on {@link SegmentRun}: wherever Flink meets the type, it takes this serializer. */
    public static final class Types extends TypeInfoFactory<SegmentRun> {
        @Override
        public TypeInformation<SegmentRun> createTypeInfo(Type t, Map<String, TypeInformation<?>> parameters) {
            return new SerializerTypeInfo<>(SegmentRun.class, INSTANCE);
        }
    }

    /** Restores this serializer from a checkpoint; the format version inside each run says the rest. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SegmentRun> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void writeSegment(Segment s, Segment previous, DataOutputView out) throws IOException {
        int bits = (previous == null || !Objects.equals(s.observer, previous.observer) ? NEW_OBSERVER : 0)
                | (previous == null || !Objects.equals(s.iface, previous.iface) ? NEW_IFACE : 0)
                | (previous == null || !Objects.equals(s.tunnel, previous.tunnel) ? NEW_TUNNEL : 0)
                | (s.sackPermitted ? SACK_PERMITTED : 0)
                | (s.hasTimestamps ? TIMESTAMPS : 0);
        out.writeByte(bits);
        if ((bits & NEW_OBSERVER) != 0) {
            writeString(s.observer, out);
        }
        if ((bits & NEW_IFACE) != 0) {
            writeString(s.iface, out);
        }
        if ((bits & NEW_TUNNEL) != 0) {
            writeString(s.tunnel, out);
        }
        out.writeLong(s.tsNanos);
        out.writeByte(s.ipVersion);
        writeAddress(s.srcAddr, out);
        writeAddress(s.dstAddr, out);
        out.writeInt(s.srcPort);
        out.writeInt(s.dstPort);
        out.writeLong(s.seq);
        out.writeLong(s.ack);
        out.writeInt(s.flags);
        out.writeInt(s.window);
        out.writeInt(s.windowScale);
        out.writeInt(s.payloadLen);
        out.writeInt(s.ttl);
        out.writeInt(s.ipId);
        out.writeInt(s.mss);
        long[] sacks = s.sackBlocks == null ? NO_SACK : s.sackBlocks;
        out.writeInt(sacks.length);
        for (long b : sacks) {
            out.writeLong(b);
        }
        out.writeLong(s.tsVal);
        out.writeLong(s.tsEcr);
    }

    private static Segment readSegment(Segment previous, DataInputView in) throws IOException {
        Segment s = new Segment();
        int bits = in.readUnsignedByte();
        s.observer = (bits & NEW_OBSERVER) != 0 ? readString(in) : previous.observer;
        s.iface = (bits & NEW_IFACE) != 0 ? readString(in) : previous.iface;
        s.tunnel = (bits & NEW_TUNNEL) != 0 ? readString(in) : previous.tunnel;
        s.sackPermitted = (bits & SACK_PERMITTED) != 0;
        s.hasTimestamps = (bits & TIMESTAMPS) != 0;
        s.tsNanos = in.readLong();
        s.ipVersion = in.readUnsignedByte();
        s.srcAddr = readAddress(in);
        s.dstAddr = readAddress(in);
        s.srcPort = in.readInt();
        s.dstPort = in.readInt();
        s.seq = in.readLong();
        s.ack = in.readLong();
        s.flags = in.readInt();
        s.window = in.readInt();
        s.windowScale = in.readInt();
        s.payloadLen = in.readInt();
        s.ttl = in.readInt();
        s.ipId = in.readInt();
        s.mss = in.readInt();
        int sacks = in.readInt();
        s.sackBlocks = sacks == 0 ? NO_SACK : new long[sacks];
        for (int i = 0; i < sacks; i++) {
            s.sackBlocks[i] = in.readLong();
        }
        s.tsVal = in.readLong();
        s.tsEcr = in.readLong();
        return s;
    }

    /** A string or null: Flink's string format, which keeps null apart. */
    private static void writeString(String v, DataOutputView out) throws IOException {
        StringValue.writeString(v, out);
    }

    private static String readString(DataInputView in) throws IOException {
        return StringValue.readString(in);
    }

    /** An address: its length (255: none), then its bytes. */
    private static void writeAddress(byte[] a, DataOutputView out) throws IOException {
        out.writeByte(a == null ? 255 : a.length);
        if (a != null) {
            out.write(a);
        }
    }

    private static byte[] readAddress(DataInputView in) throws IOException {
        int n = in.readUnsignedByte();
        if (n == 255) {
            return null;
        }
        byte[] a = new byte[n];
        in.readFully(a);
        return a;
    }
}

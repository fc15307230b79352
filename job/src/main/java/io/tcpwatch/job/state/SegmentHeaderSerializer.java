package io.tcpwatch.job.state;

import io.tcpwatch.core.record.SegmentHeader;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A kept segment header (the tracker's {@code packets} list) as RocksDB stores it: the flags with
 * the direction and the previous-connection mark in one variable-length word, the capture time, then
 * the numbers as variable-length integers — about 25 bytes where Flink's POJO serializer writes 50.
 */
public final class SegmentHeaderSerializer extends RecordSerializer<SegmentHeader> {

    public static final SegmentHeaderSerializer INSTANCE = new SegmentHeaderSerializer();

    private SegmentHeaderSerializer() {}

    @Override
    public SegmentHeader createInstance() {
        return new SegmentHeader();
    }

    @Override
    public SegmentHeader copy(SegmentHeader from) {
        return from.copy();
    }

    @Override
    public void serialize(SegmentHeader h, DataOutputView out) throws IOException {
        Varints.write(out, ((long) h.flags << 2) | (h.fromClient ? 1 : 0) | (h.previous ? 2 : 0));
        Varints.write(out, h.n);
        out.writeLong(h.tsNs);
        Varints.write(out, h.seq);
        Varints.write(out, h.ack);
        Varints.write(out, h.window);
        Varints.write(out, h.len);
    }

    @Override
    public SegmentHeader deserialize(DataInputView in) throws IOException {
        SegmentHeader h = new SegmentHeader();
        long head = Varints.read(in);
        h.flags = (int) (head >>> 2);
        h.fromClient = (head & 1) != 0;
        h.previous = (head & 2) != 0;
        h.n = (int) Varints.read(in);
        h.tsNs = in.readLong();
        h.seq = Varints.read(in);
        h.ack = Varints.read(in);
        h.window = (int) Varints.read(in);
        h.len = (int) Varints.read(in);
        return h;
    }

    @Override
    public TypeSerializerSnapshot<SegmentHeader> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores this serializer from a checkpoint. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SegmentHeader> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}

package io.tcpwatch.schema;

import java.util.List;

/**
 * Reads any record of the segments topic: a single segment ({@code segment.avsc}, either version)
 * or a flow's batch ({@code segment-batch.avsc}), told apart by the schema fingerprint. Not
 * thread-safe: one per thread.
 */
public final class SegmentRecordDecoder {

    private final SegmentDecoder single = new SegmentDecoder();
    private final SegmentBatchDecoder batch = new SegmentBatchDecoder();

    /** The segments {@code record} holds, in capture order: one, or a batch's; none when malformed. */
    public List<Segment> decode(byte[] record) throws RecordFormatException {
        return SegmentBatchDecoder.isBatch(record) ? batch.decode(record, 0, record.length) : List.of(single.decode(record));
    }
}

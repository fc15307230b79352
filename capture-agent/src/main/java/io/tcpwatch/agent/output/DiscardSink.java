package io.tcpwatch.agent.output;

import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;

/**
 * Encodes every segment exactly as for Kafka (key and value) and drops the bytes: a dry run that
 * measures parse + encode, and the encoded size, without a broker.
 */
public final class DiscardSink implements SegmentSink {
    private final SegmentEncoder encoder = new SegmentEncoder();
    private final byte[] key = new byte[FlowKey.MAX_LENGTH];
    private long segments;
    private long bytes;

    @Override
    public void accept(Segment segment) {
        bytes += FlowKey.write(segment, key) + encoder.encode(segment);
        segments++;
    }

    public long segments() {
        return segments;
    }

    /** Encoded key + value bytes, before compression. */
    public long bytes() {
        return bytes;
    }

    @Override
    public void close() {}
}

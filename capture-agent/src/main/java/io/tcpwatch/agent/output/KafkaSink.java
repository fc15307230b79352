package io.tcpwatch.agent.output;

import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentEncoder;
import java.util.Arrays;

/**
 * Encodes segments (key: canonical flow key, value: single-object Avro) into the publisher's
 * bounded queue. A live capture never waits (full queue = counted drop); a replay waits for room.
 */
public final class KafkaSink implements SegmentSink {
    private final SegmentPublisher publisher;
    private final boolean waitWhenFull;
    private final SegmentEncoder encoder = new SegmentEncoder();
    private final byte[] key = new byte[FlowKey.MAX_LENGTH];

    public KafkaSink(SegmentPublisher publisher, boolean waitWhenFull) {
        this.publisher = publisher;
        this.waitWhenFull = waitWhenFull;
    }

    @Override
    public void accept(Segment segment) throws InterruptedException {
        byte[] k = Arrays.copyOf(key, FlowKey.write(segment, key));
        byte[] v = Arrays.copyOf(encoder.buffer(), encoder.encode(segment));
        if (waitWhenFull) {
            publisher.put(k, v);
        } else {
            publisher.offer(k, v);
        }
    }

    @Override
    public void close() {
        publisher.close();
    }
}

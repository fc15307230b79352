package io.tcpwatch.core.record;

import io.tcpwatch.schema.Segment;

/**
 * A segment that reached the connection tracker behind the job's watermark: its connection's
 * event time had already passed it (typically an agent whose clock runs behind, or a partition
 * read after a long delay). It is not applied to any state machine; it is kept, with how far
 * behind it was, on {@code tcp.segments.late}.
 */
public class LateSegment {
    public Segment segment;
    /** The tracker's watermark when the segment arrived, ms since the epoch. */
    public long watermarkMs;

    public LateSegment() {}

    public LateSegment(Segment segment, long watermarkMs) {
        this.segment = segment;
        this.watermarkMs = watermarkMs;
    }

    /** How far behind the watermark its capture time was, in ms. */
    public long behindMs() {
        return watermarkMs - Math.floorDiv(segment.tsNanos, 1_000_000L);
    }
}

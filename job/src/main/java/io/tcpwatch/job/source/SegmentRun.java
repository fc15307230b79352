package io.tcpwatch.job.source;

import io.tcpwatch.core.tracker.Tracker;
import io.tcpwatch.schema.Segment;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One observer's consecutive segments of one flow, in capture order: what one record of the
 * segments topic holds (a flow batch, or a single segment). The tracker takes a run as one element
 * of its key — one state read and one write, timers set once — so the job's work per record falls
 * as the agents batch. Its event time is its newest segment's: the watermark follows what the
 * runs carry, as it would follow their segments one by one. Flink moves runs with their own
 * serializer ({@link SegmentRunSerializer}).
 */
@TypeInfo(SegmentRunSerializer.Types.class)
public final class SegmentRun {

    /** The segments, oldest first; never empty. */
    public Segment[] segments;

    public SegmentRun() {}

    public static SegmentRun of(Segment s) {
        SegmentRun r = new SegmentRun();
        r.segments = new Segment[] {s};
        return r;
    }

    public static SegmentRun of(List<Segment> segments) {
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a run holds at least one segment");
        }
        SegmentRun r = new SegmentRun();
        r.segments = segments.toArray(Segment[]::new);
        return r;
    }

    public Segment first() {
        return segments[0];
    }

    public int size() {
        return segments.length;
    }

    public List<Segment> asList() {
        return Arrays.asList(segments);
    }

    /** The newest segment's event time (ms). */
    public long eventTimeMs() {
        long newest = Long.MIN_VALUE;
        for (Segment s : segments) {
            newest = Math.max(newest, Tracker.eventTimeMs(s));
        }
        return newest;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentRun r && Arrays.equals(segments, r.segments);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(segments);
    }
}

package io.tcpwatch.job.time;

import io.tcpwatch.job.source.SegmentRun;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Passes segment runs through and measures, per observer, how far its clock runs ahead.
 *
 * <p>The metric {@code observer.<name>.clockAheadMs} = newest capture time − watermark −
 * out-of-orderness: about 0 for a busy agent whose clock agrees with the others, about 30,000 for
 * one 30 s ahead; negative when the observer is quiet or runs behind (its segments then arrive late
 * at the tracker).
 *
 * <p>Every {@link #REPORT_EVERY_MS} of event time it reports on {@link #OFFSETS}, for each observer
 * heard meanwhile, the least lead of its segments over the segment of another observer that arrived
 * just before it (within {@link #NEIGHBOUR_MS} of wall clock). Agents interleave on a partition in
 * the order they send, so a correct agent's segment is sometimes behind its neighbour's and its
 * least lead is about 0 or less; an agent 30 s ahead leads every neighbour by about 30 s. Neither a
 * lull (only the first segment after it leads), a sparse agent, nor a job catching up in steps of
 * watermark changes that. Two agents ahead by the same amount, side by side, hide each other.
 * Detections that compare several agents' events lower their confidence on it
 * ({@code ClockConfidenceFunction}).
 *
 * <p>An operator rather than a function: it follows the watermark between segments too.
 */
public final class ObserverClockOffsets extends AbstractStreamOperator<SegmentRun>
        implements OneInputStreamOperator<SegmentRun, SegmentRun> {

    public static final OutputTag<ClockOffset> OFFSETS = new OutputTag<>("clock-offsets") {};
    public static final long REPORT_EVERY_MS = 10_000;
    /** A neighbour that arrived longer ago than this (wall clock) is not compared with. */
    public static final long NEIGHBOUR_MS = 1_000;
    private static final long NONE = Long.MAX_VALUE;

    private final long outOfOrdernessMs;
    /** Per observer: its newest capture time, and its least lead over a neighbour since the last report. */
    private transient Map<String, long[]> byObserver;
    private transient long watermarkMs;
    private transient long reportedAtMs;
    /** The last segment to arrive, and the last one from another observer than that one: ts and wall clock. */
    private transient String lastObserver;
    private transient long lastTs;
    private transient long lastWallMs;
    private transient long otherTs;
    private transient long otherWallMs;

    public ObserverClockOffsets(long outOfOrdernessMs) {
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        byObserver = new HashMap<>();
        watermarkMs = Long.MIN_VALUE;
        reportedAtMs = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<SegmentRun> record) {
        String observer = record.getValue().first().observer;
        long[] o = byObserver.get(observer);
        if (o == null) {
            long[] n = {Long.MIN_VALUE, NONE};
            o = n;
            byObserver.put(observer, n);
            getMetricGroup().addGroup("observer", observer).gauge("clockAheadMs", () -> aheadMs(n[0]));
        }
        if (record.hasTimestamp()) {
            long ts = record.getTimestamp();
            o[0] = Math.max(o[0], ts);
            compareWithNeighbour(observer, ts, o);
        }
        output.collect(record);
    }

    /** The segment's lead over the latest one from another observer, if that arrived just before. */
    private void compareWithNeighbour(String observer, long ts, long[] o) {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        boolean sameAsLast = observer.equals(lastObserver);
        long neighbourTs = sameAsLast ? otherTs : lastTs;
        long neighbourWallMs = sameAsLast ? otherWallMs : lastWallMs;
        if (lastObserver != null && neighbourWallMs != 0 && now - neighbourWallMs <= NEIGHBOUR_MS) {
            o[1] = Math.min(o[1], ts - neighbourTs);
        }
        if (!sameAsLast) {
            otherTs = lastTs;
            otherWallMs = lastWallMs;
            lastObserver = observer;
        }
        lastTs = ts;
        lastWallMs = Math.max(now, 1);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermarkMs = mark.getTimestamp();
        boolean measurable = watermarkMs != Long.MIN_VALUE && watermarkMs != Long.MAX_VALUE; // not before or after input
        if (measurable && (reportedAtMs == Long.MIN_VALUE || watermarkMs >= reportedAtMs + REPORT_EVERY_MS)) {
            report();
        }
        super.processWatermark(mark);
    }

    /** Each observer compared with a neighbour since the last report: its least lead, stamped with the watermark. */
    private void report() {
        reportedAtMs = watermarkMs;
        for (Map.Entry<String, long[]> e : byObserver.entrySet()) {
            long[] o = e.getValue();
            if (o[1] != NONE) {
                output.collect(OFFSETS, new StreamRecord<>(new ClockOffset(e.getKey(), o[1], watermarkMs), watermarkMs));
                o[1] = NONE;
            }
        }
    }

    private long aheadMs(long newestMs) {
        if (newestMs == Long.MIN_VALUE || watermarkMs == Long.MIN_VALUE) {
            return 0;
        }
        return newestMs - watermarkMs - outOfOrdernessMs;
    }
}

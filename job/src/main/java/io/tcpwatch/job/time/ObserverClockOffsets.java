package io.tcpwatch.job.time;

import io.tcpwatch.schema.Segment;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Passes segments through and reports, per observer, how far its newest capture time runs ahead
 * of the job's event time: the metric {@code observer.<name>.clockAheadMs} = newest capture time −
 * watermark − out-of-orderness. About 0 for a busy agent whose clock agrees with the others; an
 * agent whose clock runs 30 s ahead shows about 30,000. Negative values mean the observer is
 * quiet or its clock runs behind (its segments then arrive late at the tracker).
 *
 * <p>Every {@link #REPORT_EVERY_MS} of event time it also reports each observer heard since the
 * last report on {@link #OFFSETS}: detections that compare several agents' events lower their
 * confidence when one of those agents runs ahead ({@code ClockConfidenceFunction}).
 *
 * <p>An operator rather than a function: it follows the watermark between segments too.
 */
public final class ObserverClockOffsets extends AbstractStreamOperator<Segment>
        implements OneInputStreamOperator<Segment, Segment> {

    public static final OutputTag<ClockOffset> OFFSETS = new OutputTag<>("clock-offsets") {};
    public static final long REPORT_EVERY_MS = 10_000;

    private final long outOfOrdernessMs;
    /** Per observer: its newest capture time, and the newest one already reported. */
    private transient Map<String, long[]> newestByObserver;
    private transient long watermarkMs;
    private transient long reportedAtMs;

    public ObserverClockOffsets(long outOfOrdernessMs) {
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        newestByObserver = new HashMap<>();
        watermarkMs = Long.MIN_VALUE;
        reportedAtMs = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<Segment> record) {
        Segment s = record.getValue();
        long[] newest = newestByObserver.get(s.observer);
        if (newest == null) {
            long[] n = {Long.MIN_VALUE, Long.MIN_VALUE};
            newest = n;
            newestByObserver.put(s.observer, n);
            getMetricGroup().addGroup("observer", s.observer).gauge("clockAheadMs", () -> aheadMs(n[0]));
        }
        if (record.hasTimestamp() && record.getTimestamp() > newest[0]) {
            newest[0] = record.getTimestamp();
        }
        output.collect(record);
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

    /**
     * One offset per observer heard since the last report, stamped with the watermark: its lead
     * over the median observer heard meanwhile (the lower median: of two, the one behind). While
     * the job catches up, every observer's newest capture runs ahead of a watermark that follows
     * in steps; that lead is common to all of them and cancels out.
     */
    private void report() {
        reportedAtMs = watermarkMs;
        Map<String, Long> heard = new HashMap<>();
        for (Map.Entry<String, long[]> e : newestByObserver.entrySet()) {
            long[] n = e.getValue();
            if (n[0] > n[1]) {
                n[1] = n[0];
                heard.put(e.getKey(), aheadMs(n[0]));
            }
        }
        if (heard.isEmpty()) {
            return;
        }
        long[] leads = heard.values().stream().mapToLong(Long::longValue).sorted().toArray();
        long median = leads[(leads.length - 1) / 2];
        heard.forEach((observer, ahead) -> output.collect(OFFSETS,
                new StreamRecord<>(new ClockOffset(observer, ahead - median, watermarkMs), watermarkMs)));
    }

    private long aheadMs(long newestMs) {
        if (newestMs == Long.MIN_VALUE || watermarkMs == Long.MIN_VALUE) {
            return 0;
        }
        return newestMs - watermarkMs - outOfOrdernessMs;
    }
}

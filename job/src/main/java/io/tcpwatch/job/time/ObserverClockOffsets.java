package io.tcpwatch.job.time;

import io.tcpwatch.schema.Segment;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Passes segments through and reports, per observer, how far its newest capture time runs ahead
 * of the job's event time: the metric {@code observer.<name>.clockAheadMs} = newest capture time −
 * watermark − out-of-orderness. About 0 for a busy agent whose clock agrees with the others; an
 * agent whose clock runs 30 s ahead shows about 30,000. Negative values mean the observer is
 * quiet or its clock runs behind (its segments then arrive late at the tracker).
 *
 * <p>An operator rather than a function: it follows the watermark between segments too.
 */
public final class ObserverClockOffsets extends AbstractStreamOperator<Segment>
        implements OneInputStreamOperator<Segment, Segment> {

    private final long outOfOrdernessMs;
    private transient Map<String, long[]> newestByObserver;
    private transient long watermarkMs;

    public ObserverClockOffsets(long outOfOrdernessMs) {
        this.outOfOrdernessMs = outOfOrdernessMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        newestByObserver = new HashMap<>();
        watermarkMs = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<Segment> record) {
        Segment s = record.getValue();
        long[] newest = newestByObserver.get(s.observer);
        if (newest == null) {
            long[] n = {Long.MIN_VALUE};
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
        super.processWatermark(mark);
    }

    private long aheadMs(long newestMs) {
        if (newestMs == Long.MIN_VALUE || watermarkMs == Long.MIN_VALUE) {
            return 0;
        }
        return newestMs - watermarkMs - outOfOrdernessMs;
    }
}

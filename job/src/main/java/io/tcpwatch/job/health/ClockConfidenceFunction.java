package io.tcpwatch.job.health;

import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.time.ClockOffset;
import io.tcpwatch.job.time.ObserverClockOffsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lowers the confidence of detections that compare several agents' events when one of those
 * agents' clocks runs ahead of the others: its events land in other windows than theirs. The
 * confidence is multiplied by 1 − lead / window (at least {@link #FLOOR}), and the explanation
 * names the agent and its lead. A detection from one agent is not touched: its events share one
 * clock. Offsets come from {@code ObserverClockOffsets}; the latest per agent is kept, and one
 * older than {@link #FRESH_MS} of the detection's end no longer counts.
 */
public class ClockConfidenceFunction extends BroadcastProcessFunction<Detection, ClockOffset, Detection> {

    public static final MapStateDescriptor<String, ClockOffset> CLOCKS = new MapStateDescriptor<>("agent-clocks",
            Types.STRING, TypeInformation.of(ClockOffset.class));

    /** A lead this small is the jitter of delivery, not a clock. */
    static final long TOLERANCE_MS = 1_000;
    static final long FRESH_MS = 5 * 60_000L;
    static final double FLOOR = 0.5;

    private final long windowMs;

    public ClockConfidenceFunction(Duration window) {
        this.windowMs = window.toMillis();
    }

    @Override
    public void processElement(Detection d, ReadOnlyContext ctx, Collector<Detection> out) throws Exception {
        String[] observers = d.observer == null ? new String[0] : d.observer.split(",");
        if (observers.length > 1) {
            lower(d, observers, ctx.getBroadcastState(CLOCKS));
        }
        out.collect(d);
    }

    private void lower(Detection d, String[] observers, ReadOnlyBroadcastState<String, ClockOffset> clocks) throws Exception {
        long endMs = Math.floorDiv(d.endNs, 1_000_000L);
        long worst = 0;
        List<String> who = new ArrayList<>();
        for (String observer : observers) {
            ClockOffset o = clocks.get(observer);
            if (o != null && o.aheadMs > TOLERANCE_MS && Math.abs(endMs - o.atMs) <= FRESH_MS) {
                worst = Math.max(worst, o.aheadMs);
                who.add(String.format(Locale.ROOT, "%s's clock runs %.1f s ahead of the other agents'", observer, o.aheadMs / 1000.0));
            }
        }
        if (worst > 0) {
            double factor = Math.max(FLOOR, 1.0 - worst / (double) windowMs);
            d.confidence = Math.round(d.confidence * factor * 1000) / 1000.0;
            d.explanation = d.explanation + " Lower confidence: " + String.join(", ", who)
                    + "; its events are compared with theirs across different moments.";
        }
    }

    @Override
    public void processBroadcastElement(ClockOffset offset, Context ctx, Collector<Detection> out) throws Exception {
        BroadcastState<String, ClockOffset> clocks = ctx.getBroadcastState(CLOCKS);
        ClockOffset known = clocks.get(offset.observer);
        // reports of one round come from every source subtask that saw the agent: keep the largest lead
        boolean newerRound = known == null || offset.atMs >= known.atMs + ObserverClockOffsets.REPORT_EVERY_MS / 2;
        if (newerRound || offset.aheadMs > known.aheadMs) {
            clocks.put(offset.observer, offset);
        }
    }
}

package io.tcpwatch.job.health;

import io.tcpwatch.core.record.Detection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lowers the confidence of detections whose time overlaps an interval in which one of their
 * observers reported lost packets, and says why: confidence × seen / (seen + lost) of those
 * intervals. Loss intervals reach every instance (broadcast state) and are kept for
 * {@link #KEEP_MS}; loss reported after a detection was published does not change it.
 */
public class ConfidenceFunction extends BroadcastProcessFunction<Detection, AgentLoss, Detection> {

    public static final MapStateDescriptor<String, List<AgentLoss>> LOSSES = new MapStateDescriptor<>("agent-losses",
            Types.STRING, Types.LIST(TypeInformation.of(AgentLoss.class)));

    static final long KEEP_MS = 15 * 60_000L;

    @Override
    public void processElement(Detection d, ReadOnlyContext ctx, Collector<Detection> out) throws Exception {
        ReadOnlyBroadcastState<String, List<AgentLoss>> losses = ctx.getBroadcastState(LOSSES);
        long fromMs = Math.floorDiv(d.startNs, 1_000_000L);
        long toMs = Math.floorDiv(d.endNs, 1_000_000L);
        long seen = 0;
        long lost = 0;
        List<String> who = new ArrayList<>();
        for (String observer : d.observer.split(",")) {
            List<AgentLoss> list = losses.get(observer);
            if (list == null) {
                continue;
            }
            long lostHere = 0;
            for (AgentLoss l : list) {
                if (l.fromMs <= toMs && l.toMs >= fromMs) {
                    seen += l.seen;
                    lostHere += l.lost;
                }
            }
            if (lostHere > 0) {
                lost += lostHere;
                who.add(String.format(Locale.ROOT, "%s lost %,d packets", observer, lostHere));
            }
        }
        if (lost > 0) {
            d.confidence = Math.round(d.confidence * seen / (double) (seen + lost) * 1000) / 1000.0;
            d.explanation = d.explanation + " Lower confidence: " + String.join(", ", who) + " around this time.";
        }
        out.collect(d);
    }

    @Override
    public void processBroadcastElement(AgentLoss loss, Context ctx, Collector<Detection> out) throws Exception {
        BroadcastState<String, List<AgentLoss>> losses = ctx.getBroadcastState(LOSSES);
        List<AgentLoss> list = losses.get(loss.observer);
        List<AgentLoss> kept = new ArrayList<>();
        if (list != null) {
            for (AgentLoss l : list) {
                if (l.toMs >= loss.toMs - KEEP_MS) {
                    kept.add(l);
                }
            }
        }
        kept.add(loss);
        losses.put(loss.observer, kept);
        // forget agents that have been quiet for long
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, List<AgentLoss>> e : losses.entries()) {
            List<AgentLoss> l = e.getValue();
            if (l.get(l.size() - 1).toMs < loss.toMs - KEEP_MS) {
                stale.add(e.getKey());
            }
        }
        for (String s : stale) {
            losses.remove(s);
        }
    }
}

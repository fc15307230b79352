package io.tcpwatch.job.fleet;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per client→server pair ({@link ConnectionEvent#pair()}): tumbling event-time windows of
 * (deduplicated) connection outcomes → {@link PairStats}, emitted when the watermark passes the
 * window's end. Order within a window does not matter here, so events are folded as they come.
 */
public class PairStatsFunction extends KeyedProcessFunction<String, ConnectionEvent, PairStats> {

    private final long windowNs;

    private transient MapState<Long, PairStats> windows;
    private transient Counter lateEvents;

    public PairStatsFunction(Duration window) {
        this.windowNs = window.toNanos();
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(new MapStateDescriptor<>("pair-windows", Long.class, PairStats.class));
        lateEvents = getRuntimeContext().getMetricGroup().counter("latePairEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<PairStats> out) throws Exception {
        long startNs = Math.floorDiv(e.tsNs, windowNs) * windowNs;
        long endMs = Math.floorDiv(startNs + windowNs, 1_000_000L);
        if (endMs <= ctx.timerService().currentWatermark()) {
            lateEvents.inc(); // its window has been reported already
            return;
        }
        PairStats w = windows.get(startNs);
        if (w == null) {
            w = new PairStats();
            w.client = e.clientHost();
            w.server = e.server;
            w.windowStartNs = startNs;
            w.windowEndNs = startNs + windowNs;
            ctx.timerService().registerEventTimeTimer(endMs);
        }
        w.observers = Observers.add(w.observers, e.observer);
        switch (e.kind) {
            case OPENED -> w.newConnections++;
            case ESTABLISHED -> { }
            case CLOSED -> {
                w.closed++;
                w.portReuseCollisions += e.portReuseCollision ? 1 : 0;
                if (e.timeWaitNs > 0) {
                    w.timeWaitCloses++;
                    w.timeWaitNsSum += e.timeWaitNs;
                    w.timeWaitNsMax = Math.max(w.timeWaitNsMax, e.timeWaitNs);
                }
                if (e.clientTtl >= 0) {
                    w.clientTtl = e.clientTtl;
                }
                w.retransmissions += e.retransmissions;
                w.dataSegments += e.dataSegments;
            }
            default -> throw new IllegalStateException("unknown event kind " + e.kind);
        }
        windows.put(startNs, w);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PairStats> out) throws Exception {
        long startNs = timestamp * 1_000_000L - windowNs;
        PairStats w = windows.get(startNs);
        if (w != null) {
            out.collect(w);
            windows.remove(startNs);
        }
    }
}

package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.ServerWindows;
import io.tcpwatch.job.state.FlinkStateStore;
import io.tcpwatch.job.state.FlinkTimers;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The core's {@link ServerWindows} keyed by server endpoint: fleet statistics per window, from the
 * events {@link ServerBuckets} gathered per bucket.
 */
public class FleetStatsFunction extends KeyedProcessFunction<String, ServerEvents, FleetStats> {

    private final FleetConfig cfg;
    private final Duration rejectWindow;

    private transient ServerWindows windows;
    private transient Counter lateEvents;

    /** @param rejectWindow how long events wait beyond the watermark (see {@link ServerWindows}) */
    public FleetStatsFunction(FleetConfig cfg, Duration rejectWindow) {
        this.cfg = cfg;
        this.rejectWindow = rejectWindow;
    }

    @Override
    public void open(OpenContext openContext) {
        windows = new ServerWindows(cfg, rejectWindow, new FlinkStateStore(getRuntimeContext()));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateConnectionEvents");
    }

    @Override
    public void processElement(ServerEvents events, Context ctx, Collector<FleetStats> out) {
        // events whose bucket has been applied already are reported with the next window
        lateEvents.inc(windows.onEvents(events.asList(), new FlinkTimers(ctx.timerService())));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FleetStats> out) {
        windows.onTimer(ctx.getCurrentKey(), timestamp, new FlinkTimers(ctx.timerService()), out::collect);
    }
}

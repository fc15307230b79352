package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.core.fleet.PairWindows;
import io.tcpwatch.job.state.FlinkStateStore;
import io.tcpwatch.job.state.FlinkTimers;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** The core's {@link PairWindows} keyed by client→server pair. */
public class PairStatsFunction extends KeyedProcessFunction<String, ConnectionEvent, PairStats> {

    private final Duration window;

    private transient PairWindows windows;
    private transient Counter lateEvents;

    public PairStatsFunction(Duration window) {
        this.window = window;
    }

    @Override
    public void open(OpenContext openContext) {
        windows = new PairWindows(window, new FlinkStateStore(getRuntimeContext()));
        lateEvents = getRuntimeContext().getMetricGroup().counter("latePairEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<PairStats> out) {
        if (!windows.onEvent(e, new FlinkTimers(ctx.timerService()))) {
            lateEvents.inc(); // its window has been reported already
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PairStats> out) {
        windows.onTimer(timestamp, out::collect);
    }
}

package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.VantageOwners;
import io.tcpwatch.job.state.FlinkStateStore;
import io.tcpwatch.job.state.FlinkTimers;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** The core's {@link VantageOwners} keyed by connection: each connection counted once however many agents saw it. */
public class VantageDedup extends KeyedProcessFunction<String, ConnectionEvent, ConnectionEvent> {

    private final Duration tolerance;

    private transient VantageOwners owners;
    private transient Counter duplicates;

    public VantageDedup(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public void open(OpenContext openContext) {
        owners = new VantageOwners(tolerance, new FlinkStateStore(getRuntimeContext()));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateConnectionEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<ConnectionEvent> out) {
        if (owners.onEvent(e, new FlinkTimers(ctx.timerService()))) {
            out.collect(e);
        } else {
            duplicates.inc(); // the other vantage point of the same connection
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConnectionEvent> out) {
        owners.onTimer();
    }
}

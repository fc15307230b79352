package io.tcpwatch.job.fleet;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cross-vantage dedup, keyed by {@link ConnectionEvent#dedupKey()}: when the client's and the
 * server's agents both saw a connection, its OPENED, ESTABLISHED and CLOSED events pass once.
 * The key (server, client, ISN) is the same from both ends; the agents' clocks may differ, so the
 * key is remembered for {@code tolerance} of event time after the first report. The first report
 * wins (both carry the same outcome; counters such as retransmissions may differ slightly).
 */
public class VantageDedup extends KeyedProcessFunction<String, ConnectionEvent, ConnectionEvent> {

    private final long toleranceMs;

    private transient ValueState<Long> forgetAtMs;
    private transient Counter duplicates;

    public VantageDedup(Duration tolerance) {
        this.toleranceMs = tolerance.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        forgetAtMs = getRuntimeContext().getState(new ValueStateDescriptor<>("forget-at", Long.class));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateConnectionEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<ConnectionEvent> out) throws Exception {
        if (forgetAtMs.value() != null) {
            duplicates.inc(); // the other vantage point of the same connection
            return;
        }
        long forget = Math.max(Math.floorDiv(e.tsNs, 1_000_000L), ctx.timerService().currentWatermark()) + toleranceMs;
        forgetAtMs.update(forget);
        ctx.timerService().registerEventTimeTimer(forget);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConnectionEvent> out) {
        forgetAtMs.clear();
    }
}

package io.tcpwatch.job.fleet;

import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Cross-vantage dedup, keyed by {@link ConnectionEvent#connectionId()} (server, client, ISN: the
 * same from both ends): when the client's and the server's agents both saw a connection, the first
 * agent to report it owns it and only its events pass. The agents' clocks may differ, so the
 * connection is remembered for {@code tolerance} of event time after its owner reported it closed.
 * One state entry and one timer per connection.
 */
public class VantageDedup extends KeyedProcessFunction<String, ConnectionEvent, ConnectionEvent> {

    private final long toleranceMs;

    private transient ValueState<String> owner;
    private transient Counter duplicates;

    public VantageDedup(Duration tolerance) {
        this.toleranceMs = tolerance.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        owner = getRuntimeContext().getState(new ValueStateDescriptor<>("owner", String.class));
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicateConnectionEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<ConnectionEvent> out) throws Exception {
        String o = owner.value();
        if (o == null) {
            owner.update(e.observer);
        } else if (!o.equals(e.observer)) {
            duplicates.inc(); // the other vantage point of the same connection
            return;
        }
        if (e.kind == ConnectionEvent.Kind.CLOSED) {
            long forget = Math.max(Math.floorDiv(e.tsNs, 1_000_000L), ctx.timerService().currentWatermark()) + toleranceMs;
            ctx.timerService().registerEventTimeTimer(forget);
        }
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConnectionEvent> out) {
        owner.clear();
    }
}

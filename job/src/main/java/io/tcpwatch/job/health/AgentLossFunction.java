package io.tcpwatch.job.health;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per agent (keyed by observer): the difference between consecutive cumulative reports, emitted as
 * an {@link AgentLoss} when the agent lost anything in between. A restarted agent (counters went
 * down) starts a new series.
 */
public class AgentLossFunction extends KeyedProcessFunction<String, AgentReport, AgentLoss> {

    private transient ValueState<AgentReport> last;

    @Override
    public void open(OpenContext openContext) {
        last = getRuntimeContext().getState(new ValueStateDescriptor<>("last-report", AgentReport.class));
    }

    @Override
    public void processElement(AgentReport r, Context ctx, Collector<AgentLoss> out) throws Exception {
        AgentReport previous = last.value();
        if (previous != null && r.tsMs > previous.tsMs && r.packetsSeen >= previous.packetsSeen && r.lost >= previous.lost) {
            long lost = r.lost - previous.lost;
            if (lost > 0) {
                out.collect(new AgentLoss(r.observer, previous.tsMs, r.tsMs, r.packetsSeen - previous.packetsSeen, lost));
            }
        }
        if (previous == null || r.tsMs > previous.tsMs) {
            last.update(r);
        }
    }
}

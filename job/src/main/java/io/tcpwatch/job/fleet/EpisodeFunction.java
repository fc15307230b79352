package io.tcpwatch.job.fleet;

import io.tcpwatch.core.episode.Episodes;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetWindow;
import io.tcpwatch.core.fleet.rules.FleetRule;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.state.FlinkStateStore;
import io.tcpwatch.job.state.FlinkTimers;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** The core's {@link Episodes} keyed by server (or client→server pair): fleet rules' verdicts as episodes. */
public class EpisodeFunction<W extends FleetWindow> extends KeyedProcessFunction<String, W, Detection> {

    private final List<FleetRule<W>> rules;
    private final FleetConfig cfg;

    private transient Episodes<W> episodes;

    public EpisodeFunction(List<FleetRule<W>> rules, FleetConfig cfg) {
        this.rules = List.copyOf(rules);
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext openContext) {
        episodes = new Episodes<>(rules, cfg, new FlinkStateStore(getRuntimeContext()));
    }

    @Override
    public void processElement(W w, Context ctx, Collector<Detection> out) {
        episodes.onWindow(w, new FlinkTimers(ctx.timerService()), out::collect);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Detection> out) {
        episodes.onTimer(timestamp, out::collect);
    }
}

package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.tracker.Tracker;
import io.tcpwatch.core.tracker.TrackerOutput;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.state.ConnectionEventSerializer;
import io.tcpwatch.job.state.FlinkStateStore;
import io.tcpwatch.job.state.FlinkTimers;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The core's {@link Tracker} keyed by observer and 4-tuple: its state in Flink keyed state, read and
 * written once per {@link SegmentRun} (a flow batch is one element), its deadlines as event-time timers, per-connection detections on the main output and connection
 * records, late segments and connection events on side outputs; counted in Flink's metrics.
 */
public class ConnectionTracker extends KeyedProcessFunction<ConnKey, SegmentRun, Detection> {

    public static final OutputTag<ConnectionRecord> CONNECTIONS = new OutputTag<>("connections") {};
    public static final OutputTag<LateSegment> LATE = new OutputTag<>("late-segments") {};
    public static final OutputTag<ConnectionEvent> EVENTS = new OutputTag<>("connection-events", ConnectionEventSerializer.TYPE);

    private final TrackerConfig cfg;

    private transient Tracker tracker;
    private transient Outputs outputs;
    private transient Counter segmentsIn;

    public ConnectionTracker(TrackerConfig cfg) {
        this.cfg = cfg;
    }

    @Override
    public void open(OpenContext openContext) {
        tracker = new Tracker(cfg, new FlinkStateStore(getRuntimeContext()));
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        segmentsIn = metrics.counter("segmentsIn");
        metrics.gauge("openConnections", tracker::openConnections);
        outputs = new Outputs(metrics);
    }

    @Override
    public void processElement(SegmentRun run, Context ctx, Collector<Detection> out) {
        segmentsIn.inc(run.size());
        tracker.onSegments(run.asList(), new FlinkTimers(ctx.timerService()), outputs.to(ctx, out));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Detection> out) {
        tracker.onTimer(timestamp, new FlinkTimers(ctx.timerService()), outputs.to(ctx, out));
    }

    /** The tracker's findings to this call's collector and side outputs, counted by kind. */
    private static final class Outputs implements TrackerOutput {
        private final MetricGroup metrics;
        private final Counter lateSegments;
        private final Map<String, Counter> lateByObserver = new HashMap<>();
        private final Map<String, Counter> detectionsByType = new HashMap<>();
        private Context ctx;
        private Collector<Detection> out;

        Outputs(MetricGroup metrics) {
            this.metrics = metrics;
            this.lateSegments = metrics.counter("lateSegments");
        }

        Outputs to(Context ctx, Collector<Detection> out) {
            this.ctx = ctx;
            this.out = out;
            return this;
        }

        @Override
        public void detection(Detection d) {
            detectionsByType.computeIfAbsent(d.type, t -> metrics.addGroup("detections").counter(t)).inc();
            out.collect(d);
        }

        @Override
        public void connection(ConnectionRecord r) {
            ctx.output(CONNECTIONS, r);
        }

        @Override
        public void event(ConnectionEvent e) {
            ctx.output(EVENTS, e);
        }

        @Override
        public void late(LateSegment l) {
            lateSegments.inc();
            lateByObserver.computeIfAbsent(l.segment.observer,
                    o -> metrics.addGroup("observer", o).counter("lateSegments")).inc();
            ctx.output(LATE, l);
        }
    }
}

package io.tcpwatch.job;

import io.tcpwatch.job.fleet.FleetStats;
import io.tcpwatch.job.fleet.FleetStatsFunction;
import io.tcpwatch.job.record.ConnectionRecord;
import io.tcpwatch.job.record.Detection;
import io.tcpwatch.job.tracker.ConnKey;
import io.tcpwatch.job.tracker.ConnectionTracker;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The tcpwatch job graph, read top to bottom like Flink's statemachine example:
 *
 * <pre>
 *   segments ──(event time = capture time)──▶ keyBy(observer, 4-tuple) ──▶ ConnectionTracker ─┬─▶ detections
 *                                                                                             ├─▶ connections (conn.log)
 *                                                                                             ├─▶ late segments
 *                                                    keyBy(server endpoint) ◀── outcome events ┘
 *                                                              │
 *                                                    FleetStatsFunction (10 s windows) ──▶ fleet stats
 * </pre>
 *
 * Sources and sinks are the caller's (Kafka in production, capture files for {@code analyze},
 * collections in tests), so every caller runs this exact graph.
 */
public final class TcpwatchJob {

    /** The graph's outputs, for the caller to sink. */
    public record Outputs(DataStream<Detection> detections, DataStream<ConnectionRecord> connections,
                          DataStream<FleetStats> fleetStats, DataStream<Segment> lateSegments) {}

    /** Width of the fleet stage's tumbling event-time windows. */
    public static final Duration FLEET_WINDOW = Duration.ofSeconds(10);

    private TcpwatchJob() {}

    /** Event time is the capture timestamp; watermarks tolerate {@code outOfOrderness} and idle inputs. */
    public static WatermarkStrategy<Segment> watermarks(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<Segment>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((s, previous) -> Math.floorDiv(s.tsNanos, 1_000_000L))
                .withIdleness(idleness);
    }

    /** Builds the graph on {@code segments}, which must carry event timestamps and watermarks. */
    public static Outputs build(DataStream<Segment> segments, TrackerConfig config) {
        // 1. one TCP state machine per observer and 4-tuple
        SingleOutputStreamOperator<Detection> detections = segments
                .keyBy(ConnKey::of)
                .process(new ConnectionTracker(config))
                .name("connection tracker")
                .uid("connection-tracker");

        // 2. fleet windows: connection outcomes per server endpoint, both vantage points counted once
        DataStream<FleetStats> fleetStats = detections.getSideOutput(ConnectionTracker.EVENTS)
                .keyBy(e -> e.server)
                .process(new FleetStatsFunction(FLEET_WINDOW))
                .name("fleet stats")
                .uid("fleet-stats");

        return new Outputs(detections,
                detections.getSideOutput(ConnectionTracker.CONNECTIONS),
                fleetStats,
                detections.getSideOutput(ConnectionTracker.LATE));
    }
}

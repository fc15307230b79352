package io.tcpwatch.job;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.job.fleet.EpisodeFunction;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.rules.FleetRules;
import io.tcpwatch.job.fleet.FleetStatsFunction;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.job.fleet.PairStatsFunction;
import io.tcpwatch.job.fleet.ServerBuckets;
import io.tcpwatch.job.fleet.ServerEvents;
import io.tcpwatch.job.fleet.VantageDedup;
import io.tcpwatch.job.health.AgentLoss;
import io.tcpwatch.job.health.AgentLossFunction;
import io.tcpwatch.job.health.AgentReport;
import io.tcpwatch.job.health.ClockConfidenceFunction;
import io.tcpwatch.job.health.ConfidenceFunction;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.state.ConnectionEventSerializer;
import io.tcpwatch.job.time.ClockOffset;
import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.job.tracker.ConnectionTracker;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.tracker.Tracker;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The tcpwatch job graph, read top to bottom like Flink's statemachine example:
 *
 * <pre>
 *   segment runs ──(event time = capture time)──▶ keyBy(observer, 4-tuple) ──▶ ConnectionTracker ──┬──▶ detections (per connection)
 *                                                                                                  ├──▶ connections (conn.log)
 *                                                                                                  ├──▶ late segments
 *                                                              connection outcome events ◀─────────┘
 *                                                                          │
 *                                             keyBy(server, client, ISN) ──▶ VantageDedup (both ends counted once)
 *                                  ┌───────────────────────────────────────┴──────────────────────────────┐
 *   ServerBuckets (per server and 10 ms bucket)                                                           │
 *   keyBy(server) ──▶ FleetStatsFunction (10 s) ──▶ fleet stats           keyBy(client → server) ──▶ PairStatsFunction (10 s)
 *                                │                                                                       │
 *   keyBy(server) ──▶ EpisodeFunction(server rules) ──▶ detections        keyBy(pair) ──▶ EpisodeFunction(pair rules) ──▶ detections
 *
 *   all detections ──connect──▶ ConfidenceFunction ──▶ detections      ◀──broadcast── AgentLossFunction ◀── keyBy(observer) ◀── agent stats
 *                  ──connect──▶ ClockConfidenceFunction ──▶ detections ◀──broadcast── clock offsets (ObserverClockOffsets)
 * </pre>
 *
 * Sources and sinks are the caller's (Kafka in production, capture files for {@code analyze},
 * collections in tests), so every caller runs this exact graph.
 */
public final class TcpwatchJob {

    /**
     * What the agents say of themselves, each null when absent (as for capture files): their
     * reports (packets lost) and their clocks' offsets from event time.
     */
    public record Health(DataStream<AgentReport> agentStats, DataStream<ClockOffset> clocks) {
        public static final Health NONE = new Health(null, null);
    }

    /** The graph's outputs, for the caller to sink. */
    public record Outputs(DataStream<Detection> detections, DataStream<ConnectionRecord> connections,
                          DataStream<FleetStats> fleetStats, DataStream<LateSegment> lateSegments) {}

    /** Connection events a subtask's {@link ServerBuckets} holds at most (about 200 bytes each). */
    static final int SERVER_BUCKETS_MAX_WAITING = 100_000;

    private TcpwatchJob() {}

    /** Event time is the capture timestamp; watermarks tolerate {@code outOfOrderness} and idle inputs. */
    public static WatermarkStrategy<Segment> watermarks(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<Segment>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((s, previous) -> Tracker.eventTimeMs(s))
                .withIdleness(idleness);
    }

    /** The same for runs: a run's event time is its newest segment's. */
    public static WatermarkStrategy<SegmentRun> runWatermarks(Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<SegmentRun>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((run, previous) -> run.eventTimeMs())
                .withIdleness(idleness);
    }

    /** Each segment a run of its own, with its timestamp and the stream's watermarks: for sources of single segments. */
    public static DataStream<SegmentRun> runsOfOne(DataStream<Segment> segments) {
        return segments.map(SegmentRun::of).returns(SegmentRun.class).name("segment runs");
    }

    public static Outputs build(DataStream<SegmentRun> runs, TrackerConfig tracker) {
        return build(runs, tracker, FleetConfig.defaults(), Health.NONE);
    }

    /**
     * Builds the graph on {@code runs} (each one observer's segments of one flow), which must carry
     * event timestamps and watermarks; {@code health} lowers the confidence of detections made while an
     * agent was losing packets or comparing agents one of which runs ahead.
     */
    public static Outputs build(DataStream<SegmentRun> runs, TrackerConfig tracker, FleetConfig fleet, Health health) {
        // 1. one TCP state machine per observer and 4-tuple, a run at a time
        SingleOutputStreamOperator<Detection> connectionDetections = runs
                .keyBy(run -> ConnKey.of(run.first()))
                .process(new ConnectionTracker(tracker))
                .name("connection tracker")
                .uid("connection-tracker");

        // 2. its outcome events, each connection once however many agents saw it
        DataStream<ConnectionEvent> events = connectionDetections.getSideOutput(ConnectionTracker.EVENTS)
                .keyBy(ConnectionEvent::connectionId)
                .process(new VantageDedup(fleet.dedupTolerance), ConnectionEventSerializer.TYPE)
                .name("vantage dedup")
                .uid("vantage-dedup");

        // 3. per server endpoint: fleet statistics, then RST storms, SYN floods, backlog overflows,
        //    connection limits and reconnect storms as episodes
        DataStream<FleetStats> fleetStats = events
                .transform("server buckets", TypeInformation.of(ServerEvents.class), new ServerBuckets(SERVER_BUCKETS_MAX_WAITING))
                .uid("server-buckets") // a subtask's events of one server and 10 ms bucket leave as one record
                .keyBy(b -> b.server)
                // events wait for the reject window, handshakes for their verdict (stamped with their SYN)
                .process(new FleetStatsFunction(fleet, tracker.fleetDelay()))
                .name("fleet stats")
                .uid("fleet-stats");
        DataStream<Detection> serverDetections = fleetStats
                .keyBy(w -> w.server)
                .process(new EpisodeFunction<>(FleetRules.SERVER, fleet))
                .name("server rules")
                .uid("server-rules");

        // 4. per client→server pair: port exhaustion and retransmission surges as episodes
        DataStream<Detection> pairDetections = events
                .filter(ConnectionEvent::forPairs)
                .keyBy(ConnectionEvent::pair)
                .process(new PairStatsFunction(fleet.window))
                .name("pair stats")
                .uid("pair-stats")
                .keyBy(PairStats::pair)
                .process(new EpisodeFunction<>(FleetRules.PAIR, fleet))
                .name("pair rules")
                .uid("pair-rules");

        // 5. confidence: what was seen while an agent lost packets, or across an agent's clock ahead, says so
        DataStream<Detection> detections = connectionDetections.union(serverDetections, pairDetections);
        if (health.agentStats() != null) {
            BroadcastStream<AgentLoss> losses = health.agentStats()
                    .keyBy(r -> r.observer)
                    .process(new AgentLossFunction())
                    .name("agent losses")
                    .uid("agent-losses")
                    .broadcast(ConfidenceFunction.LOSSES);
            detections = detections.connect(losses)
                    .process(new ConfidenceFunction())
                    .name("confidence")
                    .uid("confidence");
        }
        if (health.clocks() != null) {
            detections = detections.connect(health.clocks().broadcast(ClockConfidenceFunction.CLOCKS))
                    .process(new ClockConfidenceFunction(fleet.window))
                    .name("clock confidence")
                    .uid("clock-confidence");
        }

        return new Outputs(detections,
                connectionDetections.getSideOutput(ConnectionTracker.CONNECTIONS),
                fleetStats,
                connectionDetections.getSideOutput(ConnectionTracker.LATE));
    }
}

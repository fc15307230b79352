package io.tcpwatch.core.local;

import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.episode.Episodes;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.core.fleet.PairWindows;
import io.tcpwatch.core.fleet.ServerWindows;
import io.tcpwatch.core.fleet.VantageOwners;
import io.tcpwatch.core.fleet.rules.FleetRules;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.tracker.Tracker;
import io.tcpwatch.core.tracker.TrackerOutput;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.Objects;

/**
 * The job's graph (see the job's {@code TcpwatchJob}) run in one thread on in-memory state, for one
 * machine and one capture: the same core steps, keyed the same way, in the same event time. Segments
 * come in capture order; the watermark follows the newest capture time less {@code outOfOrderness},
 * as the job's does, and {@link #finish} moves it to the end of time, as the end of a file does.
 *
 * <pre>
 *   segment ─▶ Tracker[observer, 4-tuple] ─┬─▶ detections, connection records, late segments
 *                                          └─▶ events ─▶ VantageOwners[connection] ─┬─▶ ServerWindows[server] ─▶ fleet stats
 *                                                                                    │          └─▶ Episodes[server] ─▶ detections
 *                                                                                    └─▶ PairWindows[pair] ─▶ Episodes[pair] ─▶ detections
 * </pre>
 *
 * Memory is what the steps keep: open connections, TIME_WAIT entries, the fleet windows not yet
 * reported and the episodes still open. A pipeline for one observer's segments (a capture's
 * analysis) passes the vantage dedup by: with one vantage point it lets every event through.
 */
public final class LocalPipeline {

    /** Where the pipeline's outputs go, as they are made. */
    public interface Sink {
        void detection(Detection d);

        void connection(ConnectionRecord r);

        void fleetStats(FleetStats w);

        void late(LateSegment l);
    }

    private final Sink sink;
    private final long outOfOrdernessMs;
    /** Every segment comes from one observer: the vantage dedup has nothing to tell apart, and keeps nothing. */
    private final boolean oneObserver;
    private String observer;

    private final LocalKeyedState<ConnKey> trackerState = new LocalKeyedState<>(ConnKey::copy);
    /** The key a segment is looked up by, reused: the state copies it for a connection it keeps. */
    private final ConnKey probe = new ConnKey();
    private final LocalKeyedState<String> ownerState = new LocalKeyedState<>();
    private final LocalKeyedState<String> serverState = new LocalKeyedState<>();
    private final LocalKeyedState<String> serverEpisodeState = new LocalKeyedState<>();
    private final LocalKeyedState<String> pairState = new LocalKeyedState<>();
    private final LocalKeyedState<String> pairEpisodeState = new LocalKeyedState<>();

    private final Tracker tracker;
    private final VantageOwners owners;
    private final ServerWindows servers;
    private final Episodes<FleetStats> serverEpisodes;
    private final PairWindows pairs;
    private final Episodes<PairStats> pairEpisodes;
    private final TrackerOutput trackerOutput = new TrackerOutput() {
        @Override
        public void detection(Detection d) {
            sink.detection(d);
        }

        @Override
        public void connection(ConnectionRecord r) {
            sink.connection(r);
        }

        @Override
        public void event(ConnectionEvent e) {
            onEvent(e);
        }

        @Override
        public void late(LateSegment l) {
            sink.late(l);
        }
    };

    private long maxEventTimeMs = Long.MIN_VALUE;
    private long segments;

    /** A pipeline for segments of any number of observers. */
    public LocalPipeline(TrackerConfig tracker, FleetConfig fleet, Duration outOfOrderness, Sink sink) {
        this(tracker, fleet, outOfOrderness, false, sink);
    }

    /**
     * A pipeline; with {@code oneObserver}, for segments all of one observer (a capture's analysis),
     * which skips the vantage dedup's state: with one vantage point it passes every event.
     */
    public LocalPipeline(TrackerConfig tracker, FleetConfig fleet, Duration outOfOrderness, boolean oneObserver,
                         Sink sink) {
        this.sink = sink;
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.oneObserver = oneObserver;
        this.tracker = new Tracker(tracker, trackerState);
        this.owners = new VantageOwners(fleet.dedupTolerance, ownerState);
        this.servers = new ServerWindows(fleet, tracker.fleetDelay(), serverState);
        this.serverEpisodes = new Episodes<>(FleetRules.SERVER, fleet, serverEpisodeState);
        this.pairs = new PairWindows(fleet.window, pairState);
        this.pairEpisodes = new Episodes<>(FleetRules.PAIR, fleet, pairEpisodeState);
    }

    /** The next segment in capture order. */
    public void accept(Segment s) {
        if (oneObserver) {
            sameObserver(s.observer);
        }
        segments++;
        tracker.onSegment(s, trackerState.at(probe.set(s)), trackerOutput);
        long t = Tracker.eventTimeMs(s);
        if (t > maxEventTimeMs) {
            maxEventTimeMs = t;
            advance(t - outOfOrdernessMs - 1);
        }
    }

    private void sameObserver(String o) {
        if (segments == 0) {
            observer = o;
        } else if (!Objects.equals(o, observer)) {
            throw new IllegalArgumentException("a pipeline for one observer got segments of " + observer + " and of " + o);
        }
    }

    /** The end of the input: every deadline comes, every window and episode still open is reported. */
    public void finish() {
        advance(Long.MAX_VALUE);
    }

    /** Segments taken so far. */
    public long segments() {
        return segments;
    }

    /** Connections open now (their incarnations not yet ended). */
    public long openConnections() {
        return tracker.openConnections();
    }

    /** The watermark reaches each step in graph order, after what the step before it made of it. */
    private void advance(long watermarkMs) {
        trackerState.advance(watermarkMs, (key, at) -> tracker.onTimer(at, trackerState, trackerOutput));
        ownerState.advance(watermarkMs, (key, at) -> owners.onTimer());
        serverState.advance(watermarkMs, (server, at) -> servers.onTimer(server, at, serverState, this::onServerWindow));
        pairState.advance(watermarkMs, (pair, at) -> pairs.onTimer(at, this::onPairWindow));
        serverEpisodeState.advance(watermarkMs, (server, at) -> serverEpisodes.onTimer(at, sink::detection));
        pairEpisodeState.advance(watermarkMs, (pair, at) -> pairEpisodes.onTimer(at, sink::detection));
    }

    private void onEvent(ConnectionEvent e) {
        if (!oneObserver && !owners.onEvent(e, ownerState.at(e.connectionId()))) {
            return;
        }
        servers.onEvent(e, serverState.at(e.server));
        if (e.forPairs()) {
            pairs.onEvent(e, pairState.at(e.pair()));
        }
    }

    private void onServerWindow(FleetStats w) {
        sink.fleetStats(w);
        serverEpisodes.onWindow(w, serverEpisodeState.at(w.server), sink::detection);
    }

    private void onPairWindow(PairStats w) {
        pairEpisodes.onWindow(w, pairEpisodeState.at(w.pair()), sink::detection);
    }
}

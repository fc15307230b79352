package io.tcpwatch.core.episode;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetWindow;
import io.tcpwatch.core.fleet.Observers;
import io.tcpwatch.core.fleet.rules.Finding;
import io.tcpwatch.core.fleet.rules.FleetRule;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.Endpoints;
import io.tcpwatch.core.record.EpisodeStatus;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Episodes, not spam: runs fleet rules on each window of one server (or client→server pair) and
 * turns their verdicts into detections that open, update and resolve under one id. An episode
 * opens when a rule fires; it is updated when the rule fires with a higher severity or a magnitude
 * grown by {@code updateGrowth} since the last report (otherwise it stays quiet); it resolves once
 * {@code resolveAfterWindows} windows have passed in event time without the rule firing (an
 * event-time timer, so a server that went silent resolves too).
 */
public final class Episodes<W extends FleetWindow> {
    private final List<FleetRule<W>> rules;
    private final FleetConfig cfg;

    private final Table<String, Episode> episodes;

    public Episodes(List<FleetRule<W>> rules, FleetConfig cfg, StateStore store) {
        this.rules = List.copyOf(rules);
        this.cfg = cfg;
        this.episodes = store.table("episodes", String.class, Episode.class);
    }

    /** A window of the current server (or pair): the rules' verdicts open, update or extend episodes. */
    public void onWindow(W w, Timers timers, Consumer<Detection> out) {
        for (FleetRule<W> rule : rules) {
            Finding f = rule.evaluate(w, cfg);
            if (f == null) {
                continue;
            }
            Episode e = episodes.get(rule.type().name());
            EpisodeStatus status;
            if (e == null) {
                e = new Episode();
                e.type = rule.type().name();
                e.server = w.serverEndpoint();
                e.client = w.clientHost();
                e.observers = w.observerList();
                e.startNs = w.startNs();
                e.id = id(e);
                status = EpisodeStatus.OPEN;
            } else {
                boolean worse = f.severity().rank() > Severity.rank(e.reportedSeverity)
                        || f.magnitude() >= cfg.updateGrowth * e.reportedMagnitude;
                status = worse ? EpisodeStatus.UPDATE : null;
                e.observers = Observers.add(e.observers, w.observerList());
            }
            e.windows++;
            e.lastFiringEndNs = Math.max(e.lastFiringEndNs, w.endNs());
            if (e.peakExplanation == null || f.magnitude() > e.peakMagnitude) {
                e.peakMagnitude = f.magnitude();
                e.peakExplanation = f.explanation();
                e.peakEvidenceJson = f.evidenceJson();
            }
            if (status != null) {
                e.reportedMagnitude = f.magnitude();
                e.reportedSeverity = f.severity().name();
                out.accept(detection(e, status, f.severity(), w.endNs(), f.explanation(), f.evidenceJson()));
            }
            episodes.put(e.type, e);
            timers.schedule(resolveAtMs(e));
        }
    }

    /** A deadline of the current key: episodes quiet for long enough resolve. */
    public void onTimer(long timestamp, Consumer<Detection> out) {
        List<String> over = new ArrayList<>();
        for (Map.Entry<String, Episode> entry : episodes.entries()) {
            Episode e = entry.getValue();
            if (resolveAtMs(e) <= timestamp) {
                over.add(entry.getKey());
                String explanation = String.format("Over: %s on %s%s has not been seen since %s (%d window%s). At its worst: %s",
                        e.type, e.server, e.client == null ? "" : " from " + e.client,
                        Instant.ofEpochSecond(0, e.lastFiringEndNs), e.windows, e.windows == 1 ? "" : "s", e.peakExplanation);
                out.accept(detection(e, EpisodeStatus.RESOLVED, Severity.INFO, e.lastFiringEndNs, explanation,
                        e.peakEvidenceJson));
            }
        }
        for (String type : over) {
            episodes.remove(type);
        }
    }

    private long resolveAtMs(Episode e) {
        return Math.floorDiv(e.lastFiringEndNs + cfg.resolveAfterWindows * cfg.window.toNanos(), 1_000_000L);
    }

    private static Detection detection(Episode e, EpisodeStatus status, Severity severity, long endNs, String explanation,
                                       String evidenceJson) {
        Detection d = new Detection();
        d.id = e.id;
        d.type = e.type;
        d.status = status.name();
        d.severity = severity.name();
        d.observer = e.observers;
        d.server = e.server;
        d.client = e.client;
        d.startNs = e.startNs;
        d.endNs = endNs;
        d.explanation = explanation;
        d.evidenceJson = evidenceJson;
        return d;
    }

    /** The episode's id: type, server, client and start — the same across its updates. */
    private static String id(Episode e) {
        return Endpoints.hash(e.type + "|" + e.server + "|" + e.client + "|" + e.startNs);
    }
}

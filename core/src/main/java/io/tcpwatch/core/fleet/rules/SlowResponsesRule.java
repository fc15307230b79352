package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code SLOW_RESPONSES}: the server answers far more slowly than it usually does — its 90th
 * percentile time from a client's first request byte to its own first response byte, over at least
 * {@code slowResponsesMin} connections in the window, is at least {@code slowResponsesFactor} times its
 * own baseline and at least {@code slowResponsesFloor}. Judged against the server itself: an
 * application that is always slow (a report that takes 5 s) is not this; a server without a baseline
 * yet (its first window with responses) is not judged.
 */
public final class SlowResponsesRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.SLOW_RESPONSES;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        double floorMs = cfg.slowResponsesFloor.toNanos() / 1e6;
        if (w.responses < cfg.slowResponsesMin || w.responseBaselineP90Ms <= 0 || w.responseP90Ms < floorMs
                || w.responseP90Ms < cfg.slowResponsesFactor * w.responseBaselineP90Ms) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "%s answered %d connections with a 90th percentile of %.0f ms from the client's request to the first"
                        + " response byte (median %.0f ms, 99th %.0f ms), %.1f× its usual %.0f ms: the application, or"
                        + " what it waits on, slowed down. The network is not the cause when the requests were"
                        + " acknowledged at once and no retransmission surge is reported.",
                w.server, w.responses, w.responseP90Ms, w.responseP50Ms, w.responseP99Ms,
                w.responseP90Ms / w.responseBaselineP90Ms, w.responseBaselineP90Ms);
        String evidence = new Evidence().put("responses", w.responses).put("p50_ms", round(w.responseP50Ms))
                .put("p90_ms", round(w.responseP90Ms)).put("p99_ms", round(w.responseP99Ms))
                .put("baseline_p90_ms", round(w.responseBaselineP90Ms))
                .put("display_filter", FleetFilters.of(w, "tcp.len > 0")).toJson();
        return new Finding(Severity.WARNING, Math.round(w.responseP90Ms), explanation, evidence);
    }

    private static double round(double ms) {
        return Math.round(ms * 10) / 10.0;
    }
}

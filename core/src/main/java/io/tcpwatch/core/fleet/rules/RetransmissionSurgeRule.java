package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code RETRANSMISSION_SURGE}: retransmitted segments / data segments for a host pair
 * above a threshold ({@code surgeRate}, over at least {@code surgeMinDataSegments}): packet loss.
 * Counted from the connections that closed in the window.
 */
public final class RetransmissionSurgeRule implements FleetRule<PairStats> {

    @Override
    public DetectionType type() {
        return DetectionType.RETRANSMISSION_SURGE;
    }

    @Override
    public Finding evaluate(PairStats w, FleetConfig cfg) {
        double rate = w.retransmissionRate();
        if (w.dataSegments < cfg.surgeMinDataSegments || rate < cfg.surgeRate) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "%.1f%% of the data segments between %s and %s were retransmitted (%d of %d, in %d connection%s):"
                        + " packets are being lost on the path.",
                rate * 100, w.client, w.server, w.retransmissions, w.dataSegments, w.closed, w.closed == 1 ? "" : "s");
        String evidence = new Evidence().put("retransmission_rate", rate).put("retransmissions", w.retransmissions)
                .put("data_segments", w.dataSegments).put("connections", w.closed)
                .put("display_filter", FleetFilters.of(w, "tcp.analysis.retransmission")).toJson();
        return new Finding(rate >= 5 * cfg.surgeRate ? Severity.CRITICAL : Severity.WARNING, rate, explanation, evidence);
    }
}

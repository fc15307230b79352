package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code RST_STORM}: RSTs per window for a server endpoint above an absolute floor and
 * above k× its recent baseline; breakdown by cause and origin; top clients. Counts connections
 * reset (by their first RST), not RST segments: a client that keeps sending into a reset
 * connection does not make a storm of its own.
 */
public final class RstStormRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.RST_STORM;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        long rsts = w.rsts();
        if (rsts < cfg.rstStormFloor || rsts < cfg.rstStormFactor * w.rstBaseline) {
            return null;
        }
        long[] byCause = w.rstsByCause();
        List<String> causes = new ArrayList<>();
        Evidence ev = new Evidence().put("rst_connections", rsts).put("baseline_per_window", w.rstBaseline)
                .put("new_connections", w.newConnections);
        for (int i = 0; i < byCause.length; i++) {
            if (byCause[i] > 0) {
                causes.add(byCause[i] + " " + FleetStats.RST_CAUSES[i]);
                ev.put("cause_" + FleetStats.RST_CAUSES[i], byCause[i]);
            }
        }
        ev.put("origin_ENDPOINT_STACK", w.rstByStack).put("origin_ENDPOINT_APP", w.rstByApp)
                .put("origin_MIDDLEBOX_SUSPECT", w.rstByMiddlebox);
        List<String> top = new ArrayList<>();
        for (FleetStats.ClientCount c : w.topRstClients(5)) {
            top.add(c.client() + " (" + c.count() + ")");
        }
        ev.put("top_clients", String.join(", ", top));
        ev.put("display_filter", FleetFilters.of(w, "tcp.flags.reset == 1"));
        String baseline = w.rstBaseline < 0.05 ? "none recently"
                : String.format(Locale.ROOT, "%.1f per window recently (%.0f×)", w.rstBaseline, rsts / w.rstBaseline);
        String explanation = String.format(Locale.ROOT,
                "%d connections to %s were reset within %.0f s (baseline: %s): %s; sent by %s. Most reset clients: %s.",
                rsts, w.server, (w.windowEndNs - w.windowStartNs) / 1e9, baseline, String.join(", ", causes),
                origins(w), String.join(", ", top));
        Severity severity = rsts >= 5 * cfg.rstStormFloor ? Severity.CRITICAL : Severity.WARNING;
        return new Finding(severity, rsts, explanation, ev.toJson());
    }

    private static String origins(FleetStats w) {
        List<String> o = new ArrayList<>();
        if (w.rstByApp > 0) {
            o.add("the application (" + w.rstByApp + ")");
        }
        if (w.rstByStack > 0) {
            o.add("the TCP stack (" + w.rstByStack + ")");
        }
        if (w.rstByMiddlebox > 0) {
            o.add("a suspected middlebox (" + w.rstByMiddlebox + ")");
        }
        return o.isEmpty() ? "unknown senders" : String.join(", ", o);
    }
}

package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code CONNECTION_LIMIT}: concurrent established connections to an endpoint plateau
 * at N while new ones are rejected or queued. Fires when at least {@code connectionLimitRejections}
 * connections were rejected right after the handshake and, at each rejection, the number of
 * connections the application held was the same N (within one: a slot being handed over), and no
 * more than N + 1 were held at any time between the first rejection and the last. N is reported; connections that waited for a slot (SYN retransmits,
 * then in) are counted as queued.
 */
public final class ConnectionLimitRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.CONNECTION_LIMIT;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        long n = w.concurrencyAtRejectionMax;
        boolean plateau = n > 0 && w.concurrencyAtRejectionMin >= n - 1 && w.concurrencyDuringRejections <= n + 1;
        if (w.rstRejectedAfterHandshake < cfg.connectionLimitRejections || !plateau) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "%s serves at most %d connections at a time: %d more were reset right after the handshake while %d"
                        + " were open%s. The application (or a proxy in front of it) has a connection limit of %d.",
                w.server, n, w.rstRejectedAfterHandshake, n,
                w.retriedEstablished > 0 ? String.format(Locale.ROOT, ", and %d waited in the backlog", w.retriedEstablished) : "",
                n);
        String evidence = new Evidence().put("limit", n).put("rejected_after_handshake", w.rstRejectedAfterHandshake)
                .put("open_at_rejection_min", w.concurrencyAtRejectionMin).put("open_at_rejection_max", n)
                .put("open_during_rejections_max", w.concurrencyDuringRejections).put("queued", w.retriedEstablished)
                .put("new_connections", w.newConnections)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.reset == 1")).toJson();
        return new Finding(Severity.WARNING, w.rstRejectedAfterHandshake, explanation, evidence);
    }
}

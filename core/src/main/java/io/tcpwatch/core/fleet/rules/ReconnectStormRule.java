package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code RECONNECT_STORM}: many distinct clients connect within seconds after a quiet
 * period (thundering herd after maintenance). Fires when, in a window, at least
 * {@code reconnectClients} distinct addresses completed a handshake (HyperLogLog; spoofed SYNs
 * that never complete one are a flood, not clients) and, before the window's new connections, the
 * server saw none for at least {@code reconnectQuiet}. Silence before a server's first connection
 * is unknown, not quiet.
 */
public final class ReconnectStormRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.RECONNECT_STORM;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (w.distinctClients < cfg.reconnectClients || w.quietBeforeNs < cfg.reconnectQuiet.toNanos()) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "About %d distinct clients connected to %s (%d new connections) within %.0f s after %.1f s without a new"
                        + " connection: a reconnect storm (clients coming back together, as after maintenance or a restart).",
                w.distinctClients, w.server, w.newConnections, (w.windowEndNs - w.windowStartNs) / 1e9, w.quietBeforeNs / 1e9);
        String evidence = new Evidence().put("distinct_clients", w.distinctClients).put("new_connections", w.newConnections)
                .put("quiet_seconds", w.quietBeforeNs / 1e9).put("rejected_after_handshake", w.rstRejectedAfterHandshake)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0")).toJson();
        return new Finding(Severity.WARNING, w.distinctClients, explanation, evidence);
    }
}

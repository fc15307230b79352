package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code RECONNECT_STORM}: many distinct clients come back together after a quiet period
 * (a thundering herd after maintenance or a restart). Fires when, after the server saw no new
 * connection for at least {@code reconnectQuiet}, at least {@code reconnectClients} distinct
 * addresses completed a handshake within {@code reconnectBurst} of the first new connection
 * (HyperLogLog; spoofed SYNs that never complete one are a flood, not clients). The burst is what
 * weighs the herd against the server's own rate: a server with 2 new connections a second falls
 * silent for 3 s now and then by chance, and then gets 20 clients in the rest of a 10 s window, but
 * hardly ever 20 within 3 s (decisions/0019). Silence before a server's first connection is
 * unknown, not quiet.
 */
public final class ReconnectStormRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.RECONNECT_STORM;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (w.burstClients < cfg.reconnectClients || w.burstQuietNs < cfg.reconnectQuiet.toNanos()) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "About %d distinct clients connected to %s within %s s after %.1f s without a new connection: a reconnect"
                        + " storm (clients coming back together, as after maintenance or a restart).",
                w.burstClients, w.server, seconds(cfg.reconnectBurst), w.burstQuietNs / 1e9);
        String evidence = new Evidence().put("distinct_clients", w.burstClients).put("window_distinct_clients", w.distinctClients)
                .put("new_connections", w.newConnections).put("quiet_seconds", w.burstQuietNs / 1e9)
                .put("burst_seconds", cfg.reconnectBurst.toMillis() / 1e3).put("rejected_after_handshake", w.rstRejectedAfterHandshake)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0")).toJson();
        return new Finding(Severity.WARNING, w.burstClients, explanation, evidence);
    }

    /** 3 for 3 s, 0.5 for 500 ms. */
    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
    }
}

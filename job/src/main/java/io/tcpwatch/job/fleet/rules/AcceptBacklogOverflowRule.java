package io.tcpwatch.job.fleet.rules;

import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.fleet.FleetStats;
import io.tcpwatch.job.record.Evidence;
import java.util.Locale;

/**
 * {@code ACCEPT_BACKLOG_OVERFLOW}: SYN retransmits / dropped SYNs from legitimate
 * clients that later succeed — the application is not accepting fast enough. Fires when at least
 * {@code backlogRetried} connections got in only after retransmitting their SYN and they outnumber
 * those that retried and never got in (which would look like a flood or an outage instead). This is
 * the case Linux logs as "Possible SYN flooding on port N" when it is not an attack.
 */
public final class AcceptBacklogOverflowRule implements FleetRule<FleetStats> {

    @Override
    public String type() {
        return "ACCEPT_BACKLOG_OVERFLOW";
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (w.retriedEstablished < cfg.backlogRetried || w.retriedEstablished <= w.retriedHalfOpen) {
            return null;
        }
        String port = w.server.substring(w.server.lastIndexOf(':') + 1);
        String explanation = String.format(Locale.ROOT,
                "%d connections to %s got in only after retransmitting their SYN (%d of %d established; %d gave up):"
                        + " the server's accept queue was full and dropped SYNs from legitimate clients — the"
                        + " application is not accepting connections fast enough (Linux logs \"Possible SYN flooding"
                        + " on port %s\"; it is not an attack).",
                w.retriedEstablished, w.server, w.retriedEstablished, w.established, w.retriedHalfOpen, port);
        String evidence = new Evidence().put("retried_then_established", w.retriedEstablished)
                .put("retried_never_established", w.retriedHalfOpen).put("established", w.established)
                .put("syn_retransmits", w.synRetransmits).put("distinct_clients", w.distinctClients)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.analysis.retransmission"))
                .toJson();
        return new Finding("WARNING", w.retriedEstablished, explanation, evidence);
    }
}

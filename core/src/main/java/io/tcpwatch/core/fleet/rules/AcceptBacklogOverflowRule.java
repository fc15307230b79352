package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code ACCEPT_BACKLOG_OVERFLOW}: the application does not accept connections as fast as they
 * come, and its full accept queue turns legitimate clients away while the port still answers. What
 * a full queue does on the wire (Linux counts each as {@code ListenOverflows}):
 *
 * <ul>
 *   <li>it drops SYNs: clients retransmit theirs (TCP stacks do) and get in later, or give up;</li>
 *   <li>it drops the handshake's ACK: the client thinks it is connected, the server sends its SYN/ACK
 *       again.</li>
 * </ul>
 *
 * Judged per window of SYNs, on the handshakes' outcomes 3.5 s after each SYN. Fires when at least
 * {@code backlogRetried} connections were turned away so, while the server established others (not
 * a dead listener, which resets, nor a firewall, which lets
 * no one in), and the half-open connections do not look like a flood ({@link SynFloodRule}: clients
 * of a flood retry because the flood filled the queues). Linux may log "Possible SYN flooding on
 * port N" here: it is not an attack.
 */
public final class AcceptBacklogOverflowRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.ACCEPT_BACKLOG_OVERFLOW;
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        long turnedAway = w.retriedEstablished + w.retriedPending + w.handshakeAcksIgnored;
        if (turnedAway < cfg.backlogRetried || w.established == 0 || SynFloodRule.floodLike(w, cfg)) {
            return null;
        }
        String port = w.server.substring(w.server.lastIndexOf(':') + 1);
        String explanation = String.format(Locale.ROOT,
                "The accept queue of %s was full: %d connections got in only after retransmitting their SYN, %d"
                        + " were still retrying 3.5 s after their first SYN, and %d had their handshake's ACK ignored (the server sent"
                        + " its SYN/ACK again), while %d others were established in the window — the application is not accepting"
                        + " connections fast enough (Linux counts ListenOverflows and may log \"Possible SYN flooding"
                        + " on port %s\"; it is not an attack).",
                w.server, w.retriedEstablished, w.retriedPending, w.handshakeAcksIgnored, w.established, port);
        String evidence = new Evidence().put("retried_then_established", w.retriedEstablished)
                .put("retried_pending", w.retriedPending).put("handshake_acks_ignored", w.handshakeAcksIgnored)
                .put("established", w.established).put("syn_retransmits", w.synRetransmits)
                .put("distinct_clients", w.distinctClients)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.analysis.retransmission"))
                .toJson();
        return new Finding(Severity.WARNING, turnedAway, explanation, evidence);
    }
}

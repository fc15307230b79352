package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import java.util.Set;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TcpState;

/**
 * {@code HALF_OPEN}: SYN never answered (S0) or SYN/ACK never completed, after the
 * handshake timeout.
 */
public final class HalfOpenRule implements ConnectionRule {

    @Override
    public DetectionType type() {
        return DetectionType.HALF_OPEN;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.HANDSHAKE_EXPIRED);
    }

    @Override
    public Detection evaluate(Connection c, At at) {
        long nowNs = at.nowNs();
        if (c.state != TcpState.SYN_SENT && c.state != TcpState.SYN_RECEIVED) {
            return null;
        }
        boolean answered = c.state == TcpState.SYN_RECEIVED;
        String explanation = answered
                ? String.format("The server answered the SYN with SYN/ACK but the client never completed the handshake"
                        + " within %.0f s (a spoofed or vanished client).", (nowNs - c.firstSynNs) / 1e9)
                : String.format("The client's SYN was never answered within %.0f s (server down, SYNs dropped, or"
                        + " filtered).", (nowNs - c.firstSynNs) / 1e9);
        Detection d = Detections.of(DetectionType.HALF_OPEN, Severity.WARNING, c, c.firstSynNs, c.lastNs, explanation);
        d.evidenceJson = new Evidence().time("syn", c.firstSynNs).put("syn_ack_seen", answered)
                .put("syn_retransmits", c.synRetransmits)
                .put("display_filter", Detections.displayFilter(c, null)).toJson();
        return Detections.withId(d, c);
    }
}

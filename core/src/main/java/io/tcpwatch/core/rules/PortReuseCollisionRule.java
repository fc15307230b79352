package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import java.util.Set;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TcpState;

/**
 * {@code PORT_REUSE_COLLISION}: a SYN on a 4-tuple whose previous incarnation closed
 * less than the responder's TIME_WAIT ago, answered by an ACK whose ack ≠ SYN seq+1 (challenge ACK)
 * and/or followed by the initiator's RST and SYN retransmit; evidence: previous close, gap, delay
 * added to setup. A reuse the server accepts (SYN/ACK at once) is not a collision.
 */
public final class PortReuseCollisionRule implements ConnectionRule {

    @Override
    public DetectionType type() {
        return DetectionType.PORT_REUSE_COLLISION;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.HANDSHAKE_ANSWERED, Moment.HANDSHAKE_EXPIRED);
    }

    /** When the handshake is answered, or times out unanswered; null unless the SYN collided. */
    @Override
    public Detection evaluate(Connection c, At at) {
        boolean established = at.moment() == Moment.HANDSHAKE_ANSWERED;
        if (!c.challengeAckSeen || (!established && c.state != TcpState.SYN_SENT)) {
            return null;
        }
        long nowNs = at.nowNs();
        long setupDelay = (established ? c.synAckNs : nowNs) - c.firstSynNs;
        String previous = c.intoTimeWait
                ? String.format(" whose previous connection closed %.3f s earlier and which the server still held in TIME_WAIT",
                        (c.firstSynNs - c.previousCloseNs) / 1e9)
                : "";
        String explanation = String.format("The client reused port %d on a 4-tuple%s: the server answered the SYN"
                        + " with an ACK for the old connection (ack %d instead of %d), the client sent RST and"
                        + " retried the SYN %s. The client opens connections faster than its ephemeral ports"
                        + " come out of the server's TIME_WAIT.",
                c.orig.port, previous, c.challengeAck, (c.orig.isn + 1) & 0xFFFFFFFFL,
                established ? String.format("— %.1f ms added to connection setup", setupDelay / 1e6) : "and never connected");
        Evidence ev = new Evidence().time("syn", c.firstSynNs).put("syn_seq", c.orig.isn)
                .time("challenge_ack_time", c.challengeAckNs).put("challenge_ack", c.challengeAck)
                .put("client_rst", c.origRstAfterChallenge).put("syn_retransmits", c.synRetransmits)
                .put("setup_delay_ms", setupDelay / 1e6);
        if (c.intoTimeWait) {
            ev.time("previous_close", c.previousCloseNs).put("gap_seconds", (c.firstSynNs - c.previousCloseNs) / 1e9)
                    .put("time_wait_seconds", c.previousTimeWaitNs / 1e9);
        }
        ev.put("display_filter", Detections.displayFilter(c, null));
        Detection d = Detections.of(DetectionType.PORT_REUSE_COLLISION, Severity.WARNING, c, c.firstSynNs,
                established ? c.synAckNs : nowNs, explanation);
        d.confidence = c.intoTimeWait ? 1.0 : 0.7;
        d.evidenceJson = ev.toJson();
        return Detections.withId(d, c);
    }
}

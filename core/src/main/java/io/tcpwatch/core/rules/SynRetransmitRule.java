package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import java.util.Set;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TcpState;

/**
 * {@code SYN_RETRANSMIT}: the initiator retransmits its SYN (1 s, 3 s … backoff): dropped
 * SYNs. Reported once per incarnation, when the handshake completes or times out.
 */
public final class SynRetransmitRule implements ConnectionRule {

    @Override
    public DetectionType type() {
        return DetectionType.SYN_RETRANSMIT;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.HANDSHAKE_ANSWERED, Moment.HANDSHAKE_EXPIRED);
    }

    /** When the handshake is answered, or times out unanswered (an answered one was told already). */
    @Override
    public Detection evaluate(Connection c, At at) {
        boolean established = at.moment() == Moment.HANDSHAKE_ANSWERED;
        if (c.synRetransmits == 0 || (!established && c.state != TcpState.SYN_SENT)) {
            return null;
        }
        long nowNs = at.nowNs();
        long waited = (established ? c.synAckNs : nowNs) - c.firstSynNs;
        String explanation = String.format("The client sent its SYN %d more time%s (the last %.3f s after the first)%s:"
                        + " the first SYN%s got no answer.", c.synRetransmits, c.synRetransmits == 1 ? "" : "s",
                (c.lastSynNs - c.firstSynNs) / 1e9,
                established ? String.format("; the server answered after %.3f s", waited / 1e9) : " and never got an answer",
                c.synRetransmits == 1 ? "" : "s");
        Detection d = Detections.of(DetectionType.SYN_RETRANSMIT, Severity.WARNING, c, c.firstSynNs, c.lastSynNs, explanation);
        d.evidenceJson = new Evidence().time("first_syn", c.firstSynNs).time("last_syn", c.lastSynNs)
                .put("syn_retransmits", c.synRetransmits).put("syn_seq", c.orig.isn).put("established", established)
                .put("display_filter", Detections.displayFilter(c, "tcp.flags.syn == 1 && tcp.flags.ack == 0"))
                .toJson();
        return Detections.withId(d, c);
    }
}

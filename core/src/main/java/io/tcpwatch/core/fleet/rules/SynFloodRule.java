package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code SYN_FLOOD}: SYNs that TCP stacks would not send filled the server's SYN queue — the
 * server's own "possible SYN flooding" verdict, read off the wire. Judged per window of SYNs, on the
 * handshakes' outcomes 3.5 s after each SYN:
 *
 * <ul>
 *   <li><b>Flood-like:</b> at least {@code synFloodHalfOpen} handshakes still pending after a single
 *       SYN (real stacks retransmit an unanswered SYN: Linux after 1 and 3 s, Windows after 3 s; flood
 *       tools do not), more than the pending clients that did retry.</li>
 *   <li><b>The queue overflowed:</b> the server answered with SYN cookies (SYN/ACKs it did not send
 *       again: it kept no state), or it left SYNs without an answer while the same capture shows it
 *       answering others that stay pending.</li>
 * </ul>
 *
 * A burst of spoofed SYNs the server's SYN queue absorbs is half-open connections ({@code HALF_OPEN}),
 * not this. Legitimate clients that wait in a full accept queue retransmit and get in
 * ({@link AcceptBacklogOverflowRule}).
 */
public final class SynFloodRule implements FleetRule<FleetStats> {

    @Override
    public DetectionType type() {
        return DetectionType.SYN_FLOOD;
    }

    /** Handshakes pending after a single SYN dominate, above the floor. */
    static boolean floodLike(FleetStats w, FleetConfig cfg) {
        return w.singleSynPending >= cfg.synFloodHalfOpen && w.singleSynPending > w.retriedPending;
    }

    /** The server's SYN queue overflowed: SYN cookies, or SYNs left unanswered while others were answered. */
    static boolean queueOverflowed(FleetStats w) {
        long answeredPending = w.pendingHandshakes - w.unansweredSyns;
        return w.statelessSynAcks > 0 || (w.unansweredSyns > 0 && answeredPending > 0);
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (!floodLike(w, cfg) || !queueOverflowed(w)) {
            return null;
        }
        String verdict = w.statelessSynAcks > 0
                ? String.format(Locale.ROOT, "the server answered %d of them with SYN cookies (SYN/ACKs it did not send again)",
                        w.statelessSynAcks)
                : String.format(Locale.ROOT, "the server left %d SYNs without an answer while answering others", w.unansweredSyns);
        String explanation = String.format(Locale.ROOT,
                "%d connections to %s started with a single SYN and no completed handshake: SYNs no TCP stack sends"
                        + " (stacks retransmit), and they filled the server's SYN queue — %s. Legitimate clients: %d"
                        + " got in, %d got in only after retransmitting their SYN, %d were still retrying.",
                w.singleSynPending, w.server, verdict, w.established, w.retriedEstablished, w.retriedPending);
        String evidence = new Evidence().put("single_syn_pending", w.singleSynPending)
                .put("syn_cookies", w.statelessSynAcks).put("unanswered_syns", w.unansweredSyns)
                .put("pending_handshakes", w.pendingHandshakes).put("established", w.established)
                .put("retried_then_established", w.retriedEstablished).put("retried_pending", w.retriedPending)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0")).toJson();
        return new Finding(Severity.CRITICAL, w.singleSynPending, explanation, evidence);
    }
}

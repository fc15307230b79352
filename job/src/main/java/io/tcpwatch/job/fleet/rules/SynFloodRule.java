package io.tcpwatch.job.fleet.rules;

import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.fleet.FleetStats;
import io.tcpwatch.job.record.Evidence;
import java.util.Locale;

/**
 * {@code SYN_FLOOD}: SYNs that TCP stacks would not send filled the server's SYN queue — the
 * server's own "possible SYN flooding" verdict, read off the wire.
 *
 * <ul>
 *   <li><b>Flood-like:</b> at least {@code synFloodHalfOpen} half-open connections whose client sent
 *       its SYN once (real stacks retransmit an unanswered SYN: Linux after 1, 2, 4 … s, Windows after
 *       3, 6 … s; flood tools do not), and more of them than retrying clients left out.</li>
 *   <li><b>The queue overflowed:</b> the server answered with SYN cookies (SYN/ACKs it never sent
 *       again: it kept no state), or it dropped SYNs (no SYN/ACK) while the same capture shows it
 *       answering others that never completed.</li>
 * </ul>
 *
 * A burst of spoofed SYNs the server's SYN queue absorbs is half-open connections ({@code HALF_OPEN}),
 * not this. Legitimate clients that wait in a full accept queue retransmit and get in
 * ({@link AcceptBacklogOverflowRule}). Half-open connections are counted when the tracker gives up on
 * them (its handshake timeout), so the window is when the handshakes expired.
 */
public final class SynFloodRule implements FleetRule<FleetStats> {

    @Override
    public String type() {
        return "SYN_FLOOD";
    }

    /** Half-open connections from sources that sent their SYN once dominate, above the floor. */
    static boolean floodLike(FleetStats w, FleetConfig cfg) {
        return w.halfOpenOnce >= cfg.synFloodHalfOpen && w.halfOpenOnce > w.retriedHalfOpen;
    }

    /** The server's SYN queue overflowed: SYN cookies, or SYNs dropped while others were answered. */
    static boolean queueOverflowed(FleetStats w) {
        long answeredHalfOpen = w.halfOpen - w.unansweredSyns;
        return w.statelessSynAcks > 0 || (w.unansweredSyns > 0 && answeredHalfOpen > 0);
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (!floodLike(w, cfg) || !queueOverflowed(w)) {
            return null;
        }
        String verdict = w.statelessSynAcks > 0
                ? String.format(Locale.ROOT, "the server answered %d of them with SYN cookies (SYN/ACKs it never sent again)",
                        w.statelessSynAcks)
                : String.format(Locale.ROOT, "the server dropped %d SYNs without an answer while answering others",
                        w.unansweredSyns);
        String explanation = String.format(Locale.ROOT,
                "%d connections to %s never completed the handshake after a single SYN, from about %d distinct"
                        + " addresses: SYNs no TCP stack sends (stacks retransmit), and they filled the server's SYN"
                        + " queue — %s. Legitimate clients: %d established, %d retransmitted their SYN and never got in.",
                w.halfOpenOnce, w.server, w.halfOpenSources, verdict, w.established, w.retriedHalfOpen);
        String evidence = new Evidence().put("half_open", w.halfOpen).put("half_open_single_syn", w.halfOpenOnce)
                .put("distinct_sources", w.halfOpenSources).put("syn_cookies", w.statelessSynAcks)
                .put("unanswered_syns", w.unansweredSyns).put("established", w.established)
                .put("half_open_with_syn_retransmits", w.retriedHalfOpen)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0")).toJson();
        return new Finding("CRITICAL", w.halfOpenOnce, explanation, evidence);
    }
}

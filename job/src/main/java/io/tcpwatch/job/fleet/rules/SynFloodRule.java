package io.tcpwatch.job.fleet.rules;

import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.fleet.FleetStats;
import io.tcpwatch.job.record.Evidence;
import java.util.Locale;

/**
 * {@code SYN_FLOOD}: half-open SYNs per window above a threshold from many distinct
 * sources (a HyperLogLog cardinality sketch) — attack-like. Legitimate clients that wait in a full
 * accept queue retry and get in ({@link AcceptBacklogOverflowRule}); flood sources never complete.
 * Half-open connections are counted when the tracker gives up on them (its handshake timeout), so
 * the window is when the handshakes expired.
 */
public final class SynFloodRule implements FleetRule<FleetStats> {

    @Override
    public String type() {
        return "SYN_FLOOD";
    }

    @Override
    public Finding evaluate(FleetStats w, FleetConfig cfg) {
        if (w.halfOpen < cfg.synFloodHalfOpen || w.halfOpenSources < cfg.synFloodSources) {
            return null;
        }
        String explanation = String.format(Locale.ROOT,
                "%d connections to %s never completed the handshake, from about %d distinct addresses"
                        + " (%d of them retransmitted their SYN; %d other connections were established):"
                        + " SYNs from many sources that never answer the SYN/ACK — attack-like, not a slow application.",
                w.halfOpen, w.server, w.halfOpenSources, w.retriedHalfOpen, w.established);
        String evidence = new Evidence().put("half_open", w.halfOpen).put("distinct_sources", w.halfOpenSources)
                .put("half_open_with_syn_retransmits", w.retriedHalfOpen).put("established", w.established)
                .put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0")).toJson();
        return new Finding("CRITICAL", w.halfOpen, explanation, evidence);
    }
}

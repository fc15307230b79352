package io.tcpwatch.core.fleet;

import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.core.record.RstOrigin;

/** The JSON of a {@code tcp.fleet-stats} record; field names and types as in schemas/fleet-stats.schema.json. */
public final class FleetStatsJson {

    private FleetStatsJson() {}

    public static String of(FleetStats w) {
        return RecordJson.object(j -> {
            j.writeStringField("server", w.server);
            j.writeStringField("window_start", RecordJson.isoMillis(w.windowStartNs));
            j.writeStringField("window_end", RecordJson.isoMillis(w.windowEndNs));
            j.writeStringField("observers", w.observers);
            j.writeNumberField("new", w.newConnections);
            j.writeNumberField("established", w.established);
            j.writeNumberField("closed", w.closed);
            j.writeObjectFieldStart("rsts");
            long[] byCause = w.rstsByCause();
            for (int i = 0; i < byCause.length; i++) {
                j.writeNumberField(FleetStats.RST_CAUSES[i], byCause[i]);
            }
            j.writeEndObject();
            j.writeObjectFieldStart("rst_origins");
            j.writeNumberField(RstOrigin.ENDPOINT_STACK.name(), w.rstByStack);
            j.writeNumberField(RstOrigin.ENDPOINT_APP.name(), w.rstByApp);
            j.writeNumberField(RstOrigin.MIDDLEBOX_SUSPECT.name(), w.rstByMiddlebox);
            j.writeEndObject();
            j.writeArrayFieldStart("top_rst_clients");
            for (FleetStats.ClientCount c : w.topRstClients(5)) {
                j.writeStartObject();
                j.writeStringField("client", c.client());
                j.writeNumberField("rsts", c.count());
                j.writeEndObject();
            }
            j.writeEndArray();
            j.writeNumberField("rst_baseline", Math.round(w.rstBaseline * 1000) / 1000.0);
            j.writeNumberField("half_open", w.halfOpen);
            j.writeNumberField("half_open_sources", w.halfOpenSources);
            j.writeNumberField("syn_retransmits", w.synRetransmits);
            j.writeNumberField("retried_established", w.retriedEstablished);
            j.writeNumberField("retried_half_open", w.retriedHalfOpen);
            j.writeNumberField("pending_handshakes", w.pendingHandshakes);
            j.writeNumberField("single_syn_pending", w.singleSynPending);
            j.writeNumberField("retried_pending", w.retriedPending);
            j.writeNumberField("unanswered_syns", w.unansweredSyns);
            j.writeNumberField("stateless_syn_acks", w.statelessSynAcks);
            j.writeNumberField("handshake_acks_ignored", w.handshakeAcksIgnored);
            j.writeNumberField("zero_window_stalls", w.zeroWindowStalls);
            j.writeNumberField("responses", w.responses);
            j.writeObjectFieldStart("response_ms");
            j.writeNumberField("p50", Math.round(w.responseP50Ms * 1000) / 1000.0);
            j.writeNumberField("p90", Math.round(w.responseP90Ms * 1000) / 1000.0);
            j.writeNumberField("p99", Math.round(w.responseP99Ms * 1000) / 1000.0);
            j.writeNumberField("baseline_p90", Math.round(w.responseBaselineP90Ms * 1000) / 1000.0);
            j.writeEndObject();
            j.writeNumberField("retransmissions", w.retransmissions);
            j.writeNumberField("data_segments", w.dataSegments);
            j.writeNumberField("retransmission_rate", Math.round(w.retransmissionRate() * 10_000) / 10_000.0);
            j.writeNumberField("concurrency_high_water", w.concurrencyHighWater);
            if (w.concurrencyAtRejectionMax >= 0) {
                j.writeNumberField("concurrency_at_rejection_min", w.concurrencyAtRejectionMin);
                j.writeNumberField("concurrency_at_rejection_max", w.concurrencyAtRejectionMax);
            }
            j.writeNumberField("distinct_clients", w.distinctClients);
            j.writeNumberField("quiet_before_seconds", Math.round(w.quietBeforeNs / 1e6) / 1000.0);
            j.writeNumberField("burst_clients", w.burstClients);
            j.writeNumberField("burst_quiet_seconds", Math.round(w.burstQuietNs / 1e6) / 1000.0);
            j.writeNumberField("late_events", w.lateEvents);
        });
    }
}

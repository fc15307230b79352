package io.tcpwatch.job.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tcpwatch.job.fleet.FleetStats;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The JSON of {@code tcp.detections}, {@code tcp.connections} and {@code tcp.fleet-stats} records,
 * one object per message or line; field names and types as published in schemas/
 * (detection.schema.json, connection.schema.json, fleet-stats.schema.json). Connection records
 * use Zeek conn.log names.
 */
public final class RecordJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RecordJson() {}

    public static String detection(Detection d) {
        return write(j -> {
            j.writeStringField("id", d.id);
            j.writeStringField("type", d.type);
            if (d.status != null) {
                j.writeStringField("status", d.status);
            }
            j.writeStringField("severity", d.severity);
            j.writeStringField("observer", d.observer);
            j.writeStringField("server", d.server);
            if (d.client != null) {
                j.writeStringField("client", d.client);
            }
            j.writeStringField("start", isoMillis(d.startNs));
            j.writeStringField("end", isoMillis(d.endNs));
            j.writeStringField("explanation", d.explanation);
            if (d.cause != null) {
                j.writeStringField("cause", d.cause);
                j.writeStringField("origin", d.origin);
            }
            j.writeNumberField("confidence", d.confidence);
            j.writeFieldName("evidence");
            j.writeRawValue(d.evidenceJson);
        });
    }

    public static String connection(ConnectionRecord r) {
        return write(j -> {
            j.writeNumberField("ts", r.tsNs / 1_000_000_000L + (r.tsNs % 1_000_000_000L) / 1e9);
            j.writeStringField("uid", r.uid);
            j.writeStringField("id.orig_h", r.origHost);
            j.writeNumberField("id.orig_p", r.origPort);
            j.writeStringField("id.resp_h", r.respHost);
            j.writeNumberField("id.resp_p", r.respPort);
            j.writeNumberField("duration", r.durationNs / 1e9);
            j.writeNumberField("orig_bytes", r.origBytes);
            j.writeNumberField("resp_bytes", r.respBytes);
            j.writeStringField("conn_state", r.connState);
            j.writeStringField("history", r.history);
            j.writeNumberField("orig_pkts", r.origPkts);
            j.writeNumberField("resp_pkts", r.respPkts);
            j.writeStringField("observer", r.observer);
            j.writeStringField("close_cause", r.closeCause);
            j.writeNumberField("retransmissions", r.retransmissions);
            j.writeNumberField("syn_retransmits", r.synRetransmits);
        });
    }

    public static String fleetStats(FleetStats w) {
        return write(j -> {
            j.writeStringField("server", w.server);
            j.writeStringField("window_start", isoMillis(w.windowStartNs));
            j.writeStringField("window_end", isoMillis(w.windowEndNs));
            j.writeNumberField("new", w.newConnections);
            j.writeNumberField("established", w.established);
            j.writeNumberField("closed", w.closed);
            j.writeObjectFieldStart("rsts");
            j.writeNumberField("REFUSED", w.rstRefused);
            j.writeNumberField("REJECTED_AFTER_HANDSHAKE", w.rstRejectedAfterHandshake);
            j.writeNumberField("ABORTIVE_CLOSE", w.rstAbortiveClose);
            j.writeNumberField("RST_AFTER_FIN", w.rstAfterFin);
            j.writeNumberField("IDLE_TIMEOUT", w.rstIdleTimeout);
            j.writeNumberField("CHALLENGE_ACK_REPLY", w.rstChallengeAckReply);
            j.writeNumberField("DATA_AFTER_RST", w.rstDataAfterRst);
            j.writeNumberField("OTHER", w.rstOther);
            j.writeEndObject();
            j.writeNumberField("half_open", w.halfOpen);
            j.writeNumberField("syn_retransmits", w.synRetransmits);
            j.writeNumberField("zero_window_stalls", w.zeroWindowStalls);
            j.writeNumberField("retransmission_rate", Math.round(w.retransmissionRate() * 10_000) / 10_000.0);
            j.writeNumberField("concurrency_high_water", w.concurrencyHighWater);
            j.writeNumberField("distinct_clients", w.distinctClients);
        });
    }

    /** ISO-8601 UTC with milliseconds, as the detection schema specifies. */
    public static String isoMillis(long tsNanos) {
        return Instant.ofEpochSecond(0, tsNanos).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private interface Body {
        void write(JsonGenerator j) throws IOException;
    }

    private static String write(Body body) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator j = JSON.createGenerator(w)) {
            j.writeStartObject();
            body.write(j);
            j.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }
}

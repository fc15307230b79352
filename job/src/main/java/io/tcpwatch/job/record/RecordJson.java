package io.tcpwatch.job.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The JSON of {@code tcp.detections} and {@code tcp.connections} records, one object per message
 * or line; field names and types as published in schemas/ (detection.schema.json,
 * connection.schema.json). Connection records use Zeek conn.log names.
 */
public final class RecordJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RecordJson() {}

    public static String detection(Detection d) {
        return write(j -> {
            j.writeStringField("id", d.id);
            j.writeStringField("type", d.type);
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

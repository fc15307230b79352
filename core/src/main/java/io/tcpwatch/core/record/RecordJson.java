package io.tcpwatch.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tcpwatch.schema.Addresses;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The JSON of {@code tcp.detections}, {@code tcp.connections}, late-segment and dead-letter records,
 * one object per message or line; field names and types as published in schemas/
 * (detection.schema.json, connection.schema.json). Connection records
 * use Zeek conn.log names.
 */
public final class RecordJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RecordJson() {}

    public static String detection(Detection d) {
        return object(j -> {
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
            if (d.packets != null && !d.packets.isEmpty()) {
                j.writeArrayFieldStart("packets");
                for (SegmentHeader p : d.packets) {
                    packet(j, p);
                }
                j.writeEndArray();
            }
        });
    }

    /** One segment header of a detection: Wireshark's names where it has them (tcp.flags as names, tcp.len). */
    private static void packet(JsonGenerator j, SegmentHeader p) throws IOException {
        j.writeStartObject();
        j.writeStringField("time", Instant.ofEpochSecond(0, p.tsNs).toString());
        j.writeStringField("from", p.fromClient ? "client" : "server");
        j.writeStringField("flags", TcpFlags.describe(p.flags));
        j.writeNumberField("seq", p.seq);
        j.writeNumberField("ack", p.ack);
        j.writeNumberField("win", p.window);
        j.writeNumberField("len", p.len);
        j.writeNumberField("n", p.n);
        if (p.previous) {
            j.writeBooleanField("previous_connection", true);
        }
        j.writeEndObject();
    }

    public static String connection(ConnectionRecord r) {
        return object(j -> {
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
            if (r.tunnel != null) {
                j.writeStringField("tunnel", r.tunnel);
            }
            j.writeStringField("close_cause", r.closeCause);
            j.writeNumberField("retransmissions", r.retransmissions);
            j.writeNumberField("syn_retransmits", r.synRetransmits);
        });
    }

    /** A late segment: who saw it, the 4-tuple and header fields, and how far behind the watermark it was. */
    public static String lateSegment(LateSegment l) {
        Segment s = l.segment;
        return object(j -> {
            j.writeStringField("observer", s.observer);
            j.writeStringField("time", Instant.ofEpochSecond(0, s.tsNanos).toString());
            j.writeNumberField("ts_ns", s.tsNanos);
            j.writeStringField("src", Addresses.format(s.srcAddr));
            j.writeNumberField("src_port", s.srcPort);
            j.writeStringField("dst", Addresses.format(s.dstAddr));
            j.writeNumberField("dst_port", s.dstPort);
            j.writeStringField("flags", TcpFlags.describe(s.flags));
            j.writeNumberField("seq", s.seq);
            j.writeNumberField("ack", s.ack);
            j.writeNumberField("payload_len", s.payloadLen);
            j.writeStringField("watermark", isoMillis(l.watermarkMs * 1_000_000L));
            j.writeNumberField("behind_ms", l.behindMs());
            j.writeStringField("reason", "its capture time was " + l.behindMs()
                    + " ms behind the job's event time when it arrived (the observer's clock runs behind, or it was delayed)");
        });
    }

    public static String deadLetter(DeadLetter d) {
        return object(j -> {
            j.writeStringField("topic", d.topic);
            j.writeNumberField("partition", d.partition);
            j.writeNumberField("offset", d.offset);
            j.writeNumberField("timestamp_ms", d.timestampMs);
            j.writeStringField("reason", d.reason);
            j.writeStringField("detail", d.detail);
            j.writeNumberField("value_length", d.valueLength);
            j.writeStringField("value_head_base64", d.valueHead);
        });
    }

    /** ISO-8601 UTC with milliseconds, as the detection schema specifies. */
    public static String isoMillis(long tsNanos) {
        return Instant.ofEpochSecond(0, tsNanos).truncatedTo(ChronoUnit.MILLIS).toString();
    }

    /** Writes one field after another of a JSON object. */
    public interface Body {
        void write(JsonGenerator j) throws IOException;
    }

    /** One JSON object, its fields written by {@code body}. */
    public static String object(Body body) {
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

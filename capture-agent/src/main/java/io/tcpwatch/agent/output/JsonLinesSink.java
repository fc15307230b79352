package io.tcpwatch.agent.output;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tcpwatch.schema.Addresses;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One JSON object per segment and line, with the Avro schema's field names; addresses in text
 * form, flags by name ("SYN,ACK"), optional fields only when present. For people and for scripts:
 * {@code tcpwatch agent --read f.pcap --print | jq 'select(.flags | contains("RST"))'}.
 */
public final class JsonLinesSink implements SegmentSink {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private final JsonGenerator json;
    private final StringBuilder addr = new StringBuilder(48);

    public JsonLinesSink(OutputStream out) {
        try {
            json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            json.setRootValueSeparator(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(Segment s) {
        try {
            JsonGenerator j = json;
            j.writeStartObject();
            j.writeStringField("observer", s.observer);
            j.writeNumberField("ts_ns", s.tsNanos);
            j.writeStringField("time", Instant.ofEpochSecond(0, s.tsNanos).toString());
            j.writeNumberField("ip_version", s.ipVersion);
            j.writeStringField("src_addr", text(s.srcAddr));
            j.writeNumberField("src_port", s.srcPort);
            j.writeStringField("dst_addr", text(s.dstAddr));
            j.writeNumberField("dst_port", s.dstPort);
            j.writeNumberField("seq", s.seq);
            j.writeNumberField("ack", s.ack);
            j.writeStringField("flags", TcpFlags.describe(s.flags));
            j.writeNumberField("window", s.window);
            optional(j, "window_scale", s.windowScale);
            j.writeNumberField("payload_len", s.payloadLen);
            j.writeNumberField("ttl", s.ttl);
            optional(j, "ip_id", s.ipId);
            optional(j, "mss", s.mss);
            if (s.sackPermitted) {
                j.writeBooleanField("sack_permitted", true);
            }
            if (s.sackBlocks.length > 0) {
                j.writeFieldName("sack_blocks");
                j.writeArray(s.sackBlocks, 0, s.sackBlocks.length);
            }
            if (s.hasTimestamps) {
                j.writeNumberField("ts_val", s.tsVal);
                j.writeNumberField("ts_ecr", s.tsEcr);
            }
            if (s.iface != null) {
                j.writeStringField("interface", s.iface);
            }
            if (s.tunnel != null) {
                j.writeStringField("tunnel", s.tunnel);
            }
            j.writeEndObject();
            j.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void optional(JsonGenerator j, String name, int v) throws IOException {
        if (v != Segment.ABSENT) {
            j.writeNumberField(name, v);
        }
    }

    private String text(byte[] a) {
        addr.setLength(0);
        Addresses.append(addr, a);
        return addr.toString();
    }

    @Override
    public void close() {
        try {
            json.flush();
        } catch (IOException e) {
            // stdout closed (e.g. piped into head): nothing more to say
        }
    }
}

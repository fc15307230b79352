package io.tcpwatch.agent.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tcpwatch.capture.parse.SkipReason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * One snapshot of the agent's counters, published every interval on {@code tcp.agent-stats} and
 * logged. Counters are cumulative since start (consumers take differences), so a lost record
 * loses no information.
 *
 * <p>Accounting: {@code packets_seen = parsed + Σ skipped}; for Kafka, {@code parsed = queued +
 * sent + send_errors + dropped + unsent_at_exit (+ in flight)}, where {@code queued} counts the
 * segments in open flow batches and in the publisher's queue. libpcap's {@code pcap_dropped}
 * and {@code pcap_ifdropped} are frames the kernel lost before the agent saw them.
 */
public record AgentStats(
        String observer,
        Instant time,
        String source,
        long packetsSeen,
        Long pcapReceived,
        Long pcapDropped,
        Long pcapIfDropped,
        long parsed,
        Map<SkipReason, Long> skipped,
        long optionsIncomplete,
        long queued,
        long sent,
        long dropped,
        long sendErrors,
        long unsentAtExit) {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    public String toJson() {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator j = JSON.createGenerator(w)) {
            j.writeStartObject();
            j.writeStringField("observer", observer);
            j.writeStringField("time", time.toString());
            j.writeNumberField("ts_ms", time.toEpochMilli());
            j.writeStringField("source", source);
            j.writeNumberField("packets_seen", packetsSeen);
            if (pcapReceived != null) {
                j.writeNumberField("pcap_received", pcapReceived);
                j.writeNumberField("pcap_dropped", pcapDropped);
                j.writeNumberField("pcap_ifdropped", pcapIfDropped);
            }
            j.writeNumberField("parsed", parsed);
            j.writeObjectFieldStart("skipped");
            for (Map.Entry<SkipReason, Long> e : skipped.entrySet()) {
                j.writeNumberField(e.getKey().name(), e.getValue());
            }
            j.writeEndObject();
            j.writeNumberField("options_incomplete", optionsIncomplete);
            j.writeNumberField("queued", queued);
            j.writeNumberField("sent", sent);
            j.writeNumberField("dropped", dropped);
            j.writeNumberField("send_errors", sendErrors);
            j.writeNumberField("unsent_at_exit", unsentAtExit);
            j.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** One human line for the log. */
    public String toLine() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("packets %,d  segments %,d  skipped %,d", packetsSeen, parsed,
                skipped.values().stream().mapToLong(Long::longValue).sum()));
        if (pcapReceived != null) {
            sb.append(String.format("  libpcap dropped %,d  if-dropped %,d", pcapDropped, pcapIfDropped));
        }
        sb.append(String.format("  sent %,d  queued %,d  dropped %,d  send errors %,d", sent, queued, dropped, sendErrors));
        if (unsentAtExit > 0) {
            sb.append(String.format("  unsent at exit %,d", unsentAtExit));
        }
        return sb.toString();
    }
}

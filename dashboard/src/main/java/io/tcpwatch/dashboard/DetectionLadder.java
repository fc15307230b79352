package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpwatch.core.ladder.Ladder;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.schema.TcpFlags;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The ladder of a detection record's {@code packets}, read as the detection schema writes them; a
 * packet that cannot be read is an {@link IllegalArgumentException} (the API answers 400 with it).
 */
final class DetectionLadder {

    private DetectionLadder() {}

    static Ladder of(JsonNode detection) {
        List<SegmentHeader> packets = new ArrayList<>();
        for (JsonNode p : detection.path("packets")) {
            SegmentHeader h = new SegmentHeader();
            Instant t;
            try {
                t = Instant.parse(p.path("time").asText());
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("detection " + detection.path("id").asText()
                        + " has a packet without a readable time: " + p.path("time").asText());
            }
            h.tsNs = t.getEpochSecond() * 1_000_000_000L + t.getNano();
            h.fromClient = p.path("from").asText().equals("client");
            h.flags = TcpFlags.parse(p.path("flags").asText());
            h.seq = p.path("seq").asLong();
            h.ack = p.path("ack").asLong();
            h.window = p.path("win").asInt();
            h.len = p.path("len").asInt();
            h.n = p.path("n").asInt();
            h.previous = p.path("previous_connection").asBoolean(false);
            packets.add(h);
        }
        return Ladder.of(detection.path("client").asText(), detection.path("server").asText(), packets);
    }
}

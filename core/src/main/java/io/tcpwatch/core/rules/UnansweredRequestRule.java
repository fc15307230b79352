package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import java.util.Set;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TrackerConfig;

/**
 * {@code UNANSWERED_REQUEST}, decided when the connection ends: the handshake completed, the
 * client sent one request, the server's TCP stack acknowledged all of it, the server never sent a
 * byte, and the client gave up (FIN or RST) after waiting at least {@code unansweredRequest} (10 s
 * by default). The kernel held the connection; the application never served it — it stopped
 * accepting (the connection waited in the accept queue), had no free worker, or hung.
 *
 * <p>Deliberately narrow: a client that sent more data after the acknowledgement was not waiting
 * (syslog or metrics streams over TCP never get an answer), a server that sent anything served the
 * connection, and a client that waits forever is not reported (nothing tells it from a long-poll).
 */
public final class UnansweredRequestRule implements ConnectionRule {

    @Override
    public DetectionType type() {
        return DetectionType.UNANSWERED_REQUEST;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.END);
    }

    /** At the end of {@code c}: the finding, or null. */
    @Override
    public Detection evaluate(Connection c, At at) {
        TrackerConfig cfg = at.cfg();
        long gaveUpNs = c.orig.finNs != 0 ? c.orig.finNs : c.rstSide == 1 ? c.rstNs : 0;
        if (c.establishedNs == 0 || c.requestAckedNs == 0 || c.requestMore || c.resp.bytes > 0 || gaveUpNs == 0) {
            return null;
        }
        long waited = gaveUpNs - c.requestAckedNs;
        if (waited < cfg.unansweredRequest.toNanos()) {
            return null;
        }
        String explanation = String.format("The server's TCP stack acknowledged the client's request, but the server never"
                        + " sent a byte; the client gave up after %.1f s and %s. The kernel held the connection, the"
                        + " application never served it: not accepted from a full accept queue, no free worker, or hung.",
                waited / 1e9, c.orig.finNs != 0 ? "closed" : "reset it");
        Detection d = Detections.of(DetectionType.UNANSWERED_REQUEST, Severity.WARNING, c, c.requestNs, gaveUpNs, explanation);
        d.evidenceJson = new Evidence().time("request", c.requestNs).time("request_acked", c.requestAckedNs)
                .time("client_gave_up", gaveUpNs).put("waited_seconds", waited / 1e9).put("request_bytes", c.orig.bytes)
                .put("display_filter", Detections.displayFilter(c, "(tcp.len > 0 || tcp.flags.fin == 1 || tcp.flags.reset == 1)"))
                .toJson();
        return Detections.withId(d, c);
    }
}

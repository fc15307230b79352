package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import java.util.Set;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TrackerConfig;

/**
 * {@code ZERO_WINDOW_STALL}: a receiver advertises window 0 for ≥ 200 ms while the sender
 * has data (zero-window probes), with duration; the real "receiver not reading" signal.
 */
public final class ZeroWindowStallRule implements ConnectionRule {

    @Override
    public DetectionType type() {
        return DetectionType.ZERO_WINDOW_STALL;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.WINDOW_REOPENED, Moment.END);
    }

    /** When the stalled side reopens its window, or when the connection ends with it still closed. */
    @Override
    public Detection evaluate(Connection c, At at) {
        boolean reopened = at.moment() == Moment.WINDOW_REOPENED;
        long endNs = reopened ? at.nowNs() : c.lastNs;
        TrackerConfig cfg = at.cfg();
        long duration = endNs - c.zeroWindowStartNs;
        if (c.zeroWindowSide == 0 || c.zeroWindowProbes == 0 || duration < cfg.zeroWindowStall.toNanos()) {
            return null;
        }
        boolean receiverIsServer = c.zeroWindowSide == 2;
        String explanation = String.format("The %s advertised a zero window for %.3f s%s while the %s had data to send"
                        + " (%d zero-window probe%s): the receiving application stopped reading.",
                receiverIsServer ? "server" : "client", duration / 1e9, reopened ? "" : " (still closed at the end)",
                receiverIsServer ? "client" : "server", c.zeroWindowProbes, c.zeroWindowProbes == 1 ? "" : "s");
        Detection d = Detections.of(DetectionType.ZERO_WINDOW_STALL, Severity.WARNING, c, c.zeroWindowStartNs, endNs, explanation);
        d.evidenceJson = new Evidence().time("window_closed", c.zeroWindowStartNs).time("window_reopened", endNs)
                .put("stall_seconds", duration / 1e9).put("probes", c.zeroWindowProbes).put("reopened", reopened)
                .put("receiver", receiverIsServer ? "server" : "client")
                .put("display_filter", Detections.displayFilter(c, "(tcp.window_size_value == 0 || tcp.analysis.zero_window_probe || tcp.analysis.keep_alive)"))
                .toJson();
        return Detections.withId(d, c);
    }
}

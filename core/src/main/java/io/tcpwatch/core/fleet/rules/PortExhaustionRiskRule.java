package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.Severity;
import java.util.Locale;

/**
 * {@code PORT_EXHAUSTION_RISK}: for a client→server pair, new-connection rate × TIME_WAIT
 * duration ≥ X% of the ephemeral range (Linux 32768–60999 = 28232 ports; Windows 49152–65535),
 * and nothing else: a port-reuse collision is a finding of its own ({@code PORT_REUSE_COLLISION}),
 * which a client binding fixed ports meets without any shortage of ports. Ports held is measured as closes × the TIME_WAIT each left,
 * per second of window (Little's law), with the active closer's TIME_WAIT; the range is the
 * client's, told by its TTL. Reports the rate, the budget, and how long the range lasts at this rate (or the rate at which it
 * would run out).
 */
public final class PortExhaustionRiskRule implements FleetRule<PairStats> {

    @Override
    public DetectionType type() {
        return DetectionType.PORT_EXHAUSTION_RISK;
    }

    @Override
    public Finding evaluate(PairStats w, FleetConfig cfg) {
        int range = cfg.ephemeralPorts(w.clientTtl);
        double held = w.portsHeld();
        double budget = cfg.exhaustionFraction * range;
        if (held < budget) {
            return null;
        }
        double rate = w.connectionRate();
        double timeWait = w.timeWaitCloses == 0 ? 0 : w.timeWaitNsSum / 1e9 / w.timeWaitCloses;
        // from empty, the range is used up after range / rate seconds unless TIME_WAIT returns ports first
        boolean exhausting = rate > 0 && rate * timeWait >= range;
        double exhaustingRate = timeWait > 0 ? range / timeWait : Double.POSITIVE_INFINITY;
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "%s opened %.1f connections/s to %s; with %.0f s of TIME_WAIT after each close, about %.0f of the"
                        + " client's %d ephemeral ports are held (%.0f%%; budget %.0f%%).",
                w.client, rate, w.server, timeWait, held, range, 100 * held / range, 100 * cfg.exhaustionFraction));
        if (exhausting) {
            text.append(String.format(Locale.ROOT, " At this rate the range is exhausted in %.0f s.", range / rate));
        } else if (Double.isFinite(exhaustingRate) && rate > 0) {
            text.append(String.format(Locale.ROOT, " The range runs out at %.0f connections/s (%.1f× this rate).",
                    exhaustingRate, exhaustingRate / rate));
        }
        if (w.portReuseCollisions > 0) {
            text.append(String.format(Locale.ROOT, " %d new connection%s already collided with a previous connection"
                    + " still in TIME_WAIT.", w.portReuseCollisions, w.portReuseCollisions == 1 ? "" : "s"));
        }
        Evidence ev = new Evidence().put("connections_per_second", rate).put("time_wait_seconds", timeWait)
                .put("ports_held", held).put("ephemeral_ports", range).put("budget_ports", budget)
                .put("port_reuse_collisions", w.portReuseCollisions);
        if (exhausting) {
            ev.put("seconds_to_exhaustion", range / rate);
        }
        if (Double.isFinite(exhaustingRate)) {
            ev.put("exhausting_connections_per_second", exhaustingRate);
        }
        ev.put("display_filter", FleetFilters.of(w, "tcp.flags.syn == 1 && tcp.flags.ack == 0"));
        Severity severity = exhausting ? Severity.CRITICAL : Severity.WARNING;
        return new Finding(severity, held, text.toString(), ev.toJson());
    }
}

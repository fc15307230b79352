package io.tcpwatch.job.analyze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tcpwatch.job.fleet.FleetStats;
import io.tcpwatch.job.record.ConnectionRecord;
import io.tcpwatch.job.record.Detection;
import io.tcpwatch.job.record.DetectionType;
import io.tcpwatch.job.record.EpisodeStatus;
import io.tcpwatch.job.record.RecordJson;
import io.tcpwatch.job.record.RstCause;
import io.tcpwatch.job.record.Severity;
import io.tcpwatch.job.rules.Detections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The report a person reads top to bottom: the diagnosis (fleet-wide episodes first, then root
 * causes ranked by how many connections they hurt, with evidence and remedy; an RST storm made
 * only of those causes or of normal closes folded under them; normal symptoms said to be normal), a summary per
 * server endpoint (with the peak of concurrently established connections from the fleet windows),
 * then the detections by type with explanation, evidence and Wireshark filter.
 */
final class AnalyzeReport {
    private static final int EXAMPLES = 3;
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** An RST storm's count of one cause in its evidence: {@code "cause_X":n}. */
    private static final Pattern STORM_CAUSE = Pattern.compile("\"cause_([A-Z_]+)\":(\\d+)");

    private AnalyzeReport() {}

    /** One group of findings: a type (and RST cause) at one server. */
    private record Finding(DetectionType type, RstCause cause, String server, List<Detection> detections) {
        /** Connections hurt: per-connection detections come one per connection incarnation. */
        long clients() {
            return detections.size();
        }
    }

    static String render(String header, List<Detection> detections, List<ConnectionRecord> connections,
                         List<FleetStats> fleetStats) {
        StringBuilder out = new StringBuilder();
        out.append(header).append("\n\n");

        // a collision's SYN retransmit is part of the collision, not a second root cause
        Set<String> collisions = detections.stream().filter(d -> is(d, DetectionType.PORT_REUSE_COLLISION))
                .map(d -> d.client + "|" + d.server + "|" + d.startNs).collect(Collectors.toSet());
        Map<String, Finding> groups = new LinkedHashMap<>();
        List<Detection> perConnection = detections.stream().filter(d -> d.status == null).toList();
        for (Detection d : perConnection) {
            if (is(d, DetectionType.SYN_RETRANSMIT) && collisions.contains(d.client + "|" + d.server + "|" + d.startNs)) {
                continue;
            }
            groups.computeIfAbsent(d.type + "|" + d.cause + "|" + d.server,
                    k -> new Finding(DetectionType.of(d.type), d.cause == null ? null : RstCause.of(d.cause), d.server,
                            new ArrayList<>())).detections().add(d);
        }
        List<Finding> faults = groups.values().stream().filter(f -> !Remedies.isNormal(f.type(), f.cause()))
                .sorted(Comparator.comparingLong(Finding::clients).reversed()).toList();
        List<Finding> normal = groups.values().stream().filter(f -> Remedies.isNormal(f.type(), f.cause())).toList();

        out.append("Diagnosis\n");
        List<Detection> episodes = new ArrayList<>(worstOfEachEpisode(detections));
        // an RST storm whose resets are all findings below, or normal closes, is their sum, not a cause of its own;
        // a retransmission surge during zero-window stalls is the sender's window probes, not loss
        List<Detection> explained = episodes.stream().filter(e -> (is(e, DetectionType.RST_STORM) && explainedStorm(e, faults))
                || (is(e, DetectionType.RETRANSMISSION_SURGE) && stalledDuring(e, detections))).toList();
        episodes.removeAll(explained);
        if (faults.isEmpty() && episodes.isEmpty()) {
            out.append("  No faults found").append(normal.isEmpty() ? "." : "; only normal behaviour, below.").append('\n');
        }
        int rank = 1;
        for (Detection e : episodes) { // fleet-wide first: they name the incident the connections below are part of
            out.append(String.format("  %d. %s — %s%s (%s, %s → %s)%n", rank++, Remedies.title(DetectionType.of(e.type), null), e.server,
                    e.client == null ? "" : " from " + e.client, e.severity, RecordJson.isoMillis(e.startNs),
                    RecordJson.isoMillis(e.endNs)));
            out.append("     ").append(e.explanation).append('\n');
            out.append("     Try: ").append(Remedies.remedy(DetectionType.of(e.type), null)).append('\n');
            out.append("     Wireshark: ").append(filterOf(e)).append('\n');
        }
        for (Finding f : faults) {
            Detection first = f.detections().get(0);
            out.append(String.format("  %d. %s — %d connection%s to %s%n", rank++, Remedies.title(f.type(), f.cause()),
                    f.clients(), f.clients() == 1 ? "" : "s", f.server()));
            out.append("     ").append(first.explanation).append('\n');
            out.append("     Try: ").append(Remedies.remedy(f.type(), f.cause())).append('\n');
            out.append("     Wireshark: ").append(f.clients() == 1 ? filterOf(first) : serverFilter(f)).append('\n');
        }
        if (!explained.isEmpty()) {
            out.append("\n  Explained by the findings above:\n");
            for (Detection e : explained) {
                String why = is(e, DetectionType.RST_STORM)
                        ? "its resets are " + String.join(", ", stormCauses(e).entrySet().stream()
                                .map(c -> c.getValue() + " " + c.getKey()).toList()) + ", each a finding above or a normal close"
                        : "its retransmissions are the sender's zero-window probes during the stalls above, not loss";
                out.append(String.format("  - %s — %s%s (%s, %s → %s): %s.%n", Remedies.title(DetectionType.of(e.type), null), e.server,
                        e.client == null ? "" : " from " + e.client, e.severity, RecordJson.isoMillis(e.startNs),
                        RecordJson.isoMillis(e.endNs), why));
            }
        }
        if (!normal.isEmpty()) {
            out.append("\n  Normal, not a fault:\n");
            for (Finding f : normal) {
                out.append(String.format("  - %s — %d connection%s to %s. %s%n", Remedies.title(f.type(), f.cause()),
                        f.clients(), f.clients() == 1 ? "" : "s", f.server(), Remedies.remedy(f.type(), f.cause())));
            }
        }

        out.append("\nServers\n");
        Map<String, Long> peak = fleetStats.stream().collect(Collectors.toMap(w -> w.server, w -> w.concurrencyHighWater,
                Math::max));
        // response time: the slowest 10 s window's 90th percentile, client's request → server's first byte
        Map<String, Double> slowest = fleetStats.stream().filter(w -> w.responses > 0).collect(Collectors.toMap(
                w -> w.server, w -> w.responseP90Ms, Math::max));
        out.append(String.format("  %-28s %7s %6s %6s %6s %6s %6s %9s %10s %13s%n", "endpoint", "conns", "SF", "REJ", "RSTO",
                "RSTR", "other", "retrans", "peak conc", "resp p90 ms"));
        Map<String, List<ConnectionRecord>> byServer = connections.stream().collect(Collectors.groupingBy(
                ConnectionRecord::server, TreeMap::new, Collectors.toList()));
        byServer.entrySet().stream().sorted(Comparator.comparingInt(e -> -e.getValue().size())).limit(20).forEach(e -> {
            List<ConnectionRecord> rs = e.getValue();
            long sf = count(rs, "SF");
            long rej = count(rs, "REJ");
            long rsto = count(rs, "RSTO");
            long rstr = count(rs, "RSTR");
            Double p90 = slowest.get(e.getKey());
            out.append(String.format("  %-28s %7d %6d %6d %6d %6d %6d %9d %10d %13s%n", e.getKey(), rs.size(), sf, rej, rsto, rstr,
                    rs.size() - sf - rej - rsto - rstr, rs.stream().mapToLong(r -> r.retransmissions).sum(),
                    peak.getOrDefault(e.getKey(), 0L), p90 == null ? "—" : String.format("%.1f", p90)));
        });
        if (byServer.size() > 20) {
            out.append(String.format("  … and %d more endpoints (--connections lists every connection)%n", byServer.size() - 20));
        }

        out.append("\nDetections by type\n");
        if (perConnection.isEmpty()) {
            out.append("  none\n");
        }
        Map<String, List<Detection>> byType = perConnection.stream().collect(Collectors.groupingBy(
                d -> d.cause == null ? d.type : d.type + " / " + d.cause, TreeMap::new, Collectors.toList()));
        byType.forEach((type, ds) -> {
            out.append(String.format("  %s (%d)%n", type, ds.size()));
            ds.stream().sorted(Comparator.comparingLong(d -> d.startNs)).limit(EXAMPLES).forEach(d -> {
                out.append(String.format("    %s  %s → %s%s%n", RecordJson.isoMillis(d.startNs), d.client, d.server,
                        d.origin == null ? "" : "  (origin " + d.origin + ")"));
                out.append("      ").append(d.explanation).append('\n');
                out.append("      evidence: ").append(d.evidenceJson).append('\n');
            });
            if (ds.size() > EXAMPLES) {
                out.append(String.format("    … %d more (--json prints them all)%n", ds.size() - EXAMPLES));
            }
        });
        return out.toString();
    }

    /**
     * Fleet episodes, each once (its id): the report it was worst in (severity, then the latest),
     * causes before symptoms ({@link Remedies#FLEET_ORDER}), then by start.
     */
    private static List<Detection> worstOfEachEpisode(List<Detection> detections) {
        Map<String, Detection> worst = new LinkedHashMap<>();
        for (Detection d : detections) {
            if (d.status == null || d.status.equals(EpisodeStatus.RESOLVED.name())) {
                continue;
            }
            worst.merge(d.id, d, (a, b) -> Severity.rank(b.severity) > Severity.rank(a.severity)
                    || (Severity.rank(b.severity) == Severity.rank(a.severity) && b.endNs >= a.endNs) ? b : a);
        }
        return worst.values().stream().sorted(Comparator.comparingInt((Detection d) -> Remedies.FLEET_ORDER.indexOf(DetectionType.of(d.type)))
                .thenComparingLong(d -> d.startNs)).toList();
    }

    /**
     * True when every reset of an RST storm is of a cause already reported as a per-connection
     * finding at its server, or a normal close (a collision's reply to a challenge ACK, an RST after
     * the peer's FIN).
     */
    private static boolean explainedStorm(Detection storm, List<Finding> faults) {
        Map<String, Long> causes = stormCauses(storm);
        boolean collisions = faults.stream().anyMatch(f -> f.type() == DetectionType.PORT_REUSE_COLLISION
                && f.server().equals(storm.server));
        return !causes.isEmpty() && causes.keySet().stream().map(RstCause::of).allMatch(c -> c.isNormal()
                || (c == RstCause.CHALLENGE_ACK_REPLY && collisions)
                || faults.stream().anyMatch(f -> f.type() == DetectionType.RST && c == f.cause() && f.server().equals(storm.server)));
    }

    /** A zero-window stall between the surge's client host and server overlapped it. */
    private static boolean stalledDuring(Detection surge, List<Detection> detections) {
        return detections.stream().anyMatch(d -> is(d, DetectionType.ZERO_WINDOW_STALL) && d.server.equals(surge.server)
                && d.client != null && Detections.host(d.client).equals(surge.client)
                && d.startNs < surge.endNs && d.endNs > surge.startNs);
    }

    /** The storm's resets by cause, from its evidence ({@code cause_X}: n), the causes with none left out. */
    private static Map<String, Long> stormCauses(Detection storm) {
        Map<String, Long> causes = new TreeMap<>();
        Matcher m = STORM_CAUSE.matcher(storm.evidenceJson);
        while (m.find()) {
            if (Long.parseLong(m.group(2)) > 0) {
                causes.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        return causes;
    }

    private static boolean is(Detection d, DetectionType type) {
        return type.name().equals(d.type);
    }

    /** A display filter for every packet of the finding at its server. */
    private static String serverFilter(Finding f) {
        String filter = Detections.endpointFilter(f.server());
        return f.type() == DetectionType.RST ? filter + " && tcp.flags.reset == 1" : filter;
    }

    private static long count(List<ConnectionRecord> rs, String state) {
        return rs.stream().filter(r -> r.connState.equals(state)).count();
    }

    private static String filterOf(Detection d) {
        try (JsonParser p = JSON.createParser(d.evidenceJson)) {
            while (p.nextToken() != null) {
                if (p.currentToken() == JsonToken.FIELD_NAME && "display_filter".equals(p.currentName())) {
                    p.nextToken();
                    return p.getText();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "";
    }
}

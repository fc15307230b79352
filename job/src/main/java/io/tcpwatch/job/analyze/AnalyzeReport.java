package io.tcpwatch.job.analyze;

import io.tcpwatch.core.record.Endpoints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.EpisodeStatus;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.core.record.RstCause;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.local.LocalPipeline;
import io.tcpwatch.core.record.LateSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The report a person reads top to bottom: the diagnosis (fleet-wide episodes first, then root
 * causes ranked by how many connections they hurt, with evidence and remedy; an RST storm made
 * only of those causes or of normal closes folded under them; normal symptoms said to be normal), a summary per
 * server endpoint (with the peak of concurrently established connections from the fleet windows),
 * then the detections by type with explanation, evidence and Wireshark filter.
 *
 * <p>Records are taken one at a time as the pipeline makes them and kept as aggregates: per group of
 * findings its count, its earliest detection and a few examples; per server its connection states;
 * fleet episodes at their worst. Memory grows with servers, kinds of findings and open connections,
 * not with the length of the capture.
 */
final class AnalyzeReport implements LocalPipeline.Sink {
    private static final int EXAMPLES = 3;
    private static final JsonFactory JSON = JsonFactory.builder().build();
    /** An RST storm's count of one cause in its evidence: {@code "cause_X":n}. */
    private static final Pattern STORM_CAUSE = Pattern.compile("\"cause_([A-Z_]+)\":(\\d+)");

    /** Per server its fleet windows as timeline points ({@link #POINT}), when a chart will be drawn. */
    private final Map<String, List<long[]>> timelines;

    /**
     * A timeline point: window start (ms), new connections, half-open, retransmitted segments, peak
     * concurrency, then reset connections by cause in {@link RstCause} order.
     */
    static final List<String> POINT = List.of("start_ms", "new", "half_open", "retransmissions", "concurrency");

    /** A report; with {@code timelines}, it keeps each server's windows for charts (memory grows with the capture's length). */
    AnalyzeReport(boolean timelines) {
        this.timelines = timelines ? new TreeMap<>() : null;
    }

    AnalyzeReport() {
        this(false);
    }

    /** Detections of one kind (a type, and an RST cause) kept as a count and the earliest few. */
    private static final class Examples {
        long count;
        final List<Detection> earliest = new ArrayList<>();

        void add(Detection d) {
            count++;
            int at = 0;
            while (at < earliest.size() && earliest.get(at).startNs <= d.startNs) {
                at++;
            }
            if (at < EXAMPLES) {
                earliest.add(at, d);
                if (earliest.size() > EXAMPLES) {
                    earliest.remove(EXAMPLES);
                }
            }
        }

        Detection first() {
            return earliest.get(0);
        }
    }

    /** One group of findings: a type (and RST cause) at one server. */
    private record Finding(DetectionType type, RstCause cause, String server, Examples detections) {
        /** Connections hurt: per-connection detections come one per connection incarnation. */
        long clients() {
            return detections.count;
        }
    }

    /** A server's connections by Zeek state, and their retransmissions. */
    private static final class ServerLine {
        long conns;
        long sf;
        long rej;
        long rsto;
        long rstr;
        long retransmissions;
        long peakConcurrency;
        double slowestP90 = -1;
    }

    /** A zero-window stall's client host and time, for folding a retransmission surge under it. */
    private record Stall(String server, String clientHost, long startNs, long endNs) {}

    private final Map<String, Finding> groups = new LinkedHashMap<>();
    private final Map<String, Examples> byType = new TreeMap<>();
    private final Map<String, ServerLine> servers = new TreeMap<>();
    private final Map<String, Detection> worstOfEpisode = new LinkedHashMap<>();
    private final List<Stall> stalls = new ArrayList<>();
    /** SYN retransmits held until their connection ends: a collision reported meanwhile makes them part of it. */
    private final Map<String, Detection> heldSynRetransmits = new HashMap<>();
    private long connections;
    private long perConnection;

    /** The whole report of {@code detections}, {@code connections} and {@code fleetStats}. */
    static String render(String header, List<Detection> detections, List<ConnectionRecord> connections,
                         List<FleetStats> fleetStats) {
        AnalyzeReport report = new AnalyzeReport();
        detections.forEach(report::detection);
        connections.forEach(report::connection);
        fleetStats.forEach(report::fleetStats);
        return report.render(header);
    }

    /** Connection records taken so far. */
    long connections() {
        return connections;
    }

    @Override
    public void detection(Detection d) {
        if (d.status != null) {
            episode(d);
            return;
        }
        String conn = d.client + "|" + d.server;
        if (is(d, DetectionType.SYN_RETRANSMIT)) {
            Detection before = heldSynRetransmits.put(conn, d);
            if (before != null) {
                perConnectionFinding(before);
            }
            return;
        }
        if (is(d, DetectionType.PORT_REUSE_COLLISION)) {
            // a collision's SYN retransmit is part of the collision, not a second root cause
            Detection held = heldSynRetransmits.get(conn);
            if (held != null && held.startNs == d.startNs) {
                heldSynRetransmits.remove(conn);
            }
        }
        perConnectionFinding(d);
    }

    @Override
    public void connection(ConnectionRecord r) {
        connections++;
        Detection held = heldSynRetransmits.remove(r.client() + "|" + r.server());
        if (held != null) {
            perConnectionFinding(held);
        }
        ServerLine line = servers.computeIfAbsent(r.server(), k -> new ServerLine());
        line.conns++;
        switch (r.connState) {
            case "SF" -> line.sf++;
            case "REJ" -> line.rej++;
            case "RSTO" -> line.rsto++;
            case "RSTR" -> line.rstr++;
            default -> { }
        }
        line.retransmissions += r.retransmissions;
    }

    @Override
    public void fleetStats(FleetStats w) {
        ServerLine line = servers.computeIfAbsent(w.server, k -> new ServerLine());
        line.peakConcurrency = Math.max(line.peakConcurrency, w.concurrencyHighWater);
        if (w.responses > 0) { // response time: the slowest window's 90th percentile, request → server's first byte
            line.slowestP90 = Math.max(line.slowestP90, w.responseP90Ms);
        }
        if (timelines != null) {
            timelines.computeIfAbsent(w.server, k -> new ArrayList<>()).add(new long[] {w.windowStartNs / 1_000_000L,
                    w.newConnections, w.halfOpen, w.retransmissions, w.concurrencyHighWater, w.rstRefused,
                    w.rstRejectedAfterHandshake, w.rstAbortiveClose, w.rstAfterFin, w.rstIdleTimeout,
                    w.rstChallengeAckReply, w.rstDataAfterRst, w.rstOther});
        }
    }

    /** Per server its windows' timeline points, oldest first (empty unless made with timelines). */
    Map<String, List<long[]>> timelines() {
        return timelines == null ? Map.of() : timelines;
    }

    /** One server's line of the summary. */
    record ServerRow(String endpoint, long conns, long sf, long rej, long rsto, long rstr, long retransmissions,
                     long peakConcurrency, double slowestP90) {
        long other() {
            return conns - sf - rej - rsto - rstr;
        }
    }

    /** The servers with connections, the most first. */
    List<ServerRow> serverRows() {
        return servers.entrySet().stream().filter(e -> e.getValue().conns > 0)
                .sorted(Comparator.comparingLong(e -> -e.getValue().conns))
                .map(e -> {
                    ServerLine l = e.getValue();
                    return new ServerRow(e.getKey(), l.conns, l.sf, l.rej, l.rsto, l.rstr, l.retransmissions,
                            l.peakConcurrency, l.slowestP90);
                }).toList();
    }

    @Override
    public void late(LateSegment l) {
        // counted by the caller
    }

    private void perConnectionFinding(Detection d) {
        perConnection++;
        groups.computeIfAbsent(d.type + "|" + d.cause + "|" + d.server,
                k -> new Finding(DetectionType.of(d.type), d.cause == null ? null : RstCause.of(d.cause), d.server,
                        new Examples())).detections().add(d);
        byType.computeIfAbsent(d.cause == null ? d.type : d.type + " / " + d.cause, k -> new Examples()).add(d);
        if (is(d, DetectionType.ZERO_WINDOW_STALL) && d.client != null) {
            stalls.add(new Stall(d.server, Endpoints.host(d.client), d.startNs, d.endNs));
        }
    }

    /**
     * Fleet episodes, each once (its id): the report it was worst in (severity, then the latest).
     */
    private void episode(Detection d) {
        if (d.status.equals(EpisodeStatus.RESOLVED.name())) {
            return;
        }
        worstOfEpisode.merge(d.id, d, (a, b) -> Severity.rank(b.severity) > Severity.rank(a.severity)
                || (Severity.rank(b.severity) == Severity.rank(a.severity) && b.endNs >= a.endNs) ? b : a);
    }

    /**
     * One line of the diagnosis (ranked from 1, or 0 for what is normal): what and where, why, what to
     * try, the packets to look at; for a per-connection finding, its first connection's client
     * endpoint, time and the packets its record carries (else null, 0 and none).
     */
    record Item(int rank, String headline, String severity, String server, String explanation, String remedy,
                String filter, String client, long startNs, long endNs, List<SegmentHeader> packets) {}

    /**
     * The diagnosis: fleet-wide episodes (causes before symptoms), then root causes ranked by the
     * connections they hurt; the episodes those findings explain; what is normal, not a fault.
     */
    record Diagnosis(List<Item> ranked, List<String> explained, List<Item> normal) {}

    /** The diagnosis of everything taken so far (held SYN retransmits count from now on). */
    Diagnosis diagnosis() {
        heldSynRetransmits.values().forEach(this::perConnectionFinding);
        heldSynRetransmits.clear();
        List<Finding> faults = groups.values().stream().filter(f -> !Remedies.isNormal(f.type(), f.cause()))
                .sorted(Comparator.comparingLong(Finding::clients).reversed()).toList();
        List<Detection> episodes = new ArrayList<>(worstOfEpisode.values().stream()
                .sorted(Comparator.comparingInt((Detection d) -> Remedies.FLEET_ORDER.indexOf(DetectionType.of(d.type)))
                        .thenComparingLong(d -> d.startNs)).toList()); // causes before symptoms, then by start
        // an RST storm whose resets are all findings below, or normal closes, is their sum, not a cause of its own;
        // a retransmission surge during zero-window stalls is the sender's window probes, not loss
        List<Detection> explained = episodes.stream().filter(e -> (is(e, DetectionType.RST_STORM) && explainedStorm(e, faults))
                || (is(e, DetectionType.RETRANSMISSION_SURGE) && stalledDuring(e))).toList();
        episodes.removeAll(explained);
        List<Item> ranked = new ArrayList<>();
        for (Detection e : episodes) { // fleet-wide first: they name the incident the connections below are part of
            ranked.add(new Item(ranked.size() + 1, String.format("%s — %s%s (%s, %s → %s)",
                    Remedies.title(DetectionType.of(e.type), null), e.server, e.client == null ? "" : " from " + e.client,
                    e.severity, RecordJson.isoMillis(e.startNs), RecordJson.isoMillis(e.endNs)), e.severity, e.server,
                    e.explanation, Remedies.remedy(DetectionType.of(e.type), null), filterOf(e), null, 0, 0, List.of()));
        }
        for (Finding f : faults) {
            Detection first = f.detections().first();
            ranked.add(new Item(ranked.size() + 1, String.format("%s — %d connection%s to %s",
                    Remedies.title(f.type(), f.cause()), f.clients(), f.clients() == 1 ? "" : "s", f.server()),
                    first.severity, f.server(), first.explanation, Remedies.remedy(f.type(), f.cause()),
                    f.clients() == 1 ? filterOf(first) : serverFilter(f), first.client, first.startNs, first.endNs,
                    packetsOf(first)));
        }
        List<String> because = new ArrayList<>();
        for (Detection e : explained) {
            String why = is(e, DetectionType.RST_STORM)
                    ? "its resets are " + String.join(", ", stormCauses(e).entrySet().stream()
                            .map(c -> c.getValue() + " " + c.getKey()).toList()) + ", each a finding above or a normal close"
                    : "its retransmissions are the sender's zero-window probes during the stalls above, not loss";
            because.add(String.format("%s — %s%s (%s, %s → %s): %s.", Remedies.title(DetectionType.of(e.type), null), e.server,
                    e.client == null ? "" : " from " + e.client, e.severity, RecordJson.isoMillis(e.startNs),
                    RecordJson.isoMillis(e.endNs), why));
        }
        List<Item> normal = groups.values().stream().filter(f -> Remedies.isNormal(f.type(), f.cause()))
                .map(f -> {
                    Detection first = f.detections().first();
                    return new Item(0, String.format("%s — %d connection%s to %s", Remedies.title(f.type(), f.cause()),
                            f.clients(), f.clients() == 1 ? "" : "s", f.server()), first.severity, f.server(),
                            first.explanation, Remedies.remedy(f.type(), f.cause()), serverFilter(f), first.client,
                            first.startNs, first.endNs, packetsOf(first));
                }).toList();
        return new Diagnosis(ranked, because, normal);
    }

    private static List<SegmentHeader> packetsOf(Detection d) {
        return d.packets == null ? List.of() : d.packets;
    }

    /** The report of everything taken. */
    String render(String header) {
        return render(header, diagnosis());
    }

    /** The report of everything taken, with its {@code diagnosis} made already. */
    String render(String header, Diagnosis diagnosis) {
        StringBuilder out = new StringBuilder();
        out.append(header).append("\n\n");
        out.append("Diagnosis\n");
        if (diagnosis.ranked().isEmpty()) {
            out.append("  No faults found").append(diagnosis.normal().isEmpty() ? "." : "; only normal behaviour, below.")
                    .append('\n');
        }
        for (Item i : diagnosis.ranked()) {
            out.append(String.format("  %d. %s%n", i.rank(), i.headline()));
            out.append("     ").append(i.explanation()).append('\n');
            out.append("     Try: ").append(i.remedy()).append('\n');
            out.append("     Wireshark: ").append(i.filter()).append('\n');
        }
        if (!diagnosis.explained().isEmpty()) {
            out.append("\n  Explained by the findings above:\n");
            diagnosis.explained().forEach(line -> out.append("  - ").append(line).append('\n'));
        }
        if (!diagnosis.normal().isEmpty()) {
            out.append("\n  Normal, not a fault:\n");
            diagnosis.normal().forEach(i -> out.append("  - ").append(i.headline()).append(". ").append(i.remedy()).append('\n'));
        }

        out.append("\nServers\n");
        out.append(String.format("  %-28s %7s %6s %6s %6s %6s %6s %9s %10s %13s%n", "endpoint", "conns", "SF", "REJ", "RSTO",
                "RSTR", "other", "retrans", "peak conc", "resp p90 ms"));
        List<ServerRow> withConnections = serverRows();
        withConnections.stream().limit(20).forEach(l -> out.append(String.format("  %-28s %7d %6d %6d %6d %6d %6d %9d %10d %13s%n",
                l.endpoint(), l.conns(), l.sf(), l.rej(), l.rsto(), l.rstr(), l.other(), l.retransmissions(),
                l.peakConcurrency(), l.slowestP90() < 0 ? "—" : String.format("%.1f", l.slowestP90()))));
        if (withConnections.size() > 20) {
            out.append(String.format("  … and %d more endpoints (--connections lists every connection)%n", withConnections.size() - 20));
        }

        out.append("\nDetections by type\n");
        if (perConnection == 0) {
            out.append("  none\n");
        }
        byType.forEach((type, ds) -> {
            out.append(String.format("  %s (%d)%n", type, ds.count));
            ds.earliest.forEach(d -> {
                out.append(String.format("    %s  %s → %s%s%n", RecordJson.isoMillis(d.startNs), d.client, d.server,
                        d.origin == null ? "" : "  (origin " + d.origin + ")"));
                out.append("      ").append(d.explanation).append('\n');
                out.append("      evidence: ").append(d.evidenceJson).append('\n');
            });
            if (ds.count > EXAMPLES) {
                out.append(String.format("    … %d more (--json prints them all)%n", ds.count - EXAMPLES));
            }
        });
        return out.toString();
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
    private boolean stalledDuring(Detection surge) {
        return stalls.stream().anyMatch(st -> st.server().equals(surge.server) && st.clientHost().equals(surge.client)
                && st.startNs() < surge.endNs && st.endNs() > surge.startNs);
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
        String filter = Endpoints.endpointFilter(f.server());
        return f.type() == DetectionType.RST ? filter + " && tcp.flags.reset == 1" : filter;
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

package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.EpisodeStatus;
import io.tcpwatch.core.record.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's bounded recent history of the three topics: detections (a fleet episode once,
 * as its latest report, remembering when it opened), fleet statistics per server endpoint, and
 * connection records. Everything is bounded: the last {@code detections} detections and
 * {@code connections} connection records; per server the last {@code windowsPerServer} windows,
 * none older than {@code retention} before the newest window seen, and at most {@code windows}
 * windows in all — past that, the servers updated longest ago go first (endpoints that churn, such
 * as pod addresses, age out). Whatever is dropped is counted ({@link #evicted}).
 */
public final class Store {

    /** What a query asks of the detections. */
    public record Query(String type, String server, String client, String status, Instant from, Instant to, int limit) {}

    /** The bounds. */
    public record Limits(int detections, int windowsPerServer, int windows, int connections, Duration retention) {
        /** 20,000 detections, 360 windows per server within 1 h, 60,000 windows in all, 5,000 connections. */
        public static Limits defaults() {
            return new Limits(20_000, 360, 60_000, 5_000, Duration.ofHours(1));
        }
    }

    private static final String RESOLVED = EpisodeStatus.RESOLVED.name();

    private final Limits limits;
    private final LinkedHashMap<String, ObjectNode> detections = new LinkedHashMap<>();
    /** Per server endpoint its windows, oldest first; the servers in the order of their last update. */
    private final LinkedHashMap<String, Deque<JsonNode>> fleet = new LinkedHashMap<>();
    private int windows;
    private Instant newestWindow = Instant.MIN;
    private final Deque<JsonNode> connections = new ArrayDeque<>();
    private final Map<String, AtomicLong> received = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> detectionsBy = new ConcurrentHashMap<>();
    private final AtomicLong evicted = new AtomicLong();

    public Store(Limits limits) {
        this.limits = limits;
    }

    /** Takes one detection record; returns the record as the store now holds it. */
    public synchronized ObjectNode addDetection(JsonNode d) {
        received.computeIfAbsent("detections", k -> new AtomicLong()).incrementAndGet();
        detectionsBy.computeIfAbsent(d.path("type").asText() + "|" + d.path("severity").asText(), k -> new AtomicLong())
                .incrementAndGet();
        String key = d.path("id").asText(); // a fleet episode keeps its id across reports
        ObjectNode stored = ((ObjectNode) d).deepCopy();
        ObjectNode previous = detections.remove(key);
        if (previous != null && previous.has("opened")) {
            stored.put("opened", previous.path("opened").asText());
        } else if (d.has("status")) {
            stored.put("opened", d.path("start").asText());
        }
        detections.put(key, stored);
        while (detections.size() > limits.detections()) {
            Iterator<String> it = detections.keySet().iterator();
            it.next();
            it.remove();
            evicted.incrementAndGet();
        }
        return stored;
    }

    public synchronized void addFleetStats(JsonNode w) {
        received.computeIfAbsent("fleet-stats", k -> new AtomicLong()).incrementAndGet();
        String server = w.path("server").asText();
        Deque<JsonNode> series = fleet.remove(server); // put back last: the most recently updated
        if (series == null) {
            series = new ArrayDeque<>();
        }
        fleet.put(server, series);
        series.addLast(w);
        windows++;
        while (series.size() > limits.windowsPerServer()) {
            series.removeFirst();
            dropped(1);
        }
        Instant start = windowStart(w);
        if (start != null && start.isAfter(newestWindow)) {
            newestWindow = start; // once per window period: the moment to forget what is past retention
            forgetBefore(newestWindow.minus(limits.retention()));
        }
        for (Iterator<Deque<JsonNode>> it = fleet.values().iterator(); windows > limits.windows() && it.hasNext(); ) {
            dropped(it.next().size()); // the server updated longest ago
            it.remove();
        }
    }

    /** Drops the windows that start before {@code cutoff}, and the servers left with none. */
    private void forgetBefore(Instant cutoff) {
        for (Iterator<Deque<JsonNode>> it = fleet.values().iterator(); it.hasNext(); ) {
            Deque<JsonNode> series = it.next();
            while (!series.isEmpty() && isBefore(series.peekFirst(), cutoff)) {
                series.removeFirst();
                dropped(1);
            }
            if (series.isEmpty()) {
                it.remove();
            }
        }
    }

    private static boolean isBefore(JsonNode w, Instant cutoff) {
        Instant start = windowStart(w);
        return start != null && start.isBefore(cutoff);
    }

    private static Instant windowStart(JsonNode w) {
        try {
            return Instant.parse(w.path("window_start").asText());
        } catch (DateTimeParseException e) {
            return null; // kept until the count bounds remove it
        }
    }

    private void dropped(int windowCount) {
        windows -= windowCount;
        evicted.addAndGet(windowCount);
    }

    public synchronized void addConnection(JsonNode c) {
        received.computeIfAbsent("connections", k -> new AtomicLong()).incrementAndGet();
        connections.addLast(c);
        while (connections.size() > limits.connections()) {
            connections.removeFirst();
            evicted.incrementAndGet();
        }
    }

    /** The detection kept under {@code id}, or null. */
    public synchronized ObjectNode detection(String id) {
        ObjectNode d = detections.get(id);
        return d == null ? null : d.deepCopy();
    }

    /** Detections matching {@code q}, newest first. */
    public synchronized ArrayNode detections(Query q) {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode d : detections.values()) {
            if (matches(d, q)) {
                out.add(d);
            }
        }
        out.sort(Comparator.comparing((ObjectNode d) -> d.path("end").asText()).reversed());
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        out.stream().limit(q.limit()).forEach(a::add);
        return a;
    }

    private static boolean matches(JsonNode d, Query q) {
        if (q.type() != null && !q.type().equals(d.path("type").asText())) {
            return false;
        }
        if (q.server() != null && !d.path("server").asText().contains(q.server())) {
            return false;
        }
        if (q.client() != null && !d.path("client").asText().contains(q.client())) {
            return false;
        }
        if (q.status() != null) {
            String status = d.has("status") ? d.path("status").asText() : "FINDING";
            boolean open = !status.equals(RESOLVED) && d.has("status");
            if (!(q.status().equals(status) || (q.status().equals("ACTIVE") && open))) {
                return false;
            }
        }
        Instant end = Instant.parse(d.path("end").asText());
        Instant start = Instant.parse(d.path("start").asText());
        return (q.from() == null || !end.isBefore(q.from())) && (q.to() == null || !start.isAfter(q.to()));
    }

    /**
     * The fleet at a glance, worst first: per server endpoint its latest window, its resets in it,
     * and its open fleet episodes ({@link #WORST_FIRST}).
     */
    public synchronized ObjectNode overview() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        Map<String, List<JsonNode>> open = new TreeMap<>();
        for (ObjectNode d : detections.values()) {
            if (d.has("status") && !d.path("status").asText().equals(RESOLVED)) {
                open.computeIfAbsent(d.path("server").asText(), k -> new ArrayList<>()).add(d);
            }
        }
        List<ObjectNode> servers = new ArrayList<>();
        for (Map.Entry<String, Deque<JsonNode>> e : fleet.entrySet()) {
            servers.add(server(e.getKey(), e.getValue().peekLast(), open.getOrDefault(e.getKey(), List.of())));
        }
        servers.sort(WORST_FIRST);
        servers.forEach(root.putArray("servers")::add);
        root.put("open_incidents", open.values().stream().mapToInt(List::size).sum());
        return root;
    }

    /** Open CRITICAL episodes first, then more open episodes, more resets, a higher retransmission rate; then by name. */
    static final Comparator<JsonNode> WORST_FIRST = Comparator
            .comparingInt((JsonNode s) -> -s.path("open_critical").asInt())
            .thenComparingInt(s -> -s.path("open_incidents").size())
            .thenComparingLong(s -> -s.path("resets").asLong())
            .thenComparingDouble(s -> -s.path("latest").path("retransmission_rate").asDouble())
            .thenComparing(s -> s.path("server").asText());

    private static ObjectNode server(String name, JsonNode latest, List<JsonNode> open) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("server", name);
        s.set("latest", latest);
        long resets = 0;
        for (JsonNode n : latest.path("rsts")) {
            resets += n.asLong();
        }
        s.put("resets", resets);
        s.put("open_critical", open.stream().filter(d -> d.path("severity").asText().equals(Severity.CRITICAL.name())).count());
        ArrayNode incidents = s.putArray("open_incidents");
        for (JsonNode d : open) {
            ObjectNode i = incidents.addObject();
            i.put("id", d.path("id").asText());
            i.put("type", d.path("type").asText());
            i.put("severity", d.path("severity").asText());
            JsonNode ev = d.path("evidence");
            if (d.path("type").asText().equals(DetectionType.PORT_EXHAUSTION_RISK.name()) && ev.has("ephemeral_ports")) {
                s.put("port_headroom", Math.round(ev.path("ephemeral_ports").asDouble() - ev.path("ports_held").asDouble()));
            }
        }
        return s;
    }

    /** The recent windows of one server, or of the whole fleet summed per window when {@code server} is null. */
    public synchronized ArrayNode series(String server) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (server != null) {
            fleet.getOrDefault(server, new ArrayDeque<>()).forEach(out::add);
            return out;
        }
        TreeMap<String, ObjectNode> sum = new TreeMap<>();
        for (Deque<JsonNode> series : fleet.values()) {
            for (JsonNode w : series) {
                ObjectNode t = sum.computeIfAbsent(w.path("window_start").asText(), k -> {
                    ObjectNode n = JsonNodeFactory.instance.objectNode();
                    n.put("server", "fleet");
                    n.put("window_start", k);
                    n.putObject("rsts");
                    return n;
                });
                for (String f : List.of("new", "established", "closed", "half_open", "syn_retransmits", "retransmissions",
                        "data_segments", "concurrency_high_water")) {
                    t.put(f, t.path(f).asLong() + w.path(f).asLong());
                }
                w.path("rsts").fields().forEachRemaining(c -> ((ObjectNode) t.get("rsts")).put(c.getKey(),
                        t.path("rsts").path(c.getKey()).asLong() + c.getValue().asLong()));
            }
        }
        sum.values().forEach(out::add);
        return out;
    }

    /** The latest connection records matching, newest first. */
    public synchronized ArrayNode connections(String server, String client, int limit) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (Iterator<JsonNode> it = connections.descendingIterator(); it.hasNext() && out.size() < limit; ) {
            JsonNode c = it.next();
            String resp = c.path("id.resp_h").asText() + ":" + c.path("id.resp_p").asText();
            String orig = c.path("id.orig_h").asText() + ":" + c.path("id.orig_p").asText();
            if ((server == null || resp.contains(server)) && (client == null || orig.contains(client))) {
                out.add(c);
            }
        }
        return out;
    }

    public long received(String topic) {
        AtomicLong n = received.get(topic);
        return n == null ? 0 : n.get();
    }

    public Map<String, Long> detectionsByTypeAndSeverity() {
        Map<String, Long> m = new TreeMap<>();
        detectionsBy.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long evicted() {
        return evicted.get();
    }

    /** What the store holds now: server endpoints, their windows, detections, connection records. */
    public synchronized Map<String, Integer> size() {
        return Map.of("servers", fleet.size(), "fleet_windows", windows, "detections", detections.size(),
                "connections", connections.size());
    }

    public synchronized int openIncidents() {
        int n = 0;
        for (ObjectNode d : detections.values()) {
            if (d.has("status") && !d.path("status").asText().equals(RESOLVED)) {
                n++;
            }
        }
        return n;
    }
}

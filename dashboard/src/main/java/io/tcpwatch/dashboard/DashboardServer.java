package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tcpwatch.common.ChartJs;
import io.tcpwatch.core.ladder.LadderSvg;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The dashboard's HTTP side (the JDK's HTTP server): the page and its assets, the charting library
 * from its WebJar, the REST API ({@code /api/detections}, {@code /api/fleet}, {@code /api/connections}),
 * live updates as server-sent events ({@code /api/events}) and Prometheus metrics ({@code /metrics}).
 * With a token, every request must carry it ({@code Authorization: Bearer …} or {@code ?token=…}).
 */
public final class DashboardServer implements AutoCloseable {

    private static final String WEB = "/io/tcpwatch/dashboard/web/";
    private static final int MAX_STREAMS = 32;

    private final HttpServer http;
    private final ExecutorService pool;
    private final Store store;
    private final DashboardMetrics metrics;
    private final String token;
    private final ObjectMapper json = new ObjectMapper();
    private final Set<BlockingQueue<String>> streams = new CopyOnWriteArraySet<>();

    /** Binds {@code address:port} (port 0: any free one); throws IOException with the reason when it cannot. */
    public DashboardServer(String address, int port, String token, Store store, TopicFeed feed) throws IOException {
        this.store = store;
        this.metrics = new DashboardMetrics(store, feed);
        this.token = token == null || token.isEmpty() ? null : token;
        this.http = HttpServer.create(new InetSocketAddress(address, port), 64);
        this.pool = Executors.newFixedThreadPool(MAX_STREAMS + 8, r -> {
            Thread t = new Thread(r, "tcpwatch-dashboard-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(pool);
        http.createContext("/", this::handle);
        feed.onRecord((kind, record) -> {
            String event = "event: " + kind + "\ndata: " + record.toString() + "\n\n";
            for (BlockingQueue<String> q : streams) {
                q.offer(event); // a slow browser misses updates, never blocks the feed
            }
        });
    }

    public void start() {
        http.start();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            if (token != null && !authorized(ex, q)) {
                send(ex, 401, "text/plain", "a valid token is required (Authorization: Bearer … or ?token=…)\n");
                return;
            }
            if (!ex.getRequestMethod().equals("GET")) {
                send(ex, 405, "text/plain", "GET only\n");
                return;
            }
            switch (path) {
                case "/", "/index.html" -> resource(ex, WEB + "index.html", "text/html; charset=utf-8");
                case "/app.js" -> resource(ex, WEB + "app.js", "text/javascript; charset=utf-8");
                case "/style.css" -> resource(ex, WEB + "style.css", "text/css; charset=utf-8");
                case "/vendor/chart.umd.js" -> resource(ex, ChartJs.SCRIPT, "text/javascript; charset=utf-8");
                case "/api/detections" -> detections(ex, q);
                case "/api/ladder" -> ladder(ex, q);
                case "/api/fleet" -> sendJson(ex, q.containsKey("series")
                        ? store.series(q.get("server")) : store.overview());
                case "/api/connections" -> sendJson(ex, store.connections(q.get("server"), q.get("client"), limit(q, 200)));
                case "/api/events" -> events(ex);
                case "/metrics" -> {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    metrics.write(body);
                    send(ex, 200, metrics.contentType(), body.toString(StandardCharsets.UTF_8));
                }
                default -> send(ex, 404, "text/plain", "not found\n");
            }
        } catch (IllegalArgumentException e) {
            send(ex, 400, "text/plain", e.getMessage() + "\n");
        } finally {
            ex.close();
        }
    }

    private boolean authorized(HttpExchange ex, Map<String, String> q) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        return token.equals(q.get("token")) || ("Bearer " + token).equals(header);
    }

    private void detections(HttpExchange ex, Map<String, String> q) throws IOException {
        Instant from = time(q, "from");
        if (q.containsKey("since")) {
            from = Instant.now().minus(Durations.parse(q.get("since")));
        }
        Store.Query query = new Store.Query(blank(q.get("type")), blank(q.get("server")), blank(q.get("client")),
                blank(q.get("status")), from, time(q, "to"), limit(q, 500));
        sendJson(ex, store.detections(query));
    }

    /** The ladder diagram (SVG) of a detection's packets: {@code ?id=}. */
    private void ladder(HttpExchange ex, Map<String, String> q) throws IOException {
        String id = blank(q.get("id"));
        if (id == null) {
            throw new IllegalArgumentException("id is required: the detection whose packets to draw");
        }
        ObjectNode d = store.detection(id);
        if (d == null) {
            send(ex, 404, "text/plain", "no detection with id " + id + " is kept\n");
        } else if (!d.path("packets").isArray() || d.path("packets").isEmpty()) {
            send(ex, 404, "text/plain", "detection " + id + " carries no packets (only findings on one connection do)\n");
        } else {
            send(ex, 200, "image/svg+xml; charset=utf-8", LadderSvg.svg(DetectionLadder.of(d)));
        }
    }

    /** Server-sent events: every new record as it arrives, a comment every 15 s to keep proxies open. */
    private void events(HttpExchange ex) throws IOException {
        if (streams.size() >= MAX_STREAMS) {
            send(ex, 503, "text/plain", "too many live streams\n");
            return;
        }
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(1024);
        streams.add(queue);
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(": tcpwatch live\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (!pool.isShutdown()) {
                String event = queue.poll(15, TimeUnit.SECONDS);
                out.write((event == null ? ": keep-alive\n\n" : event).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the browser went away, or the server is closing
        } finally {
            streams.remove(queue);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static Instant time(Map<String, String> q, String name) {
        String v = blank(q.get(name));
        try {
            return v == null ? null : Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an ISO-8601 instant such as 2026-11-22T03:01:00Z, not '" + v + "'");
        }
    }

    private static int limit(Map<String, String> q, int dflt) {
        try {
            return q.containsKey("limit") ? Math.max(1, Math.min(10_000, Integer.parseInt(q.get("limit")))) : dflt;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be a number");
        }
    }

    private void sendJson(HttpExchange ex, JsonNode body) throws IOException {
        send(ex, 200, "application/json", json.writeValueAsString(body));
    }

    private static void resource(HttpExchange ex, String path, String type) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(path)) {
            if (in == null) {
                send(ex, 404, "text/plain", "not found\n");
                return;
            }
            byte[] body = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        http.stop(0);
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.tcpwatch.dashboard;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

/** The dashboard: a consumer of the job's topics, its bounded history, and the web server. */
public final class Dashboard implements AutoCloseable {

    /** How to run it. */
    public record Settings(String bootstrap, TopicFeed.Topics topics, String group, Map<String, String> kafkaClient,
                           String bind, int port, String token, int maxDetections, int windowsPerServer,
                           int maxConnections) {

        public static Settings defaults(String bootstrap) {
            return new Settings(bootstrap, new TopicFeed.Topics("tcp.detections", "tcp.fleet-stats", "tcp.connections"),
                    "tcpwatch-dashboard-" + UUID.randomUUID(), Map.of(), "127.0.0.1", 8080, null, 20_000, 360, 5_000);
        }

        public Settings withPort(int p) {
            return new Settings(bootstrap, topics, group, kafkaClient, bind, p, token, maxDetections, windowsPerServer,
                    maxConnections);
        }
    }

    private final Store store;
    private final TopicFeed feed;
    private final DashboardServer server;

    /** Binds the port and starts consuming; throws IOException when the address is taken. */
    public Dashboard(Settings s) throws IOException {
        store = new Store(s.maxDetections(), s.windowsPerServer(), s.maxConnections());
        feed = new TopicFeed(s.bootstrap(), s.topics(), s.group(), s.kafkaClient(), store);
        try {
            server = new DashboardServer(s.bind(), s.port(), s.token(), store, feed);
        } catch (IOException e) {
            try {
                feed.close();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        feed.start();
        server.start();
    }

    public int port() {
        return server.port();
    }

    public Store store() {
        return store;
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        feed.close();
    }
}

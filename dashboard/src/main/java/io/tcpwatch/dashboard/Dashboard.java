package io.tcpwatch.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** The dashboard: a consumer of the job's topics, its bounded history, and the web server. */
public final class Dashboard implements AutoCloseable {

    /**
     * How to run it: where the topics are and how far back to read them ({@code lookBack}: records
     * written that long before the start), where to listen, and the store's bounds.
     */
    public record Settings(String bootstrap, TopicFeed.Topics topics, Duration lookBack, Map<String, String> kafkaClient,
                           String bind, int port, String token, Store.Limits limits) {

        /** The default topics, 1 h back, 127.0.0.1:8080 without a token, the store's default bounds. */
        public static Settings defaults(String bootstrap) {
            return new Settings(bootstrap, new TopicFeed.Topics("tcp.detections", "tcp.fleet-stats", "tcp.connections"),
                    Duration.ofHours(1), Map.of(), "127.0.0.1", 8080, null, Store.Limits.defaults());
        }

        public Settings withPort(int p) {
            return new Settings(bootstrap, topics, lookBack, kafkaClient, bind, p, token, limits);
        }

        public Settings withToken(String t) {
            return new Settings(bootstrap, topics, lookBack, kafkaClient, bind, port, t, limits);
        }

        public Settings withKafkaClient(Map<String, String> properties) {
            return new Settings(bootstrap, topics, lookBack, properties, bind, port, token, limits);
        }
    }

    private final Store store;
    private final TopicFeed feed;
    private final DashboardServer server;

    /** Binds the port and starts consuming; throws IOException when the address is taken. */
    public Dashboard(Settings s) throws IOException {
        store = new Store(s.limits());
        feed = new TopicFeed(s.bootstrap(), s.topics(), s.lookBack(), s.kafkaClient(), store);
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

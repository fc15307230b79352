package io.tcpwatch.dashboard;

import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.KafkaClientOptions;
import io.tcpwatch.common.Signals;
import io.tcpwatch.common.TcpwatchException;
import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tcpwatch dashboard}: the fleet dashboard on the job's topics. */
@Command(name = "dashboard",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Serve the fleet dashboard and its REST API, reading the job's topics from Kafka.",
            "%nPages and API: / (overview, charts, detections; a page per server), /api/detections, /api/fleet,"
                + " /api/connections, /api/ladder (a detection's packets, SVG), /api/events (server-sent events),"
                + " /metrics (Prometheus)."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  stopped", "  2  usage error", "  7  the Kafka cluster is unreachable", "  10 the address is in use",
            "  11 Kafka refused the credentials or TLS handshake"})
public final class DashboardCommand implements Callable<Integer> {

    public static final int ADDRESS_IN_USE = 10;

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", required = true, description = "The Kafka cluster.")
    String bootstrap;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; anything wider deserves --token).")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Require this token (Authorization: Bearer TOKEN, or ?token=TOKEN).")
    String token;

    @Option(names = "--detections-topic", paramLabel = "TOPIC", defaultValue = "tcp.detections", description = "Default: ${DEFAULT-VALUE}.")
    String detectionsTopic;

    @Option(names = "--fleet-stats-topic", paramLabel = "TOPIC", defaultValue = "tcp.fleet-stats", description = "Default: ${DEFAULT-VALUE}.")
    String fleetStatsTopic;

    @Option(names = "--connections-topic", paramLabel = "TOPIC", defaultValue = "tcp.connections", description = "Default: ${DEFAULT-VALUE}.")
    String connectionsTopic;

    @Option(names = "--look-back", paramLabel = "AGO", defaultValue = "1h",
            description = "On start, read what the job wrote this long ago and since: 30m, 6h, 1d (default: ${DEFAULT-VALUE}).")
    String lookBack;

    @Option(names = "--retention", paramLabel = "AGO", defaultValue = "1h",
            description = "Keep fleet windows this long behind the newest (default: ${DEFAULT-VALUE}).")
    String retention;

    @Option(names = "--max-windows", paramLabel = "N", defaultValue = "60000",
            description = "Fleet windows kept in all, over every server; past it the servers updated longest ago go"
                    + " (default: ${DEFAULT-VALUE}).")
    int maxWindows;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        Duration from;
        Store.Limits limits;
        try {
            if (maxWindows < 1) {
                throw new IllegalArgumentException("--max-windows must be at least 1, not " + maxWindows);
            }
            from = duration("--look-back", lookBack);
            Store.Limits d = Store.Limits.defaults();
            limits = new Store.Limits(d.detections(), d.windowsPerServer(), maxWindows, d.connections(),
                    duration("--retention", retention));
        } catch (IllegalArgumentException e) {
            System.err.println("tcpwatch dashboard: " + e.getMessage() + ".");
            return ExitCode.USAGE;
        }
        try {
            kafka.awaitBroker(bootstrap, "tcpwatch-dashboard", msg -> System.err.println("tcpwatch dashboard: " + msg));
        } catch (TcpwatchException e) {
            System.err.println("tcpwatch dashboard: " + e.getMessage());
            return e.exitCode();
        }
        Dashboard.Settings s = new Dashboard.Settings(bootstrap, new TopicFeed.Topics(detectionsTopic, fleetStatsTopic,
                connectionsTopic), from, kafka.properties(), bind, port, token, limits);
        Dashboard dashboard;
        try {
            dashboard = start(s);
        } catch (IOException e) {
            System.err.println("tcpwatch dashboard: " + e.getMessage() + ".");
            return ADDRESS_IN_USE;
        }
        System.err.printf("tcpwatch dashboard: http://%s:%d/ (Ctrl-C stops)%n", bind, dashboard.port());
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        stop.await();
        dashboard.close();
        return 0;
    }

    private static Duration duration(String option, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** Starts a dashboard; a taken port becomes one sentence. */
    public static Dashboard start(Dashboard.Settings s) throws IOException {
        try {
            return new Dashboard(s);
        } catch (BindException e) {
            throw new IOException(s.bind() + ":" + s.port() + " is already in use (choose another with --port)", e);
        }
    }
}

package io.tcpwatch.agent.cli;

import io.tcpwatch.common.Signals;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.capture.Pacer;
import io.tcpwatch.common.KafkaClientOptions;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.JsonLinesSink;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.schema.Segment;
import java.io.BufferedOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcpwatch simulate}: the segments a fleet's agents would publish — servers, their clients,
 * injected incidents — into Kafka or as JSON lines. For demos, tests and benchmarks of the job.
 */
@Command(name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Publish a simulated fleet's TCP segments, with injected incidents, as the agents would.",
            "%nIncidents (KIND@SECOND:SERVER, e.g. --incident connection-limit@20:3):",
            "  rst-storm, syn-flood, backlog, connection-limit, reconnect-storm, packet-loss, port-exhaustion;",
            "  near a threshold and below it (nothing to find): syn-burst, backlog-pair."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  2  usage error", "  7  the Kafka cluster is unreachable",
            "  11 Kafka refused the credentials or TLS handshake"})
public final class SimulateCommand implements Callable<Integer> {

    static final class Output {
        @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", required = true,
                description = "Publish to this Kafka cluster.")
        String bootstrap;

        @Option(names = "--print", required = true, description = "Write segments as JSON lines to stdout.")
        boolean print;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Output (one of):%n")
    Output output;

    @Option(names = "--servers", paramLabel = "N", defaultValue = "20", description = "Server endpoints (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "50",
            description = "Client hosts per server, at most 250 (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "5",
            description = "New connections per second per server (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "60", description = "Simulated time (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--incident", paramLabel = "KIND@SECOND:SERVER", description = "An incident to inject (repeatable).")
    List<String> incidents = new ArrayList<>();

    @Option(names = "--client-agents-every", paramLabel = "N", defaultValue = "5",
            description = "Every N-th server's clients run agents too, 0 for none (default: ${DEFAULT-VALUE}).")
    int clientVantageEvery;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--speed", paramLabel = "SPEED", defaultValue = "max",
            description = "realtime (capture times from now on), max, or a factor such as 10x (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_SEGMENTS_TOPIC,
            description = "Segments topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "zstd",
            description = "Kafka compression (default: ${DEFAULT-VALUE}).")
    String compression;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Pacer pacer;
        FleetSimulation fleet;
        try {
            pacer = Pacer.parse(speed, stop::get);
            fleet = new FleetSimulation(config(pacer));
        } catch (IllegalArgumentException e) {
            System.err.println("tcpwatch simulate: " + e.getMessage() + ".");
            return ExitCode.USAGE;
        }
        SegmentPublisher publisher;
        try {
            publisher = publisher();
        } catch (TcpwatchException e) {
            System.err.println("tcpwatch simulate: " + e.getMessage());
            return e.exitCode();
        }
        Signals.onTerminate(() -> stop.set(true));
        SegmentSink out = paced(publisher != null ? new KafkaSink(publisher, true)
                : new JsonLinesSink(new BufferedOutputStream(System.out, 1 << 16)), pacer, stop);
        long t0 = System.nanoTime();
        try {
            report(fleet, fleet.run(out), (System.nanoTime() - t0) / 1e9);
        } catch (InterruptedException e) {
            System.err.println("tcpwatch simulate: stopped.");
        } finally {
            out.flush();
            if (publisher != null) {
                publisher.drain(Duration.ofSeconds(30));
            }
            out.close();
        }
        return ExitCode.OK;
    }

    /** The fleet the options describe; IllegalArgumentException with one clear sentence when they do not. */
    private FleetSimulation.Config config(Pacer pacer) {
        if (servers < 1 || clients < 1 || clients > 250 || rate <= 0 || seconds < 1) {
            throw new IllegalArgumentException("--servers, --clients (1-250), --rate and --seconds must be positive");
        }
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = servers;
        cfg.clientsPerServer = clients;
        cfg.connectionsPerSecond = rate;
        cfg.seconds = seconds;
        cfg.seed = seed;
        cfg.clientVantageEvery = clientVantageEvery;
        if (!pacer.isMax()) { // paced: the fleet happens now
            cfg.startNs = System.currentTimeMillis() * 1_000_000L;
        }
        for (String i : incidents) {
            cfg.incidents.add(Incident.parse(i));
        }
        return cfg;
    }

    /** A publisher to the broker once it answers; null when the segments go to stdout. */
    private SegmentPublisher publisher() throws TcpwatchException, InterruptedException {
        if (output.bootstrap == null) {
            return null;
        }
        kafka.awaitBroker(output.bootstrap, "tcpwatch-simulate", msg -> System.err.println("tcpwatch simulate: " + msg));
        return new SegmentPublisher(KafkaSettings.producer(output.bootstrap, "tcpwatch-simulate", compression,
                kafka.properties()), topic, 262_144);
    }

    /** {@code out} at the pace of the segments' capture times, until stopped. */
    private static SegmentSink paced(SegmentSink out, Pacer pacer, AtomicBoolean stop) {
        return new SegmentSink() {
            @Override
            public void accept(Segment segment) throws InterruptedException {
                if (stop.get()) {
                    throw new InterruptedException("stopped");
                }
                pacer.await(segment.tsNanos);
                out.accept(segment);
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    private static void report(FleetSimulation fleet, FleetSimulation.Summary summary, double seconds) {
        System.err.printf("tcpwatch simulate: %,d connections, %,d segments in %.1f s (%,.0f segments/s); expected fleet"
                + " detections:%n", summary.connections(), summary.segments(), seconds, summary.segments() / seconds);
        fleet.expected().forEach(x -> System.err.println("  " + x.type() + " " + x.server()
                + (x.client() == null ? "" : " from " + x.client())));
    }
}

package io.tcpwatch.agent.cli;

import io.tcpwatch.common.ProgressBar;
import io.tcpwatch.common.Signals;
import io.tcpwatch.agent.Agent;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.capture.LiveCapture;
import io.tcpwatch.agent.capture.Privileges;
import io.tcpwatch.agent.capture.Pacer;
import io.tcpwatch.common.KafkaClientOptions;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.DiscardSink;
import io.tcpwatch.agent.output.JsonLinesSink;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.agent.stats.AgentMetrics;
import io.tcpwatch.agent.stats.AgentStats;
import io.tcpwatch.agent.stats.StatsReporter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tcpwatch agent}: capture live or replay files, and publish TCP segment records. */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Capture TCP headers live or replay pcap/pcapng files; publish them to Kafka in flow batches.",
            "%nRecords go to Kafka (Avro single-object encoding, key = canonical flow key; a flow's segments"
                + " in one record, --batch-segments 1 for one record per segment), to stdout as JSON lines, one"
                + " per segment (--print), or nowhere (--dry-run, to measure). Header fields only: payload is never read."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done (also after Ctrl-C or SIGTERM)     5  capture file unreadable",
            "  2  usage error                             6  capture file damaged (the readable part was processed)",
            "  3  no such interface                       7  Kafka unreachable",
            "  4  no capture permission (CAP_NET_RAW)     8  invalid BPF filter",
            "                                             9  libpcap failed while capturing",
            "                                            11  Kafka refused the credentials or TLS handshake",
            "%nExamples:",
            "  tcpwatch agent --interface eth0 --bootstrap kafka:9092",
            "  tcpwatch agent --read capture.pcapng --print | jq 'select(.flags | contains(\"RST\"))'",
            "  tcpwatch agent --read a.pcap b.pcap --speed 10x --bootstrap localhost:9092"})
public final class AgentCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = {"-i", "--interface"}, paramLabel = "IF", required = true,
                description = "Capture live on this interface (needs CAP_NET_RAW).")
        String device;

        @Option(names = {"-r", "--read"}, paramLabel = "FILE", arity = "1..*", required = true,
                description = "Replay these pcap or pcapng files, in order (nanosecond and microsecond files are both exact).")
        List<Path> files;
    }

    static final class Output {
        @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", required = true,
                description = "Publish to this Kafka cluster.")
        String bootstrap;

        @Option(names = "--print", required = true,
                description = "Write segments as JSON lines to stdout instead of Kafka.")
        boolean print;

        @Option(names = "--dry-run", required = true,
                description = "Parse and encode every segment, publish nothing, report counts and rate.")
        boolean dryRun;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Source (one of):%n")
    Source source;

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Output (one of):%n")
    Output output;

    @Option(names = "--bpf", paramLabel = "FILTER", defaultValue = "tcp",
            description = "Capture filter, libpcap syntax (default: ${DEFAULT-VALUE}).")
    String bpf;

    @Option(names = "--tunnel-port", paramLabel = "KIND=PORT[,PORT]",
            description = "UDP ports of a tunnel to look into (repeatable; KIND: vxlan, geneve, gtpu, teredo, ayiya; "
                    + "an empty list turns one off). Defaults: vxlan=4789,8472 geneve=6081 gtpu=2152 teredo=3544 ayiya=5072.")
    List<String> tunnelPorts;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "128",
            description = "Bytes captured per frame: headers only (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "--buffer-mb", paramLabel = "MB", defaultValue = "32",
            description = "libpcap kernel buffer size (default: ${DEFAULT-VALUE}).")
    int bufferMb;

    @Option(names = "--promiscuous", description = "Put the interface in promiscuous mode.")
    boolean promiscuous;

    @Option(names = "--speed", paramLabel = "SPEED", defaultValue = "max",
            description = "Replay pace: realtime, max, or a factor such as 10x (default: ${DEFAULT-VALUE}).")
    String speed;

    @Option(names = "--observer", paramLabel = "ID",
            description = "Observer id stamped on every segment (default: this host's name).")
    String observer;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_SEGMENTS_TOPIC,
            description = "Segments topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--stats-topic", paramLabel = "TOPIC", defaultValue = KafkaSettings.DEFAULT_STATS_TOPIC,
            description = "Agent stats topic (default: ${DEFAULT-VALUE}).")
    String statsTopic;

    @Option(names = "--stats-interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between agent stats records (default: ${DEFAULT-VALUE}).")
    int statsInterval;

    @Option(names = "--metrics-port", paramLabel = "PORT", defaultValue = "0",
            description = "Serve the agent's counters for Prometheus on http://BIND:PORT/metrics; 0: off (default: ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address of the metrics endpoint (default: ${DEFAULT-VALUE}).")
    String metricsBind;

    @Option(names = "--compression", paramLabel = "CODEC", defaultValue = "zstd",
            description = "Kafka compression: zstd, lz4, snappy, gzip or none (default: ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--queue", paramLabel = "SEGMENTS", defaultValue = "262144",
            description = "Segments buffered while Kafka is slow or down (as SEGMENTS / --batch-segments records); beyond, a live capture drops and counts (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--batch-segments", paramLabel = "N", defaultValue = "64",
            description = "Segments of one flow per Kafka record, delta-encoded; 1: one record per segment in the single-segment schema, for jobs older than batches (default: ${DEFAULT-VALUE}).")
    int batchSegments;

    @Option(names = "--batch-window", paramLabel = "MS", defaultValue = "500",
            description = "Longest a flow's batch stays open, in milliseconds of capture time (and of the wall clock on a quiet live capture): the latency batching adds (default: ${DEFAULT-VALUE}).")
    int batchWindowMs;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    @Option(names = "--run-as", paramLabel = "UID[:GID]",
            description = "Live capture started as root: become this user once the capture is open (drops every capability).")
    String runAs;

    private final PrintStream err = System.err;

    @Override
    public Integer call() {
        try {
            return run();
        } catch (TcpwatchException e) {
            err.println("tcpwatch agent: " + e.getMessage());
            return e.exitCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.OK;
        }
    }

    private TunnelPorts tunnelPorts() throws TcpwatchException {
        try {
            return TunnelPorts.of(tunnelPorts);
        } catch (IllegalArgumentException e) {
            throw new TcpwatchException(ExitCode.USAGE, "--tunnel-port " + e.getMessage() + ".");
        }
    }

    private int run() throws TcpwatchException, InterruptedException {
        validate();
        tunnelPorts();
        String observerId = observer != null ? observer : hostName();
        boolean replay = source.files != null;
        Pacer pacer = null;
        Agent[] self = new Agent[1];
        if (replay) {
            try {
                pacer = Pacer.parse(speed, () -> self[0] != null && self[0].stopping());
            } catch (IllegalArgumentException e) {
                throw new TcpwatchException(ExitCode.USAGE, e.getMessage());
            }
        }

        // Open the capture first: a missing interface or permission fails before Kafka is contacted.
        LiveCapture live = null;
        if (!replay) {
            live = LiveCapture.open(new LiveCapture.Options(source.device, bpf, snaplen, bufferMb, promiscuous));
            if (!live.nanosecondTimestamps()) {
                err.println("tcpwatch agent: " + source.device + " gives microsecond timestamps only.");
            }
            if (runAs != null) { // the handle is open: root is no longer needed
                int[] ids;
                try {
                    ids = Privileges.parse(runAs);
                } catch (IllegalArgumentException e) {
                    live.close();
                    throw new TcpwatchException(ExitCode.USAGE, e.getMessage());
                }
                try {
                    Privileges.drop(ids[0], ids[1]);
                } catch (TcpwatchException e) {
                    live.close();
                    throw e;
                }
            }
        }

        SegmentPublisher publisher = null;
        SegmentSink sink;
        DiscardSink discard = null;
        if (output.bootstrap != null) {
            String clientId = "tcpwatch-agent-" + observerId;
            kafka.awaitBroker(output.bootstrap, clientId, msg -> err.println("tcpwatch agent: " + msg));
            publisher = new SegmentPublisher(KafkaSettings.producer(output.bootstrap, clientId,
                    compression, kafka.properties()), topic, Math.max(1, queue / batchSegments));
            sink = new KafkaSink(publisher, replay, new KafkaSink.Batching(batchSegments, Duration.ofMillis(batchWindowMs)));
        } else if (output.print) {
            sink = new JsonLinesSink(new BufferedOutputStream(System.out, 1 << 16));
        } else {
            discard = new DiscardSink();
            sink = discard;
        }

        Agent agent = new Agent(observerId, sink, pacer, tunnelPorts());
        self[0] = agent;
        Signals.onTerminate(agent::requestStop);

        String sourceName = replay ? "replay" : "live:" + source.device;
        SegmentPublisher pub = publisher;
        StatsReporter reporter = new StatsReporter(statsInterval, () -> agent.stats(sourceName, pub), s -> {
            if (!replay || pub != null) {
                err.println("tcpwatch agent: " + s.toLine());
            }
            if (pub != null) {
                pub.sendDirect(statsTopic, observerId.getBytes(StandardCharsets.UTF_8),
                        s.toJson().getBytes(StandardCharsets.UTF_8));
            }
        });

        AgentMetrics metrics = null;
        if (metricsPort > 0) {
            try {
                metrics = new AgentMetrics(metricsBind, metricsPort, () -> agent.stats(sourceName, pub));
            } catch (IOException e) {
                reporter.close();
                throw new TcpwatchException(ExitCode.USAGE, "cannot serve metrics on " + metricsBind + ":" + metricsPort
                        + " (" + e.getMessage() + ").");
            }
        }

        long startNs = System.nanoTime();
        int exit = ExitCode.OK;
        try {
            if (replay) {
                ProgressBar bar = showProgress() ? new ProgressBar(err, totalSize(source.files),
                        agent::bytesRead, () -> agent.counters().frames()) : null;
                Agent.ReplayOutcome outcome;
                try {
                    outcome = agent.replay(source.files, msg -> err.println("tcpwatch agent: " + msg));
                } finally {
                    if (bar != null) {
                        bar.close();
                    }
                }
                for (String problem : outcome.problems()) {
                    err.println("tcpwatch agent: " + problem);
                }
                exit = outcome.exitCode();
            } else {
                err.printf("tcpwatch agent: capturing on %s (filter '%s', snaplen %d) as observer '%s'%s%n",
                        source.device, bpf, snaplen, observerId,
                        publisher != null ? ", publishing to " + output.bootstrap + " topic " + topic : "");
                try {
                    agent.capture(live);
                } finally {
                    live.close();
                }
            }
        } finally {
            reporter.close();
            if (metrics != null) {
                metrics.close();
            }
            double seconds = (System.nanoTime() - startNs) / 1e9;
            sink.flush();
            if (publisher != null) {
                publisher.drain(Duration.ofSeconds(10));
                AgentStats last = agent.stats(sourceName, publisher);
                publisher.sendDirect(statsTopic, observerId.getBytes(StandardCharsets.UTF_8),
                        last.toJson().getBytes(StandardCharsets.UTF_8));
                publisher.close(Duration.ofSeconds(20));
            }
            sink.close();
            summary(agent.stats(sourceName, publisher), seconds, discard);
        }
        return exit;
    }

    private void validate() throws TcpwatchException {
        if (snaplen < 64 || snaplen > 262_144) {
            throw new TcpwatchException(ExitCode.USAGE, "--snaplen must be between 64 and 262144 bytes, not " + snaplen + ".");
        }
        if (batchSegments < 1 || batchSegments > KafkaSink.Batching.MAX_SEGMENTS) {
            throw new TcpwatchException(ExitCode.USAGE, "--batch-segments must be between 1 and "
                    + KafkaSink.Batching.MAX_SEGMENTS + ", not " + batchSegments + ".");
        }
        if (batchWindowMs < 0 || batchWindowMs > 60_000) {
            throw new TcpwatchException(ExitCode.USAGE, "--batch-window must be between 0 and 60000 ms, not " + batchWindowMs + ".");
        }
        if (queue < 1) {
            throw new TcpwatchException(ExitCode.USAGE, "--queue must be at least 1.");
        }
        if (statsInterval < 1) {
            throw new TcpwatchException(ExitCode.USAGE, "--stats-interval must be at least 1 second.");
        }
        if (runAs != null && source.files != null) {
            throw new TcpwatchException(ExitCode.USAGE, "--run-as is for live capture (--interface); a replay needs no privileges.");
        }
        if (!List.of("zstd", "lz4", "snappy", "gzip", "none").contains(compression)) {
            throw new TcpwatchException(ExitCode.USAGE, "--compression takes zstd, lz4, snappy, gzip or none, not '" + compression + "'.");
        }
    }

    private void summary(AgentStats s, double seconds, DiscardSink discard) {
        StringBuilder sb = new StringBuilder("tcpwatch agent: ");
        sb.append(String.format("%,d packets, %,d TCP segments in %.2f s (%,.0f segments/s)",
                s.packetsSeen(), s.parsed(), seconds, seconds > 0 ? s.parsed() / seconds : 0));
        if (!s.skipped().isEmpty()) {
            sb.append("; skipped ");
            s.skipped().forEach((reason, n) -> sb.append(String.format("%s %,d ", reason, n)));
            sb.setLength(sb.length() - 1);
        }
        if (s.optionsIncomplete() > 0) {
            sb.append(String.format("; %,d with incomplete TCP options", s.optionsIncomplete()));
        }
        if (s.pcapReceived() != null) {
            sb.append(String.format("; libpcap dropped %,d, interface dropped %,d", s.pcapDropped(), s.pcapIfDropped()));
        }
        if (output.bootstrap != null) {
            sb.append(String.format("; Kafka: sent %,d, dropped %,d (queue full), send errors %,d, unsent at exit %,d",
                    s.sent(), s.dropped(), s.sendErrors(), s.unsentAtExit()));
        }
        if (discard != null) {
            sb.append(String.format("; encoded %,d bytes (%.1f per segment before compression)",
                    discard.bytes(), discard.segments() == 0 ? 0.0 : (double) discard.bytes() / discard.segments()));
        }
        err.println(sb);
    }

    private boolean showProgress() {
        return !noProgress && System.console() != null;
    }

    private static long totalSize(List<Path> files) {
        long sum = 0;
        for (Path f : files) {
            try {
                sum += Files.size(f);
            } catch (java.io.IOException ignored) {
                // reported when the file is opened
            }
        }
        return sum;
    }

    static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown-host";
        }
    }
}

package io.tcpwatch.cli.demo;

import io.tcpwatch.agent.Agent;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.agent.capture.LiveCapture;
import io.tcpwatch.common.Signals;
import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.dashboard.Dashboard;
import io.tcpwatch.dashboard.DashboardCommand;
import io.tcpwatch.job.JobCommand;
import io.tcpwatch.job.StreamingJob;
import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.kafka.StartAt;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tcpwatch demo}: the whole product on one machine, in this process — a KRaft Kafka broker,
 * the topics, the job in a local Flink environment with its web UI, the dashboard, an agent
 * replaying the corpus' scenarios with timestamps shifted to now, and (with the permission) an
 * agent capturing {@code lo} live. Ctrl-C stops everything and removes the temporary data.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {"Run the whole product on this machine, with one command.",
            "%nKafka, the job (with the Flink web UI), the dashboard, and agents replaying the labeled scenarios"
                + " live (and capturing lo when permitted)."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  stopped with Ctrl-C (or after --seconds)", "  2  usage error", "  10 a port is in use"})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE}.")
    int dashboardPort;

    @Option(names = "--flink-port", paramLabel = "PORT", defaultValue = "8081", description = "Flink web UI (default: ${DEFAULT-VALUE}).")
    int flinkPort;

    @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "9092", description = "Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--controller-port", paramLabel = "PORT", defaultValue = "9093",
            description = "The KRaft controller's port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep Kafka's data here (default: a temporary folder, removed at exit).")
    Path dataDir;

    @Option(names = "--no-live", description = "Do not capture lo live, even with the permission.")
    boolean noLive;

    @Option(names = "--seconds", paramLabel = "N", description = "Stop by itself after N seconds.")
    Integer seconds;

    @Override
    public Integer call() throws Exception {
        String busy = portInUse();
        if (busy != null) {
            System.err.println("tcpwatch demo: " + busy);
            return DashboardCommand.ADDRESS_IN_USE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        try (Running demo = new Running(dataDir)) {
            startKafka(demo);
            startJob(demo);
            if (!startDashboard(demo)) { // taken since the check above
                System.err.printf("tcpwatch demo: port %d is in use (choose another with --dashboard-port).%n", dashboardPort);
                return DashboardCommand.ADDRESS_IN_USE;
            }
            startReplay(demo);
            String liveNote = noLive ? "live capture of lo: off (--no-live)" : startLiveCapture(demo);
            welcome(demo, liveNote);
            if (seconds != null) {
                stop.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
            } else {
                stop.await();
            }
            say("stopping …");
            return 0;
        } catch (IOException e) { // the bundled captures could not be written out: a defect of the build
            System.err.println("tcpwatch demo: " + e.getMessage() + ".");
            return ExitCode.INTERNAL_ERROR;
        }
    }

    /** The first port of the demo's that another process holds, as one sentence; null when all are free. */
    private String portInUse() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--dashboard-port", dashboardPort);
        ports.put("--flink-port", flinkPort);
        ports.put("--kafka-port", kafkaPort);
        ports.put("--controller-port", controllerPort);
        for (Map.Entry<String, Integer> p : ports.entrySet()) {
            if (!free(p.getValue())) {
                return String.format("port %d is in use (choose another with %s).", p.getValue(), p.getKey());
            }
        }
        return null;
    }

    private void startKafka(Running demo) throws Exception {
        say("starting Kafka (KRaft) on 127.0.0.1:" + kafkaPort + " …");
        demo.kafka = new EmbeddedKafka(demo.data, kafkaPort, controllerPort);
        demo.kafka.createTopics(Map.of(KafkaTopics.SEGMENTS, 4, KafkaTopics.DETECTIONS, 2, KafkaTopics.CONNECTIONS, 2,
                KafkaTopics.FLEET_STATS, 2, KafkaTopics.AGENT_STATS, 1, KafkaTopics.DEAD_LETTERS, 1,
                KafkaTopics.LATE_SEGMENTS, 1));
    }

    private void startJob(Running demo) throws Exception {
        say("starting the job in a local Flink environment …");
        Configuration conf = new Configuration();
        conf.set(RestOptions.PORT, flinkPort);
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        // Flink's temporary files (its RPC system's jar among them) go with the demo's data
        conf.set(CoreOptions.TMP_DIRS, Files.createDirectories(demo.data.resolve("flink-tmp")).toString());
        // checkpoints as files with the demo's data: the JobManager's memory refuses state over 5 MB
        conf.addAll(JobCommand.checkpointStorage(demo.data.resolve("checkpoints").toUri().toString()));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
        env.setParallelism(2);
        StreamingJob.attach(env, StreamingJob.Settings.of(demo.kafka.bootstrap()).as("tcpwatch-demo", StartAt.EARLIEST)
                .withCheckpoints(Duration.ofSeconds(5)).withWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        demo.job = env.executeAsync("tcpwatch demo");
    }

    /** False when the dashboard's port was taken meanwhile. */
    private boolean startDashboard(Running demo) {
        say("starting the dashboard …");
        try {
            demo.dashboard = DashboardCommand.start(Dashboard.Settings.defaults(demo.kafka.bootstrap()).withPort(dashboardPort));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** An agent replaying the labeled scenarios, their timestamps shifted to now. */
    private void startReplay(Running demo) throws IOException {
        demo.publisher = new SegmentPublisher(KafkaSettings.producer(demo.kafka.bootstrap(), "tcpwatch-demo-agent", "zstd",
                Map.of()), KafkaTopics.SEGMENTS, 262_144);
        demo.replay = new CorpusReplay(demo.data.resolve("captures"), new KafkaSink(demo.publisher, true));
        demo.replayThread = daemon(demo.replay, "tcpwatch-demo-replay");
    }

    /** An agent capturing lo, when this process may; what happened, as the welcome says it. */
    private String startLiveCapture(Running demo) {
        try {
            LiveCapture capture = LiveCapture.open(new LiveCapture.Options("lo", "tcp and not port " + kafkaPort
                    + " and not port " + controllerPort + " and not port " + dashboardPort + " and not port "
                    + flinkPort, 128, 8, false));
            Agent agent = new Agent("demo-lo", new KafkaSink(demo.publisher, false), null);
            demo.live = agent;
            demo.liveThread = daemon(() -> {
                try {
                    agent.capture(capture);
                } catch (TcpwatchException e) {
                    say("live capture of lo stopped: " + e.getMessage());
                } finally {
                    capture.close();
                }
            }, "tcpwatch-demo-live");
            return "live capture of lo: on (your own connections to localhost show up as observer demo-lo)";
        } catch (TcpwatchException e) {
            return "live capture of lo: off (" + e.getMessage() + ")";
        }
    }

    private void welcome(Running demo, String liveNote) {
        System.err.printf("%n  dashboard   http://127.0.0.1:%d/%n  Flink UI    http://127.0.0.1:%d/%n"
                        + "  Kafka       %s  (topics %s)%n  %s%n%n"
                        + "  The agent replays the labeled scenarios (%s) live; first detections within a minute.%n"
                        + "  Try: ./tcpwatch detections --bootstrap %s --since 10m%n  Ctrl-C stops everything.%n%n",
                demo.dashboard.port(), flinkPort, demo.kafka.bootstrap(),
                String.join(", ", StreamingJob.Topics.defaults().all()), liveNote, String.join(", ", CorpusReplay.SCENARIOS),
                demo.kafka.bootstrap());
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What the demo started, stopped in the reverse order; the temporary data removed. */
    private static final class Running implements AutoCloseable {
        final Path data;
        final boolean temporary;
        EmbeddedKafka kafka;
        JobClient job;
        Dashboard dashboard;
        SegmentPublisher publisher;
        CorpusReplay replay;
        Thread replayThread;
        Agent live;
        Thread liveThread;

        Running(Path dataDir) throws IOException {
            temporary = dataDir == null;
            data = temporary ? Files.createTempDirectory("tcpwatch-demo-") : dataDir;
        }

        @Override
        public void close() throws InterruptedException {
            if (replay != null) {
                replay.stop();
            }
            if (live != null) {
                live.requestStop();
            }
            join(replayThread);
            join(liveThread);
            if (publisher != null) {
                publisher.close(Duration.ofSeconds(5));
            }
            if (dashboard != null) {
                dashboard.close();
            }
            if (job != null) {
                try {
                    job.cancel().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    say("the job did not stop cleanly: " + e.getMessage());
                }
            }
            if (kafka != null) {
                kafka.close();
            }
            if (temporary) {
                delete(data);
            }
            say("stopped.");
        }
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void join(Thread t) throws InterruptedException {
        if (t != null) {
            t.join(10_000);
        }
    }

    private static void delete(Path dir) {
        try {
            FileUtils.deleteDirectory(dir.toFile());
        } catch (IOException e) {
            say("could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static void say(String msg) {
        System.err.println("tcpwatch demo: " + msg);
    }
}

package io.tcpwatch.job.bench;

import io.tcpwatch.common.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.agent.testing.KafkaBroker;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.episode.Episode;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.core.fleet.ServerHistory;
import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.kafka.StartAt;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.tracker.ConnectionTracker;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The fleet benchmark (see BENCHMARKS.md): a simulated fleet with one of each incident is published
 * to a local broker, then the whole job (tracker + fleet stage) reads it on one core, with heap
 * state and with RocksDB, beside the tracker alone on the same topic; and the fleet stage's state
 * bytes per server endpoint and per client→server pair.
 *
 * <p>Usage: {@code FleetBenchmark <work dir> <servers> <seconds> <connections/s per server> [quick]}
 * ({@code quick}: the whole job with heap state only, e.g. under a profiler)
 */
public final class FleetBenchmark {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = Integer.parseInt(args[1]);
        cfg.seconds = Integer.parseInt(args[2]);
        cfg.connectionsPerSecond = Double.parseDouble(args[3]);
        boolean quick = args.length > 4 && args[4].equals("quick");
        for (String i : List.of("rst-storm@12:1", "syn-flood@15:2", "backlog@20:3", "connection-limit@25:4",
                "reconnect-storm@30:5", "packet-loss@35:6", "port-exhaustion@40:10")) {
            cfg.incidents.add(Incident.parse(i));
        }
        Files.createDirectories(work);
        try (KafkaBroker broker = new KafkaBroker(work.resolve("kafka-" + System.nanoTime()))) {
            broker.createTopic("bench.fleet", 4);
            SegmentPublisher publisher = new SegmentPublisher(
                    KafkaSettings.producer(broker.bootstrap(), "bench", "lz4", Map.of()), "bench.fleet", 262_144);
            long t0 = System.nanoTime();
            FleetSimulation.Summary summary;
            try (KafkaSink sink = new KafkaSink(publisher, true)) {
                summary = new FleetSimulation(cfg).run(sink);
            }
            System.out.printf(Locale.ROOT, "fleet: %d servers, %.0f connections/s each, %d s: %,d connections, %,d segments"
                            + " (published in %.1f s)%n%n", cfg.servers, cfg.connectionsPerSecond, cfg.seconds,
                    summary.connections(), summary.segments(), (System.nanoTime() - t0) / 1e9);
            System.out.println("| graph | state | seconds | segments/s |");
            System.out.println("|---|---|---:|---:|");
            for (String backend : quick ? new String[] {"hashmap"} : new String[] {"hashmap", "rocksdb"}) {
                for (boolean whole : quick ? new boolean[] {true} : new boolean[] {true, false}) {
                    double s = run(backend, work, whole, env -> KafkaTopics.readSegments(env, broker.bootstrap(), "bench.fleet",
                            "bench-" + backend + whole, StartAt.EARLIEST, true, new Properties(), Duration.ofSeconds(2), Duration.ofSeconds(5)));
                    System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %,.0f |%n",
                            whole ? "whole job (tracker + fleet stage)" : "tracker alone",
                            backend.equals("hashmap") ? "heap" : "RocksDB", s, summary.segments() / s);
                }
            }
        }
        if (!quick) {
            stateBytes();
        }
    }

    /** One job run at parallelism 1 from Kafka, discarding its outputs; seconds of job runtime. */
    static double run(String backend, Path work, boolean whole, JobBenchmark.Source source) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.setString("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        DataStream<SegmentRun> segments = source.attach(env);
        if (whole) {
            TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults());
            out.detections().sinkTo(new DiscardingSink<>());
            out.connections().sinkTo(new DiscardingSink<>());
            out.fleetStats().sinkTo(new DiscardingSink<>());
        } else {
            segments.keyBy(run -> ConnKey.of(run.first())).process(new ConnectionTracker(TrackerConfig.defaults()))
                    .sinkTo(new DiscardingSink<Detection>());
        }
        JobExecutionResult result = env.execute("fleet bench " + backend);
        return result.getNetRuntime() / 1000.0;
    }

    /** The fleet stage's state per server endpoint and per client→server pair (what RocksDB stores). */
    static void stateBytes() throws Exception {
        ServerHistory h = new ServerHistory();
        h.concurrent = 40;
        h.rstBaseline = 2.5;
        h.baselineWindowNs = h.lastOpenedNs = 1_795_000_000_000_000_000L;
        FleetStats w = new FleetStats();
        w.server = "10.20.0.1:443";
        w.observers = "srv-1,cli-10.100.1.2";
        w.windowStartNs = w.windowEndNs = 1_795_000_000_000_000_000L;
        w.newConnections = w.established = w.closed = 50;
        int hll = HllSketch.getMaxUpdatableSerializationBytes(10, TgtHllType.HLL_4);
        PairStats p = new PairStats();
        p.client = "10.100.1.2";
        p.server = "10.20.0.1:443";
        p.observers = "srv-1";
        Episode e = new Episode();
        e.id = "0123456789abcdef01234567";
        e.type = "RST_STORM";
        e.server = "10.20.0.1:443";
        e.observers = "srv-1";
        e.peakExplanation = "x".repeat(250);
        e.peakEvidenceJson = "y".repeat(300);
        System.out.printf("%nfleet state per server endpoint: %d bytes history (ServerHistory) + per open window %d bytes"
                        + " (FleetStats) + %d bytes HyperLogLog of clients (a second one only with half-open connections)%n",
                JobBenchmark.size(h, ServerHistory.class), JobBenchmark.size(w, FleetStats.class), hll);
        System.out.printf("fleet state per client→server pair and open window: %d bytes (PairStats)%n",
                JobBenchmark.size(p, PairStats.class));
        System.out.printf("per open episode: %d bytes (Episode); per connection event awaiting dedup: one Long + its key%n",
                JobBenchmark.size(e, Episode.class));
    }
}

package io.tcpwatch.job.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.output.FlowBatches;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.FleetStatsJson;
import io.tcpwatch.core.local.LocalPipeline;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.RecordFormatException;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentBatchEncoder;
import io.tcpwatch.schema.SegmentRecordDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two drivers, one answer: for every capture of the corpus (the incident scenarios and the sweep,
 * at both vantage points) and for a simulated fleet, {@code tcpwatch analyze}'s driver
 * ({@link LocalPipeline}: the core in one thread, no Flink) and the Flink job graph on a MiniCluster
 * produce the same detections, connection records and fleet statistics, byte for byte as JSON lines
 * after a sort — and so does the job when it reads the segments as agents that batch publish them
 * (grouped by flow, encoded and decoded, in the order the batches close). The job runs at parallelism 1: with more, each subtask knows only its own share of
 * the capture's time (see the tracker's stateless SYN/ACK verdict at the end of a file).
 */
class EquivalenceTest {

    private static final Path CORPUS = Path.of(System.getProperty("tcpwatch.corpus", "../corpus/fixtures"));

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    /** Sorted JSON lines of each output. */
    record Outputs(List<String> detections, List<String> connections, List<String> fleetStats) {
        static Outputs of(List<Detection> ds, List<ConnectionRecord> cs, List<FleetStats> ws) {
            return new Outputs(ds.stream().map(RecordJson::detection).sorted().toList(),
                    cs.stream().map(RecordJson::connection).sorted().toList(),
                    ws.stream().map(FleetStatsJson::of).sorted().toList());
        }
    }

    static Stream<Path> captures() throws IOException {
        try (Stream<Path> top = Files.list(CORPUS); Stream<Path> sweep = Files.list(CORPUS.resolve("sweep"))) {
            return Stream.concat(top, sweep).filter(p -> p.toString().endsWith(".pcap")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void analyzeAndTheJobAgreeOnACapture(Path capture) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        LocalAnalysis.Result job = LocalAnalysis.run(env, List.of(capture), "capture", TrackerConfig.defaults(),
                FleetConfig.defaults(), TunnelPorts.DEFAULTS);
        List<Segment> segments = new ArrayList<>();
        try (CaptureInputs in = CaptureInputs.open(List.of(capture), "capture", TunnelPorts.DEFAULTS)) {
            in.forEach(s -> segments.add(s.copy()));
        }
        Outputs local = local(segments::forEach, true);
        assertSame(Outputs.of(job.detections(), job.connections(), job.fleetStats()), local);

        LocalAnalysis.Result batched = jobOnRuns(throughFlowBatches(segments), 200);
        assertSame(Outputs.of(batched.detections(), batched.connections(), batched.fleetStats()), local);
    }

    /**
     * The job's watermarks come every {@code watermarkIntervalMs} of processing time, so how far events
     * run ahead of them changes from run to run; every cadence gives analyze's answer, Flink's default
     * and none before the input ends alike.
     */
    @ParameterizedTest(name = "watermarks every {0} ms")
    @ValueSource(longs = {200, 600_000})
    void analyzeAndTheJobAgreeOnASimulatedFleet(long watermarkIntervalMs) throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.seconds = 80;
        for (String incident : List.of("rst-storm@12:1", "syn-flood@15:2", "backlog@20:3", "connection-limit@25:4",
                "reconnect-storm@30:5", "packet-loss@35:6", "port-exhaustion@40:10", "syn-burst@40:8")) {
            cfg.incidents.add(Incident.parse(incident));
        }
        List<Segment> segments = new ArrayList<>();
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                segments.add(s.copy());
            }

            @Override
            public void close() {}
        });
        LocalAnalysis.Result job = job(segments, watermarkIntervalMs);
        Outputs local = local(sink -> segments.forEach(sink), false);

        assertThat(job.detections()).as("fleet detections").anyMatch(d -> d.status != null);
        assertSame(Outputs.of(job.detections(), job.connections(), job.fleetStats()), local);
        if (watermarkIntervalMs == 200) {
            List<SegmentRun> runs = throughFlowBatches(segments);
            LocalAnalysis.Result batched = jobOnRuns(runs, watermarkIntervalMs);
            assertSame(Outputs.of(batched.detections(), batched.connections(), batched.fleetStats()), local);
            // with RocksDB every state access is a copy: what a step changes and does not write back is lost
            LocalAnalysis.Result rocksDb = jobOnRuns(runs, watermarkIntervalMs, "rocksdb");
            assertSame(Outputs.of(rocksDb.detections(), rocksDb.connections(), rocksDb.fleetStats()), local);
        }
    }

    /** The job graph at parallelism 1 on {@code segments} in the order given, each a run of its own. */
    private static LocalAnalysis.Result job(List<Segment> segments, long watermarkIntervalMs) throws Exception {
        return jobOnRuns(segments.stream().map(SegmentRun::of).toList(), watermarkIntervalMs);
    }

    /** The job graph at parallelism 1 on {@code runs} in the order given, with heap state. */
    private static LocalAnalysis.Result jobOnRuns(List<SegmentRun> runs, long watermarkIntervalMs) throws Exception {
        return jobOnRuns(runs, watermarkIntervalMs, "hashmap");
    }

    /** The same with the state backend named ({@code hashmap}, {@code rocksdb}). */
    private static LocalAnalysis.Result jobOnRuns(List<SegmentRun> runs, long watermarkIntervalMs, String stateBackend)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.getConfig().setAutoWatermarkInterval(watermarkIntervalMs);
        return LocalAnalysis.run(env.fromData(SegmentRun.class, runs.toArray(SegmentRun[]::new))
                        .assignTimestampsAndWatermarks(TcpwatchJob.runWatermarks(Duration.ofSeconds(2), Duration.ofSeconds(5))),
                TrackerConfig.defaults(), FleetConfig.defaults());
    }

    /**
     * The segments as the job reads them from agents that batch (the default bounds): grouped by flow,
     * each batch encoded and decoded into one run, in the order the batches close.
     */
    private static List<SegmentRun> throughFlowBatches(List<Segment> segments) throws Exception {
        KafkaSink.Batching batching = KafkaSink.Batching.DEFAULT;
        FlowBatches batches = new FlowBatches(batching.maxSegments(), batching.window());
        SegmentBatchEncoder encoder = new SegmentBatchEncoder();
        SegmentRecordDecoder decoder = new SegmentRecordDecoder();
        List<SegmentRun> read = new ArrayList<>();
        FlowBatches.Out out = (key, batch) -> {
            try {
                read.add(SegmentRun.of(decoder.decode(encoder.encodeToArray(batch))));
            } catch (RecordFormatException e) {
                throw new AssertionError(e);
            }
        };
        for (Segment s : segments) {
            batches.add(s, out);
        }
        batches.closeAll(out);
        assertThat(read.stream().flatMap(r -> r.asList().stream())).as("every segment, exactly")
                .containsExactlyInAnyOrderElementsOf(segments);
        assertThat(read).as("runs of several segments").anyMatch(r -> r.size() > 1);
        return read;
    }

    /** The same segments through analyze's driver; {@code oneObserver} as analyze runs it on captures. */
    private static Outputs local(Consumer<Consumer<Segment>> segments, boolean oneObserver) {
        List<Detection> ds = new ArrayList<>();
        List<ConnectionRecord> cs = new ArrayList<>();
        List<FleetStats> ws = new ArrayList<>();
        LocalPipeline pipeline = new LocalPipeline(TrackerConfig.defaults(), FleetConfig.defaults(),
                AnalyzeCommand.OUT_OF_ORDERNESS, oneObserver, new LocalPipeline.Sink() {
                    @Override
                    public void detection(Detection d) {
                        ds.add(d);
                    }

                    @Override
                    public void connection(ConnectionRecord r) {
                        cs.add(r);
                    }

                    @Override
                    public void fleetStats(FleetStats w) {
                        ws.add(w);
                    }

                    @Override
                    public void late(LateSegment l) {
                        throw new AssertionError("a segment came late: " + RecordJson.lateSegment(l));
                    }
                });
        segments.accept(pipeline::accept);
        pipeline.finish();
        return Outputs.of(ds, cs, ws);
    }

    private static void assertSame(Outputs job, Outputs local) {
        assertThat(job.connections()).as("connection records").isNotEmpty();
        assertThat(local.detections()).as("detections").isEqualTo(job.detections());
        assertThat(local.connections()).as("connection records").isEqualTo(job.connections());
        assertThat(local.fleetStats()).as("fleet statistics").isEqualTo(job.fleetStats());
    }
}

package io.tcpwatch.job.analyze;

import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.source.CaptureFileFormat;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.Segment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Capture files → the production job graph → detections, connection records and fleet statistics,
 * collected, on whatever environment it is given (a test MiniCluster, a benchmark's local
 * environment): the job's side of the proof that {@code tcpwatch analyze}, which runs the same core
 * without Flink, finds what the job finds.
 */
public final class LocalAnalysis {

    /** The graph's outputs, each in event-time order. */
    public record Result(List<Detection> detections, List<ConnectionRecord> connections, List<FleetStats> fleetStats) {}

    /** Any output of the job graph, so one run collects them all. */
    public static class Outcome {
        public Detection detection;
        public ConnectionRecord connection;
        public FleetStats fleetStats;

        public Outcome() {}

        static Outcome of(Detection d) {
            Outcome o = new Outcome();
            o.detection = d;
            return o;
        }

        static Outcome of(ConnectionRecord r) {
            Outcome o = new Outcome();
            o.connection = r;
            return o;
        }

        static Outcome of(FleetStats w) {
            Outcome o = new Outcome();
            o.fleetStats = w;
            return o;
        }
    }

    private LocalAnalysis() {}

    public static Result run(StreamExecutionEnvironment env, List<Path> files, String observer, TrackerConfig config)
            throws Exception {
        return run(env, files, observer, config, FleetConfig.defaults());
    }

    public static Result run(StreamExecutionEnvironment env, List<Path> files, String observer, TrackerConfig config,
                             FleetConfig fleet) throws Exception {
        return run(env, files, observer, config, fleet, TunnelPorts.DEFAULTS);
    }

    public static Result run(StreamExecutionEnvironment env, List<Path> files, String observer, TrackerConfig config,
                             FleetConfig fleet, TunnelPorts tunnelPorts) throws Exception {
        FileSource<Segment> source = FileSource.forRecordStreamFormat(new CaptureFileFormat(observer, tunnelPorts),
                files.stream().map(f -> new org.apache.flink.core.fs.Path(f.toAbsolutePath().toUri()))
                        .toArray(org.apache.flink.core.fs.Path[]::new)).build();
        return run(TcpwatchJob.runsOfOne(env.fromSource(source,
                TcpwatchJob.watermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)), "capture files")), config, fleet);
    }

    /** The job graph on {@code runs} (with event timestamps and watermarks), its outputs collected. */
    public static Result run(DataStream<SegmentRun> runs, TrackerConfig config, FleetConfig fleet) throws Exception {
        TcpwatchJob.Outputs graph = TcpwatchJob.build(runs, config, fleet, TcpwatchJob.Health.NONE);
        DataStream<Outcome> all = graph.detections().map(Outcome::of).returns(Outcome.class)
                .union(graph.connections().map(Outcome::of).returns(Outcome.class),
                        graph.fleetStats().map(Outcome::of).returns(Outcome.class));
        List<Detection> detections = new ArrayList<>();
        List<ConnectionRecord> connections = new ArrayList<>();
        List<FleetStats> fleetStats = new ArrayList<>();
        try (CloseableIterator<Outcome> it = all.executeAndCollect("tcpwatch analyze")) {
            it.forEachRemaining(o -> {
                if (o.detection != null) {
                    detections.add(o.detection);
                } else if (o.connection != null) {
                    connections.add(o.connection);
                } else {
                    fleetStats.add(o.fleetStats);
                }
            });
        }
        detections.sort(Comparator.comparingLong(d -> d.startNs));
        connections.sort(Comparator.comparingLong(r -> r.tsNs));
        fleetStats.sort(Comparator.comparingLong(w -> w.windowStartNs));
        return new Result(detections, connections, fleetStats);
    }
}

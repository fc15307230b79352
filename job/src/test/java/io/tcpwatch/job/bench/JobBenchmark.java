package io.tcpwatch.job.bench;

import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.agent.testing.KafkaBroker;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.kafka.StartAt;
import io.tcpwatch.job.source.CaptureFileFormat;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.state.ConnectionSerializer;
import io.tcpwatch.job.state.SegmentHeaderSerializer;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.ConnKey;
import io.tcpwatch.core.connection.TimeWait;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import picocli.CommandLine;

/**
 * The job benchmark (see BENCHMARKS.md): segments/s through the tracker on one core with heap
 * state and with RocksDB, from a capture file and from a pre-filled Kafka topic; and the state
 * bytes of an open connection and of a TIME_WAIT entry.
 *
 * <p>Usage: {@code JobBenchmark <capture> <work dir> <segments in capture> [quick | wire]} — quick: heap state from the
 * file only; wire: from Kafka, flow batches beside one record per segment, in rounds (system properties
 * {@code tcpwatch.bench.backends}, default {@code hashmap,rocksdb}, and {@code tcpwatch.bench.rounds}, default 2).
 */
public final class JobBenchmark {

    public static void main(String[] args) throws Exception {
        Path capture = Path.of(args[0]);
        Path work = Path.of(args[1]);
        long segments = Long.parseLong(args[2]);
        String mode = args.length > 3 ? args[3] : "all";
        boolean quick = mode.equals("quick"); // heap state from the file only
        Files.createDirectories(work);
        System.out.println("| source | state | seconds | segments/s |");
        System.out.println("|---|---|---:|---:|");
        if (mode.equals("wire")) { // from Kafka: flow batches beside one record per segment
            kafka(capture, work, segments, System.getProperty("tcpwatch.bench.backends", "hashmap,rocksdb").split(","), true);
            return;
        }
        for (String backend : quick ? new String[] {"hashmap"} : new String[] {"hashmap", "rocksdb"}) {
            double s = run(backend, work, env -> TcpwatchJob.runsOfOne(env.fromSource(
                    FileSource.forRecordStreamFormat(new CaptureFileFormat("bench"),
                            new org.apache.flink.core.fs.Path(capture.toAbsolutePath().toUri())).build(),
                    TcpwatchJob.watermarks(Duration.ofSeconds(2), Duration.ofSeconds(5)), "capture")));
            row("capture file (parse included)", backend, s, segments);
        }
        if (quick) {
            return;
        }
        kafka(capture, work, segments, new String[] {"hashmap", "rocksdb"}, false);
        stateBytes();
    }

    /**
     * The job from a pre-filled topic, as agents publish by default (flow batches) and, with {@code single},
     * one record per segment beside it: then each is run in rounds ({@code tcpwatch.bench.rounds}), alternating,
     * so that neither has the JVM's warm-up to itself.
     */
    private static void kafka(Path capture, Path work, long segments, String[] backends, boolean single) throws Exception {
        try (KafkaBroker broker = new KafkaBroker(work.resolve("kafka-" + System.nanoTime()))) {
            String[] variants = single ? new String[] {"64", "1"} : new String[] {"64"};
            for (String batchSegments : variants) {
                broker.createTopic("bench.segments-" + batchSegments, 1);
                int exit = new CommandLine(new AgentCommand()).execute("--read", capture.toString(), "--bootstrap",
                        broker.bootstrap(), "--topic", "bench.segments-" + batchSegments, "--observer", "bench",
                        "--batch-segments", batchSegments, "--no-progress");
                if (exit != 0) {
                    throw new IllegalStateException("agent failed: " + exit);
                }
            }
            int rounds = single ? Integer.getInteger("tcpwatch.bench.rounds", 2) : 1;
            for (int round = 0; round < rounds; round++) {
                for (String batchSegments : variants) {
                    for (String backend : backends) {
                        String group = "bench-" + backend + "-" + batchSegments + "-" + round;
                        double s = run(backend, work, env -> KafkaTopics.readSegments(env, broker.bootstrap(),
                                "bench.segments-" + batchSegments, group, StartAt.EARLIEST, true, new Properties(),
                                Duration.ofSeconds(2), Duration.ofSeconds(5)));
                        row(batchSegments.equals("1") ? "Kafka topic, one record per segment (decode included)"
                                : "Kafka topic, flow batches (decode included)", backend, s, segments);
                    }
                }
            }
        }
    }

    interface Source {
        DataStream<SegmentRun> attach(StreamExecutionEnvironment env);
    }

    /** One job run at parallelism 1, discarding its outputs; seconds of job runtime. */
    static double run(String backend, Path work, Source source) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(StateBackendOptions.STATE_BACKEND, backend);
        conf.setString("state.backend.rocksdb.localdir", work.resolve("rocksdb").toString());
        // where RocksDB keeps the timers: Flink's default ROCKSDB, or HEAP (-Dtcpwatch.bench.timers=HEAP)
        conf.setString("state.backend.rocksdb.timer-service.factory", System.getProperty("tcpwatch.bench.timers", "ROCKSDB"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        TcpwatchJob.Outputs out = TcpwatchJob.build(source.attach(env), TrackerConfig.defaults());
        out.detections().sinkTo(new DiscardingSink<>());
        out.connections().sinkTo(new DiscardingSink<>());
        JobExecutionResult result = env.execute("bench " + backend);
        return result.getNetRuntime() / 1000.0;
    }

    static void row(String source, String backend, double seconds, long segments) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %,.0f |%n", source, backend.equals("hashmap") ? "heap" : "RocksDB",
                seconds, segments / seconds);
    }

    /** Serialized state of a typical established connection and of a TIME_WAIT entry (what RocksDB stores). */
    public static void stateBytes() throws Exception {
        Connection c = new Connection();
        c.observer = "node-17.example";
        c.ipVersion = 4;
        c.orig.addr = new byte[] {10, 1, 2, 3};
        c.resp.addr = new byte[] {10, 0, 0, 1};
        c.orig.port = 40123;
        c.resp.port = 443;
        c.history = "ShADad";
        c.state = io.tcpwatch.core.connection.TcpState.ESTABLISHED;
        c.startNs = c.lastNs = c.firstSynNs = c.synAckNs = c.establishedNs = 1_795_000_000_000_000_000L;
        c.orig.isn = c.resp.isn = c.orig.nextSeq = c.resp.nextSeq = 3_000_000_000L;
        c.orig.bytes = c.resp.bytes = 123_456;
        c.orig.pkts = c.resp.pkts = 100;
        c.timerAtMs = 1_795_000_300_000L;
        TimeWait tw = new TimeWait();
        tw.closedNs = tw.expiresNs = 1_795_000_000_000_000_000L;
        ConnKey key = new ConnKey();
        key.observer = c.observer;
        System.out.printf("%nstate per open connection: %d bytes serialized (Connection; %d with Flink's POJO"
                + " serializer) + %d bytes key%n", size(c, ConnectionSerializer.INSTANCE), size(c, Connection.class),
                size(key, ConnKey.class));
        System.out.printf("state per TIME_WAIT entry: %d bytes serialized (TimeWait) + %d bytes key%n",
                size(tw, TimeWait.class), size(key, ConnKey.class));
        SegmentHeader h = new SegmentHeader(); // a FIN/ACK of the connection above
        h.n = 201;
        h.tsNs = c.startNs + 5_000_000_000L;
        h.fromClient = true;
        h.flags = 0x11;
        h.seq = c.orig.isn + 123_457;
        h.ack = c.resp.isn + 123_457;
        h.window = 502;
        System.out.printf("state per kept segment header (the packets of findings; a FIN close keeps 6): %d bytes"
                + " serialized (%d with Flink's POJO serializer)%n", size(h, SegmentHeaderSerializer.INSTANCE),
                size(h, SegmentHeader.class));
    }

    public static <T> int size(T value, Class<T> type) throws Exception {
        return size(value, TypeInformation.of(type).createSerializer(new SerializerConfigImpl()));
    }

    public static <T> int size(T value, TypeSerializer<T> s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(512);
        s.serialize(value, out);
        return out.length();
    }
}

package io.tcpwatch.job.kafka;

import io.tcpwatch.core.tracker.Tracker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent whose clock runs 30 s behind, publishing into the same partitions as correct agents
 * after the job's event time has passed its timestamps: every one of its segments is late —
 * counted and sent to the late side output — and the other observers' detections are exactly
 * those of a run without it.
 *
 * <p>Deterministic by construction: the lagging agent publishes only once the connection
 * tracker's input watermark (read from the job's REST API) is past its newest timestamp, and the
 * watermark never goes back.
 */
@Timeout(600)
class ClockSkewTest extends JobOnKafka {

    private static final int PARTITIONS = 2;
    private static final int PARALLELISM = 2;
    private static final long SKEW_NS = 30_000_000_000L;
    private static final Duration WAIT = Duration.ofMinutes(4);

    @Test
    void aLaggingClockIsLateDataNotCorruption() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 6;
        cfg.seconds = 60;
        cfg.clientVantageEvery = 0;
        cfg.incidents.add(Incident.parse("connection-limit@15:2"));
        List<Segment> fleet = new ArrayList<>();
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                fleet.add(s.copy());
            }

            @Override
            public void close() {}
        });
        List<Segment> behind = fleet.stream().map(ClockSkewTest::behind).toList();
        long newestBehindMs = behind.stream().mapToLong(Tracker::eventTimeMs).max().orElseThrow();

        PartitionedTopic referenceTopic = new PartitionedTopic(KAFKA.broker(), "reference", PARTITIONS);
        PartitionedTopic skewedTopic = new PartitionedTopic(KAFKA.broker(), "skewed", PARTITIONS);
        referenceTopic.publish(fleet);
        skewedTopic.publish(fleet);

        List<String> reference = run(referenceTopic, referenceTopic.endAfter(List.of()), rest -> { });
        List<String> skewed = run(skewedTopic, skewedTopic.endAfter(behind), rest -> {
            await("the tracker's watermark passes the lagging agent's newest timestamp").atMost(WAIT)
                    .until(() -> rest.inputWatermark("connection tracker", PARALLELISM) > newestBehindMs);
            skewedTopic.publish(behind);
        });
        List<String> late = skewed.stream().filter(l -> l.startsWith("LATE ")).toList();
        List<String> others = skewed.stream().filter(l -> !l.startsWith("LATE ")).toList();

        assertThat(reference).noneMatch(l -> l.startsWith("LATE "));
        assertThat(late).as("every segment of the lagging agent is late, and counted").hasSize(behind.size())
                .allMatch(l -> l.equals("LATE behind"));
        assertThat(others).as("the other agents' detections are untouched").containsExactlyInAnyOrderElementsOf(reference);
        System.out.printf("clock skew: %,d segments 30 s behind, all %,d late; %,d detections of the others unchanged%n",
                behind.size(), late.size(), reference.size());
    }

    /** The same segment from another fleet whose agent's clock is 30 s behind (10.x.y.z → 11.x.y.z). */
    private static Segment behind(Segment s) {
        Segment b = s.copy();
        b.observer = "behind";
        b.tsNanos -= SKEW_NS;
        b.srcAddr = other(b.srcAddr);
        b.dstAddr = other(b.dstAddr);
        return b;
    }

    private static byte[] other(byte[] addr) {
        byte[] a = addr.clone();
        if (a.length == 4) {
            a[0] = 11;
        } else {
            a[1] = 1;
        }
        return a;
    }

    interface WhileRunning {
        void accept(JobRest rest) throws Exception;
    }

    /**
     * The job's graph on {@code topic} up to offsets {@code end}: detections as JSON, and
     * "LATE observer" for each late segment; {@code whileRunning} acts on the running job.
     */
    private static List<String> run(PartitionedTopic topic, Map<TopicPartition, Long> end, WhileRunning whileRunning)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(PARALLELISM);
        DataStream<SegmentRun> segments = KafkaTopics.readSegments(env, topic.source("skew-" + topic.name(), end), topic.name(),
                Duration.ofSeconds(2), Duration.ofSeconds(5));
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults(), FleetConfig.defaults(), TcpwatchJob.Health.NONE);
        DataStream<String> all = out.detections().map(RecordJson::detection)
                .union(out.lateSegments().map(l -> "LATE " + l.segment.observer));
        CloseableIterator<String> it = all.collectAsync();
        JobClient job = env.executeAsync("skew " + topic.name());
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> it.forEachRemaining(lines::add), "collect " + topic.name());
        reader.start(); // read while the job runs, so that its results never hold it back
        whileRunning.accept(rest(job.getJobID()));
        job.getJobExecutionResult().get();
        reader.join();
        it.close();
        return lines;
    }
}

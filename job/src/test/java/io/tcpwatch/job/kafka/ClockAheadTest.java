package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.time.ObserverClockOffsets;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent whose clock runs 30 s ahead, publishing into the same partitions as correct agents,
 * segment for segment beside them, all of them pausing together half-way for 25 s: event time
 * follows the quorum of observers, so not one of the others' segments is late and their
 * detections are exactly those of a run without it; the job's metric shows the agent's clock
 * about 30 s ahead and the others' about 0.
 */
@Timeout(600)
class ClockAheadTest extends JobOnKafka {

    private static final long AHEAD_NS = 30_000_000_000L;
    private static final Duration WAIT = Duration.ofMinutes(4);
    private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(2);

    @Test
    void aClockAheadDoesNotMakeTheOthersLate() throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 6;
        cfg.seconds = 60;
        cfg.clientVantageEvery = 0;
        cfg.incidents.add(Incident.parse("connection-limit@15:2"));
        List<Segment> fleet = new ArrayList<>();
        List<Segment> mixed = new ArrayList<>();
        new FleetSimulation(cfg).run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                fleet.add(s.copy());
                mixed.add(s.copy());
                mixed.add(ahead(s));
            }

            @Override
            public void close() {}
        });
        PartitionedTopic referenceTopic = new PartitionedTopic(KAFKA.broker(), "ahead-reference", 2);
        PartitionedTopic aheadTopic = new PartitionedTopic(KAFKA.broker(), "ahead-mixed", 2);
        referenceTopic.publish(fleet);
        List<Segment> firstHalf = mixed.subList(0, mixed.size() / 2);
        List<Segment> secondHalf = mixed.subList(mixed.size() / 2, mixed.size());
        aheadTopic.publish(firstHalf);

        List<String> reference = run(referenceTopic, referenceTopic.endAfter(List.of()), rest -> { });
        long[] measured = new long[2];
        List<String> withAhead = run(aheadTopic, aheadTopic.endAfter(secondHalf), rest -> {
            // the clock metric, read while the first half is in: the agent ahead and a correct one
            await("the observers' clock metric").atMost(WAIT).until(() -> {
                Long ahead = rest.metricMax("observer clocks", id -> id.endsWith(".ahead.clockAheadMs"));
                Long honest = rest.metricMax("observer clocks",
                        id -> id.endsWith(".clockAheadMs") && !id.endsWith(".ahead.clockAheadMs"));
                if (ahead == null || honest == null || ahead < 20_000) {
                    return false;
                }
                measured[0] = ahead;
                measured[1] = honest;
                return true;
            });
            // then every agent pauses, longer than the job takes to forget a silent agent and to follow
            // a lone one: the pause is the scenario (not a wait for a condition). Measured on the wall
            // clock, it left the agent heard last, possibly the one ahead, to be followed
            Thread.sleep(KafkaTopics.OBSERVER_SILENCE.multipliedBy(2).plusSeconds(5).toMillis());
            aheadTopic.publish(secondHalf);
        });

        List<String> others = withAhead.stream().filter(l -> !l.contains("\"observer\":\"ahead\"") && !l.contains("11.20.")).toList();
        assertThat(withAhead).as("no segment is late, the correct agents' least of all").noneMatch(l -> l.startsWith("LATE "));
        assertThat(others).as("the other agents' detections are untouched").containsExactlyInAnyOrderElementsOf(reference);
        assertThat(measured[0]).as("the agent's clock, ms ahead of event time").isBetween(25_000L, 35_000L);
        assertThat(measured[1]).as("the correct agents' clocks, at most").isBetween(-5_000L, 5_000L);
        System.out.printf("clock ahead: %,d segments 30 s ahead, none of the others late; %,d detections of the others"
                + " unchanged; clockAheadMs %,d for the agent ahead, at most %,d for the correct ones%n",
                fleet.size(), reference.size(), measured[0], measured[1]);
    }

    /** The same segment from another fleet whose agent's clock is 30 s ahead (10.x.y.z → 11.x.y.z). */
    private static Segment ahead(Segment s) {
        Segment b = s.copy();
        b.observer = "ahead";
        b.tsNanos += AHEAD_NS;
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

    /** The production graph (observer clocks, then the tcpwatch graph) on the topic up to {@code end}. */
    private static List<String> run(PartitionedTopic topic, Map<TopicPartition, Long> end, WhileRunning whileRunning)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<SegmentRun> read = KafkaTopics.readSegments(env, topic.source("ahead-" + topic.name(), end), topic.name(),
                OUT_OF_ORDERNESS, KafkaTopics.NO_IDLENESS);
        SingleOutputStreamOperator<SegmentRun> segments = read.transform("observer clocks", read.getType(),
                new ObserverClockOffsets(OUT_OF_ORDERNESS.toMillis()));
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults(), FleetConfig.defaults(),
                new TcpwatchJob.Health(null, segments.getSideOutput(ObserverClockOffsets.OFFSETS)));
        DataStream<String> all = out.detections().map(RecordJson::detection)
                .union(out.lateSegments().map(l -> "LATE " + l.segment.observer));
        CloseableIterator<String> it = all.collectAsync();
        JobClient job = env.executeAsync("clock ahead " + topic.name());
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> it.forEachRemaining(lines::add), "collect " + topic.name());
        reader.start();
        whileRunning.accept(rest(job.getJobID()));
        job.getJobExecutionResult().get();
        reader.join();
        it.close();
        return lines;
    }
}

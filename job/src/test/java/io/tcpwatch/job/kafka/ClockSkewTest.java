package io.tcpwatch.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.kafka.KafkaSettings;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.KafkaSink;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.record.RecordJson;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent whose clock runs 30 s behind, publishing into the same partitions as correct agents:
 * its segments fall behind the watermark and are counted and sent to the late side output, and
 * the other observers' detections are exactly those of a run without it.
 */
@Timeout(240)
class ClockSkewTest extends JobOnKafka {

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
        KAFKA.broker().createTopic("reference", 2);
        KAFKA.broker().createTopic("skewed", 2);
        publish("reference", fleet, false);
        publish("skewed", fleet, true);

        List<String> reference = run("reference");
        List<String> skewed = run("skewed");
        List<String> late = skewed.stream().filter(l -> l.startsWith("LATE ")).toList();
        List<String> others = skewed.stream().filter(l -> !l.startsWith("LATE ") && !l.contains("\"observer\":\"behind\"")
                && !l.contains("11.20.")).toList();

        assertThat(reference).noneMatch(l -> l.startsWith("LATE "));
        // how many depends on when watermarks were emitted while the topic was read; only its segments are late
        assertThat(late).as("the lagging agent's segments are late, counted").isNotEmpty()
                .allMatch(l -> l.equals("LATE behind"));
        assertThat(others).as("the other agents' detections are untouched").containsExactlyInAnyOrderElementsOf(reference);
        System.out.printf("clock skew: %,d segments 30 s behind, %,d of them late; %,d detections of the others unchanged%n",
                fleet.size(), late.size(), reference.size());
    }

    /** Publishes the fleet; with {@code skew}, also a copy from another fleet whose agent's clock is 30 s behind. */
    private static void publish(String topic, List<Segment> fleet, boolean skew) throws InterruptedException {
        SegmentPublisher publisher = new SegmentPublisher(
                KafkaSettings.producer(KAFKA.broker().bootstrap(), "skew", "lz4", Map.of()), topic, 100_000);
        try (KafkaSink sink = new KafkaSink(publisher, true)) {
            for (Segment s : fleet) {
                sink.accept(s);
                if (skew) {
                    Segment b = s.copy();
                    b.observer = "behind";
                    b.tsNanos -= 30_000_000_000L;
                    b.srcAddr = other(b.srcAddr);
                    b.dstAddr = other(b.dstAddr);
                    sink.accept(b);
                }
            }
        }
    }

    /** The same address in another fleet: 10.x.y.z → 11.x.y.z. */
    private static byte[] other(byte[] addr) {
        byte[] a = addr.clone();
        if (a.length == 4) {
            a[0] = 11;
        } else {
            a[1] = 1;
        }
        return a;
    }

    /** The job's graph on the topic: detections as JSON, and "LATE observer" for each late segment. */
    private static List<String> run(String topic) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // watermarks every millisecond instead of 200: a topic read in well under a second still sees
        // event time pass while it is read, as a running job does
        env.getConfig().setAutoWatermarkInterval(1);
        DataStream<Segment> segments = KafkaTopics.readSegments(env, KAFKA.broker().bootstrap(), topic, "skew-" + topic, true,
                new Properties(), Duration.ofSeconds(2), Duration.ofSeconds(5));
        TcpwatchJob.Outputs out = TcpwatchJob.build(segments, TrackerConfig.defaults(), FleetConfig.defaults(), null);
        DataStream<String> all = out.detections().map(RecordJson::detection)
                .union(out.lateSegments().map(s -> "LATE " + s.observer));
        List<String> lines = new ArrayList<>();
        try (CloseableIterator<String> it = all.executeAndCollect("skew " + topic)) {
            it.forEachRemaining(lines::add);
        }
        return lines;
    }
}

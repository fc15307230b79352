package io.tcpwatch.job.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.Detection;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.job.time.ClockOffset;
import io.tcpwatch.job.time.ObserverClockOffsets;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Each agent's clock offset, measured against the others, and the confidence of detections that compare agents. */
class ClockConfidenceTest {

    private static final long T0_MS = 1_795_000_000_000L;
    private static final long OUT_OF_ORDERNESS_MS = 2_000;

    @Test
    void anAgentThirtySecondsAheadIsReportedSoAndTheOthersAtAboutZeroOrLessEvenWhileCatchingUp() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<>(new ObserverClockOffsets(OUT_OF_ORDERNESS_MS))) {
            h.open();
            // a job catching up: everyone's newest capture runs 8 s beyond the watermark; one agent 30 s more
            for (long ms = 0; ms <= 20_000; ms += 100) {
                segment(h, "srv-1", ms);
                segment(h, "srv-2", ms - 50);
                segment(h, "cli-a", ms - 20);
                segment(h, "ahead", ms + 30_000);
                if (ms % 10_000 == 0) {
                    h.processWatermark(T0_MS + ms - 8_000);
                }
            }
            Map<String, Long> last = h.getSideOutput(ObserverClockOffsets.OFFSETS).stream().map(StreamRecord::getValue)
                    .collect(Collectors.toMap(o -> o.observer, o -> o.aheadMs, (a, b) -> b));
            assertThat(last.get("ahead")).isBetween(29_900L, 30_100L);
            assertThat(last).as("the correct agents lead their neighbours by their own spread at most")
                    .allSatisfy((observer, lead) -> assertThat(observer.equals("ahead") || lead <= 100).isTrue());
            System.out.println("clock offsets reported: " + last);
        }
    }

    @Test
    void detectionsComparingAgentsOneOfWhichRunsAheadCarryLowerConfidenceAndSayWhy() throws Exception {
        try (BroadcastOperatorTestHarness<Detection, ClockOffset, Detection> h = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(new ClockConfidenceFunction(Duration.ofSeconds(10)),
                        List.of(ClockConfidenceFunction.CLOCKS)), 1, 1, 0)) {
            h.open();
            h.processBroadcastElement(new ClockOffset("ahead", 30_000, T0_MS + 10_000), T0_MS);
            h.processBroadcastElement(new ClockOffset("ahead", 29_000, T0_MS + 10_000), T0_MS); // another subtask, same round
            h.processBroadcastElement(new ClockOffset("drift", 2_000, T0_MS + 10_000), T0_MS);
            h.processBroadcastElement(new ClockOffset("srv-1", 40, T0_MS + 10_000), T0_MS);
            h.processElement(detection("ahead,srv-1", 12_000), T0_MS);
            h.processElement(detection("drift,srv-1", 12_000), T0_MS);
            h.processElement(detection("srv-1,srv-2", 12_000), T0_MS);
            h.processElement(detection("ahead", 12_000), T0_MS); // one agent: one clock
            h.processElement(detection("ahead,srv-1", 900_000), T0_MS); // long after the last report
            List<Detection> out = h.extractOutputValues();
            assertThat(out).extracting(d -> d.confidence).containsExactly(0.5, 0.8, 1.0, 1.0, 1.0);
            assertThat(out.get(0).explanation).endsWith("Lower confidence: ahead's clock runs 30.0 s ahead of the other"
                    + " agents'; its events are compared with theirs across different moments.");
            assertThat(out.get(2).explanation).isEqualTo("A storm.");
        }
    }

    private static void segment(OneInputStreamOperatorTestHarness<SegmentRun, SegmentRun> h, String observer, long ms) throws Exception {
        Segment s = new Segment();
        s.observer = observer;
        s.tsNanos = (T0_MS + ms) * 1_000_000L;
        h.processElement(SegmentRun.of(s), T0_MS + ms);
    }

    private static Detection detection(String observers, long endMs) {
        Detection d = new Detection();
        d.type = "RST_STORM";
        d.observer = observers;
        d.server = "10.0.0.1:443";
        d.startNs = (T0_MS + endMs - 1_000) * 1_000_000L;
        d.endNs = (T0_MS + endMs) * 1_000_000L;
        d.confidence = 1.0;
        d.explanation = "A storm.";
        return d;
    }
}

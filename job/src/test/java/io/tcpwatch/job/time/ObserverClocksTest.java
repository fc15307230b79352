package io.tcpwatch.job.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class ObserverClocksTest {

    private static final long T = 1_800_000_000_000L;

    @Test
    void aLoneObserverIsFollowedOnceItHasBeenAloneForTheForgetTime() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        c.observe("a", T, 0);
        c.observe("a", T + 700, 1);
        c.observe("a", T + 300, 2); // out of order: the newest counts
        assertThat(c.eventTimeMs(3)).as("it may be the one running ahead").isEqualTo(Long.MIN_VALUE);
        c.observe("a", T + 800, 5_000);
        assertThat(c.eventTimeMs(5_003)).as("alone for 5 s").isEqualTo(T + 800);
    }

    @Test
    void aLoneObserverThatWentSilentIsStillFollowed() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        c.observe("a", T, 0);
        c.observe("a", T + 60_000, 200); // a burst, then nothing
        assertThat(c.eventTimeMs(300)).isEqualTo(Long.MIN_VALUE);
        assertThat(c.eventTimeMs(30_000)).as("silent for 30 s, alone for more than 5 s").isEqualTo(T + 60_000);
        assertThat(c.active()).isEqualTo(1);
    }

    @Test
    void aClockAheadDoesNotCarryEventTimeAndOneBehindDoesNotHoldItBack() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        for (String honest : List.of("a", "b", "c", "d")) {
            c.observe(honest, T + 1_000, 0);
        }
        c.observe("ahead", T + 31_000, 0);
        assertThat(c.eventTimeMs(0)).as("30 s ahead: ignored").isEqualTo(T + 1_000);
        c.observe("behind", T - 29_000, 0);
        assertThat(c.eventTimeMs(0)).as("30 s behind: ignored").isEqualTo(T + 1_000);
    }

    @Test
    void twoClocksThatAgreeGiveTheNewerTimeTwoThatDisagreeTheOlder() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        c.observe("server", T + 2_000, 0);
        c.observe("client", T + 1_500, 0);
        assertThat(c.eventTimeMs(0)).isEqualTo(T + 2_000);
        c.observe("server", T + 32_000, 0);
        assertThat(c.eventTimeMs(0)).as("30 s apart: nobody confirms the newer").isEqualTo(T + 1_500);
    }

    @Test
    void quietObserversDoNotHoldEventTimeBack() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        c.observe("busy-1", T + 10_000, 0);
        c.observe("busy-2", T + 9_800, 0);
        for (String quiet : List.of("q1", "q2", "q3", "q4")) {
            c.observe(quiet, T, 0); // their last segment was 10 s ago: no traffic since, not a clock behind
        }
        assertThat(c.eventTimeMs(0)).isEqualTo(T + 10_000);
    }

    @Test
    void anObserverSilentWhileTheOthersGoOnIsForgotten() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        c.observe("gone", T, 0);
        for (long now = 500; now <= 5_000; now += 500) {
            c.observe("here", T + 60_000 + now, now);
        }
        assertThat(c.eventTimeMs(5_000)).as("'here' went on for 5 s: both still count").isEqualTo(T);
        c.observe("here", T + 65_500, 5_500);
        assertThat(c.eventTimeMs(5_500)).as("'gone' silent for more than 5 s while 'here' went on; 'here' alone since")
                .isEqualTo(Long.MIN_VALUE);
        assertThat(c.active()).isEqualTo(1);
        for (long now = 6_000; now <= 10_500; now += 500) {
            c.observe("here", T + 60_000 + now, now);
        }
        assertThat(c.eventTimeMs(10_500)).as("alone for 5 s").isEqualTo(T + 70_500);
        assertThat(new ObserverClocks(1_000, 5_000).eventTimeMs(0)).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aPauseOfTheWholeInputForgetsNobodyNotEvenForTheObserverHeardLast() {
        ObserverClocks c = new ObserverClocks(1_000, 5_000);
        for (String honest : List.of("a", "b", "c")) {
            c.observe(honest, T + 1_000, 0);
        }
        c.observe("ahead", T + 31_000, 10); // heard last before the pause
        assertThat(c.eventTimeMs(60_000)).as("a minute without any segment: the same quorum").isEqualTo(T + 1_000);
        assertThat(c.active()).isEqualTo(4);
        c.observe("a", T + 1_500, 60_100);
        assertThat(c.active()).as("nobody forgotten when the input resumes").isEqualTo(4);
        c.observe("b", T + 1_500, 60_100);
        assertThat(c.eventTimeMs(60_100)).as("the input resumes where it paused").isEqualTo(T + 1_500);
    }

    @Test
    void aQuietInputGoesIdleOnceItsLoneObserverIsTrustedAndAnEventMakesItActive() {
        long[] now = {0};
        ObserverWatermarks<String[]> w = new ObserverWatermarks<>(e -> e[0], 2_000, 10_000, 2_000, () -> now[0]);
        List<String> out = new ArrayList<>();
        WatermarkOutput output = recording(out);
        w.onEvent(new String[] {"a"}, T + 60_000, output);
        for (now[0] = 0; now[0] < 10_000; now[0] += 200) {
            w.onPeriodicEmit(output);
        }
        assertThat(out).as("quiet after 2 s, but alone for less than 10 s: it may be the one running ahead, and an idle"
                + " input would never close its windows").isEmpty();
        now[0] = 10_000;
        w.onPeriodicEmit(output);
        now[0] = 10_200;
        w.onPeriodicEmit(output);
        assertThat(out).as("trusted: its time, then idle, once").containsExactly("wm 57999", "idle");
        w.onEvent(new String[] {"a"}, T + 61_000, output);
        assertThat(out).last().isEqualTo("active");
    }

    @Test
    void anInputThatNeverHeardAnythingGoesIdle() {
        long[] now = {0};
        ObserverWatermarks<String[]> w = new ObserverWatermarks<>(e -> e[0], 2_000, 10_000, 2_000, () -> now[0]);
        List<String> out = new ArrayList<>();
        WatermarkOutput output = recording(out);
        now[0] = 1_999;
        w.onPeriodicEmit(output);
        now[0] = 2_000;
        w.onPeriodicEmit(output);
        w.onPeriodicEmit(output);
        assertThat(out).containsExactly("idle");
    }

    @Test
    void watermarksFollowTheQuorumMinusTheOutOfOrdernessAndNeverGoBack() {
        long[] now = {0};
        ObserverWatermarks<String[]> w = new ObserverWatermarks<>(e -> e[0], 2_000, 5_000, 60_000, () -> now[0]);
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out = new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                emitted.add(watermark.getTimestamp());
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
        };
        w.onPeriodicEmit(out);
        assertThat(emitted).as("nothing before the first event").isEmpty();
        for (String o : List.of("a", "b", "c")) {
            w.onEvent(new String[] {o}, T + 10_000, out);
        }
        w.onEvent(new String[] {"ahead"}, T + 40_000, out);
        w.onEvent(new String[] {null}, T + 90_000, out); // not a segment: no observer, no effect
        w.onPeriodicEmit(out);
        assertThat(emitted).containsExactly(T + 10_000 - 2_000 - 1);
        // a late joiner with an older clock goes on alone: a, b, c and ahead are forgotten, it is followed
        for (now[0] = 6_000; now[0] <= 16_000; now[0] += 500) {
            w.onEvent(new String[] {"late-joiner"}, T + now[0] / 1_000, out);
            w.onPeriodicEmit(out); // alone long enough at the end, but older than what was emitted
        }
        assertThat(emitted).as("never backwards").containsExactly(T + 10_000 - 2_000 - 1);
    }

    /** An output that notes "wm <ms after T>", "idle" and "active" in {@code out}. */
    private static WatermarkOutput recording(List<String> out) {
        return new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                out.add("wm " + (watermark.getTimestamp() - T));
            }

            @Override
            public void markIdle() {
                out.add("idle");
            }

            @Override
            public void markActive() {
                out.add("active");
            }
        };
    }
}

package io.tcpwatch.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The pacer's waits on a virtual clock: exact, whatever else the machine is doing. */
class PacerTest {

    /** A clock that only moves when the pacer waits on it; it records every wait. */
    private static final class VirtualClock implements Pacer.Clock {
        long now = 5_000_000_000L;
        final List<Long> parks = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void park(long nanos) {
            parks.add(nanos);
            now += nanos;
        }
    }

    private static final long START = 1_795_000_000_000_000_000L;

    /** Replays {@code frames + 1} frames spread evenly over {@code spanNs}; returns the virtual time it took. */
    private static long replay(String speed, BooleanSupplier stopping, VirtualClock clock, long spanNs, int frames) {
        Pacer pacer = Pacer.parse(speed, stopping, clock);
        long t0 = clock.now;
        for (int i = 0; i <= frames; i++) {
            pacer.await(START + spanNs * i / frames);
        }
        return clock.now - t0;
    }

    @Test
    void realtimeKeepsTheRecordedGapsAndFactorsScaleThem() {
        assertThat(replay("realtime", () -> false, new VirtualClock(), 400_000_000L, 40)).isEqualTo(400_000_000L);
        assertThat(replay("10x", () -> false, new VirtualClock(), 400_000_000L, 40)).isEqualTo(40_000_000L);
        assertThat(replay("0.5x", () -> false, new VirtualClock(), 400_000_000L, 40)).isEqualTo(800_000_000L);
        VirtualClock max = new VirtualClock();
        assertThat(replay("max", () -> false, max, 400_000_000L, 40)).isZero();
        assertThat(max.parks).as("max never waits").isEmpty();
    }

    @Test
    void eachFrameIsReleasedAtItsScaledCaptureTime() {
        VirtualClock clock = new VirtualClock();
        Pacer pacer = Pacer.parse("2x", () -> false, clock);
        long t0 = clock.now;
        long[] gaps = {0, 10_000_000L, 10_000_000L, 500_000_000L, 1L};
        long capture = START;
        long expectedWall = 0;
        for (long gap : gaps) {
            capture += gap;
            expectedWall += gap / 2;
            pacer.await(capture);
            assertThat(clock.now - t0).isEqualTo(expectedWall);
        }
    }

    @Test
    void aLongGapIsWaitedInStepsSoThatAStopIsNoticed() {
        VirtualClock clock = new VirtualClock();
        int[] checks = {0};
        long took = replay("realtime", () -> ++checks[0] > 3, clock, 60_000_000_000L, 2);
        assertThat(clock.parks).as("three steps of at most 100 ms, then the stop request")
                .hasSize(3).allMatch(p -> p <= Pacer.MAX_PARK_NS);
        assertThat(took).isEqualTo(3 * Pacer.MAX_PARK_NS);
    }

    @Test
    void aFileThatStartsEarlierReAnchors() {
        VirtualClock clock = new VirtualClock();
        Pacer pacer = Pacer.parse("realtime", () -> false, clock);
        pacer.await(START);
        pacer.await(START - 3_600_000_000_000L); // a second file, an hour earlier: no hour-long wait
        pacer.await(START - 3_600_000_000_000L + 20_000_000L);
        assertThat(clock.parks.stream().mapToLong(Long::longValue).sum()).isEqualTo(20_000_000L);
    }

    @Test
    void theSystemClockReallyWaits() {
        long t0 = System.nanoTime();
        Pacer pacer = Pacer.parse("realtime", () -> false);
        pacer.await(START);
        pacer.await(START + 50_000_000L);
        assertThat(System.nanoTime() - t0).as("at least the recorded gap").isGreaterThanOrEqualTo(50_000_000L);
    }

    @Test
    void speedsAreParsedOrRefusedWithASentence() {
        assertThat(Pacer.parse("max", () -> false).isMax()).isTrue();
        assertThat(Pacer.parse("2.5x", () -> false).isMax()).isFalse();
        assertThat(Pacer.parse("3", () -> false).isMax()).isFalse();
        for (String bad : new String[] {"0", "-1x", "fast", "x", "NaN"}) {
            assertThatThrownBy(() -> Pacer.parse(bad, () -> false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--speed takes");
        }
    }
}

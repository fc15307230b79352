package io.tcpwatch.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {

    private static long replay(Pacer pacer, long spanNs, int frames) {
        long t0 = System.nanoTime();
        long start = 1_795_000_000_000_000_000L;
        for (int i = 0; i <= frames; i++) {
            pacer.await(start + spanNs * i / frames);
        }
        return System.nanoTime() - t0;
    }

    @Test
    void realtimeKeepsTheRecordedGapsAndFactorsScaleThem() {
        long realtime = replay(Pacer.parse("realtime", () -> false), 400_000_000L, 40);
        long tenTimes = replay(Pacer.parse("10x", () -> false), 400_000_000L, 40);
        long max = replay(Pacer.parse("max", () -> false), 400_000_000L, 40);

        assertThat(realtime).isGreaterThanOrEqualTo(400_000_000L);
        assertThat(tenTimes).isGreaterThanOrEqualTo(40_000_000L).isLessThan(realtime);
        assertThat(max).isLessThan(40_000_000L);
    }

    @Test
    void stoppingEndsAWaitEarly() {
        long took = replay(Pacer.parse("realtime", () -> true), 60_000_000_000L, 2);
        assertThat(took).isLessThan(5_000_000_000L);
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

package io.tcpwatch.core.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StackFamilyTest {

    @Test
    void theInitialTtlLessTheHopsTellsTheFamily() {
        assertThat(StackFamily.ofObservedTtl(64)).isEqualTo(StackFamily.LINUX_LIKE);
        assertThat(StackFamily.ofObservedTtl(50)).as("14 hops from a Linux host").isEqualTo(StackFamily.LINUX_LIKE);
        assertThat(StackFamily.ofObservedTtl(128)).isEqualTo(StackFamily.WINDOWS_LIKE);
        assertThat(StackFamily.ofObservedTtl(113)).as("15 hops from a Windows host").isEqualTo(StackFamily.WINDOWS_LIKE);
        assertThat(StackFamily.ofObservedTtl(65)).isEqualTo(StackFamily.WINDOWS_LIKE);
        assertThat(StackFamily.ofObservedTtl(255)).as("network gear").isEqualTo(StackFamily.LINUX_LIKE);
        assertThat(StackFamily.ofObservedTtl(-1)).as("not seen").isEqualTo(StackFamily.LINUX_LIKE);
    }
}

package io.tcpwatch.core.record;

/**
 * Which kind of TCP stack sent a packet, told from its IP TTL as it arrives: stacks start at 64
 * (Linux, macOS, the BSDs) or 128 (Windows) and every router on the way takes one off; 255 (network
 * gear) counts as Linux-like. The one place that reads a TTL this way: TIME_WAIT, the first SYN/ACK
 * retransmission and the ephemeral port range follow from it.
 */
public enum StackFamily {
    LINUX_LIKE,
    WINDOWS_LIKE;

    /** The family of a sender whose packets arrive with {@code observedTtl} (unknown, below 0: Linux-like). */
    public static StackFamily ofObservedTtl(int observedTtl) {
        return observedTtl > 64 && observedTtl <= 128 ? WINDOWS_LIKE : LINUX_LIKE;
    }
}

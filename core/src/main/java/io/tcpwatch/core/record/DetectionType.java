package io.tcpwatch.core.record;

/**
 * What a detection is about — the {@code type} of a detection record, under these very names
 * (docs/ARCHITECTURE.md, "The vocabulary"). Per connection first, then the fleet's episodes.
 */
public enum DetectionType {
    RST,
    PORT_REUSE_COLLISION,
    ZERO_WINDOW_STALL,
    HALF_OPEN,
    SYN_RETRANSMIT,
    UNANSWERED_REQUEST,
    RST_STORM,
    SYN_FLOOD,
    ACCEPT_BACKLOG_OVERFLOW,
    CONNECTION_LIMIT,
    RECONNECT_STORM,
    SLOW_RESPONSES,
    RETRANSMISSION_SURGE,
    PORT_EXHAUSTION_RISK;

    /** The type a record names, or null for a name outside the vocabulary. */
    public static DetectionType of(String name) {
        for (DetectionType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}

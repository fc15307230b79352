package io.tcpwatch.core.record;

/** Why an RST was sent — an {@code RST} detection's {@code cause} (docs/ARCHITECTURE.md, "The vocabulary"). */
public enum RstCause {
    REFUSED,
    REJECTED_AFTER_HANDSHAKE,
    ABORTIVE_CLOSE,
    RST_AFTER_FIN,
    IDLE_TIMEOUT,
    CHALLENGE_ACK_REPLY,
    DATA_AFTER_RST,
    OTHER;

    /** Normal behaviour worth explaining, not a fault. */
    public boolean isNormal() {
        return this == RST_AFTER_FIN || this == CHALLENGE_ACK_REPLY;
    }

    /** The cause a record names; OTHER for any other name. */
    public static RstCause of(String name) {
        for (RstCause c : values()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return OTHER;
    }
}

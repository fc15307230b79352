package io.tcpwatch.core.record;

/** A fleet episode's {@code status}: it opens, is updated when it grows or worsens, and resolves after quiet windows. */
public enum EpisodeStatus {
    OPEN,
    UPDATE,
    RESOLVED
}

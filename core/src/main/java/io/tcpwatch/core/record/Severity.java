package io.tcpwatch.core.record;

/** How bad a detection is — its record's {@code severity}, in rising order. */
public enum Severity {
    INFO,
    WARNING,
    CRITICAL;

    /** Higher is worse. */
    public int rank() {
        return ordinal();
    }

    /** The rank of a record's severity (an unknown name ranks with INFO). */
    public static int rank(String name) {
        for (Severity s : values()) {
            if (s.name().equals(name)) {
                return s.rank();
            }
        }
        return INFO.rank();
    }
}

package io.tcpwatch.core.state;

/** One value kept for the key a keyed step is called for (Flink: a {@code ValueState}). */
public interface Cell<V> {

    /** The value, or null when there is none. */
    V get();

    void set(V value);

    void clear();
}

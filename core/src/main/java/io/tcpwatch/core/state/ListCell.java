package io.tcpwatch.core.state;

import java.util.List;

/**
 * A list kept for the key a keyed step is called for (Flink: a {@code ListState}): adding does not
 * read it (on RocksDB a merge), so a step may add often and read rarely.
 */
public interface ListCell<V> {

    void add(V value);

    /** The elements in the order added; empty when there are none. */
    List<V> get();

    /** Replaces the elements. */
    void update(List<V> values);

    void clear();
}

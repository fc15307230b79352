package io.tcpwatch.core.state;

import java.util.Map;

/** A map kept for the key a keyed step is called for (Flink: a {@code MapState}). */
public interface Table<K, V> {

    /** The value under {@code key}, or null. */
    V get(K key);

    void put(K key, V value);

    void remove(K key);

    boolean contains(K key);

    boolean isEmpty();

    Iterable<Map.Entry<K, V>> entries();
}

package io.tcpwatch.core.state;

import java.util.List;

/**
 * Where a keyed step keeps its state: named cells, lists and tables scoped to the key it is called for.
 * The Flink job backs them with keyed state (heap or RocksDB), the local driver with hash maps, so
 * the same logic runs on both; values are small serializable objects (POJOs, byte arrays).
 */
public interface StateStore {

    <V> Cell<V> cell(String name, Class<V> type);

    <V> ListCell<V> list(String name, Class<V> elementType);

    <K, V> Table<K, V> table(String name, Class<K> keyType, Class<V> valueType);

    /** A table whose values are lists of {@code elementType}. */
    <K, V> Table<K, List<V>> listTable(String name, Class<K> keyType, Class<V> elementType);
}

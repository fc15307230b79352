package io.tcpwatch.core.local;

import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;

/**
 * One keyed step's state and timers in memory, as Flink keeps them for a keyed function: every cell
 * and table is scoped to the current key ({@link #at}), timers are per key and instant, and
 * {@link #advance} fires those the watermark has passed in time order (ties in the order they were
 * set), including timers set while firing.
 */
final class LocalKeyedState<K> implements StateStore, Timers {

    private record Timer<K>(long atMs, long seq, K key) {}

    private record TimerId<K>(K key, long atMs) {}

    private final PriorityQueue<Timer<K>> queue = new PriorityQueue<>((a, b) -> a.atMs != b.atMs
            ? Long.compare(a.atMs, b.atMs) : Long.compare(a.seq, b.seq));
    /** The live timers: a cancelled or fired one leaves its queue entry to be skipped. */
    private final Map<TimerId<K>, Long> live = new HashMap<>();
    private final List<Map<K, ?>> perKey = new ArrayList<>();
    private long seq;
    private long watermark = Long.MIN_VALUE;
    private K current;

    /** Makes {@code key} current for the calls that follow; returns this, as the step's timers. */
    LocalKeyedState<K> at(K key) {
        current = key;
        return this;
    }

    K current() {
        return current;
    }

    /** Moves the watermark to {@code toMs} and fires, key by key, every timer it has reached. */
    void advance(long toMs, BiConsumer<K, Long> fire) {
        watermark = Math.max(watermark, toMs);
        Timer<K> t;
        while ((t = queue.peek()) != null && t.atMs <= watermark) {
            queue.poll();
            TimerId<K> id = new TimerId<>(t.key, t.atMs);
            Long liveSeq = live.get(id);
            if (liveSeq != null && liveSeq == t.seq) {
                live.remove(id);
                fire.accept(at(t.key).current(), t.atMs);
            }
        }
    }

    /** Keys holding state in any cell or table: what a local run keeps in memory. */
    long keysHeld() {
        return perKey.stream().mapToLong(Map::size).max().orElse(0);
    }

    @Override
    public long watermark() {
        return watermark;
    }

    @Override
    public void schedule(long atMs) {
        TimerId<K> id = new TimerId<>(current, atMs);
        if (!live.containsKey(id)) {
            long s = seq++;
            live.put(id, s);
            queue.add(new Timer<>(atMs, s, current));
        }
    }

    @Override
    public void cancel(long atMs) {
        live.remove(new TimerId<>(current, atMs));
    }

    @Override
    public <V> Cell<V> cell(String name, Class<V> type) {
        Map<K, V> values = new HashMap<>();
        perKey.add(values);
        return new Cell<>() {
            @Override
            public V get() {
                return values.get(current);
            }

            @Override
            public void set(V value) {
                values.put(current, value);
            }

            @Override
            public void clear() {
                values.remove(current);
            }
        };
    }

    @Override
    public <V> ListCell<V> list(String name, Class<V> elementType) {
        Map<K, List<V>> lists = new HashMap<>();
        perKey.add(lists);
        return new ListCell<>() {
            @Override
            public void add(V value) {
                lists.computeIfAbsent(current, k -> new ArrayList<>()).add(value);
            }

            @Override
            public List<V> get() {
                List<V> l = lists.get(current);
                return l == null ? List.of() : new ArrayList<>(l);
            }

            @Override
            public void update(List<V> values) {
                if (values.isEmpty()) {
                    lists.remove(current);
                } else {
                    lists.put(current, new ArrayList<>(values));
                }
            }

            @Override
            public void clear() {
                lists.remove(current);
            }
        };
    }

    @Override
    public <T, V> Table<T, V> table(String name, Class<T> keyType, Class<V> valueType) {
        Map<K, Map<T, V>> tables = new HashMap<>();
        perKey.add(tables);
        return new Table<>() {
            @Override
            public V get(T key) {
                Map<T, V> t = tables.get(current);
                return t == null ? null : t.get(key);
            }

            @Override
            public void put(T key, V value) {
                tables.computeIfAbsent(current, k -> new HashMap<>()).put(key, value);
            }

            @Override
            public void remove(T key) {
                Map<T, V> t = tables.get(current);
                if (t != null) {
                    t.remove(key);
                    if (t.isEmpty()) {
                        tables.remove(current);
                    }
                }
            }

            @Override
            public boolean contains(T key) {
                Map<T, V> t = tables.get(current);
                return t != null && t.containsKey(key);
            }

            @Override
            public boolean isEmpty() {
                return !tables.containsKey(current);
            }

            @Override
            public Iterable<Map.Entry<T, V>> entries() {
                Map<T, V> t = tables.get(current);
                return t == null ? List.of() : new ArrayList<>(t.entrySet());
            }
        };
    }

    @Override
    public <T, V> Table<T, List<V>> listTable(String name, Class<T> keyType, Class<V> elementType) {
        return table(name, keyType, null);
    }
}

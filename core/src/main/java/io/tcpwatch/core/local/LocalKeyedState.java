package io.tcpwatch.core.local;

import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/**
 * One keyed step's state and timers in memory, as Flink keeps them for a keyed function: every cell
 * and table is scoped to the current key ({@link #at}), timers are per key and instant, and
 * {@link #advance} fires those the watermark has passed in time order (ties in the order they were
 * set), including timers set while firing.
 *
 * <p>A key holds one {@link Slot}: its cells, lists and tables by index and its few timer instants,
 * found with one look-up when the key becomes current. A slot with nothing left in it is dropped,
 * so memory follows the keys that hold state. Timers wait in lists per instant, the instants in a
 * heap; a cancelled timer's entry stays in its list and is passed over when its instant comes.
 */
final class LocalKeyedState<K> implements StateStore, Timers {

    /** What one key holds. */
    private static final class Slot<K> {
        final K key;
        Object[] values;
        int held;
        long[] timers = NO_TIMERS;
        int timerCount;

        Slot(K key, int cells) {
            this.key = key;
            this.values = new Object[cells];
        }

        boolean isEmpty() {
            return held == 0 && timerCount == 0;
        }

        int timerIndex(long atMs) {
            for (int i = 0; i < timerCount; i++) {
                if (timers[i] == atMs) {
                    return i;
                }
            }
            return -1;
        }

        void removeTimer(int i) {
            timers[i] = timers[--timerCount];
        }
    }

    private static final long[] NO_TIMERS = new long[0];

    /** Makes a key the state may keep from one a caller may reuse. */
    private final UnaryOperator<K> keep;
    private final Map<K, Slot<K>> slots = new HashMap<>();
    /** Per instant, the slots with a timer then, in the order set; the instants in a heap. */
    private final Map<Long, List<Slot<K>>> due = new HashMap<>();
    private final PriorityQueue<Long> instants = new PriorityQueue<>();
    private int cells;
    private long watermark = Long.MIN_VALUE;
    private K current;
    /** The current key's slot, null while it holds nothing. */
    private Slot<K> slot;

    /** State for keys that are values (strings, records): they are kept as given. */
    LocalKeyedState() {
        this(UnaryOperator.identity());
    }

    /** State for keys a caller reuses: {@code keep} copies one when the state first holds something for it. */
    LocalKeyedState(UnaryOperator<K> keep) {
        this.keep = keep;
    }

    /** Makes {@code key} current for the calls that follow; returns this, as the step's timers. */
    LocalKeyedState<K> at(K key) {
        current = key;
        slot = slots.get(key);
        return this;
    }

    /** Moves the watermark to {@code toMs} and fires, key by key, every timer it has reached. */
    void advance(long toMs, BiConsumer<K, Long> fire) {
        watermark = Math.max(watermark, toMs);
        Long at;
        while ((at = instants.peek()) != null && at <= watermark) {
            instants.poll();
            List<Slot<K>> waiting = due.get(at);
            for (int i = 0; i < waiting.size(); i++) { // timers set for this instant while firing join the list
                Slot<K> s = waiting.get(i);
                int t = s.timerIndex(at);
                if (t >= 0) {
                    s.removeTimer(t);
                    current = s.key;
                    slot = s;
                    fire.accept(s.key, at);
                    release(s);
                }
            }
            due.remove(at);
        }
    }

    /** Keys holding state or timers: what a local run keeps in memory. */
    int keysHeld() {
        return slots.size();
    }

    @Override
    public long watermark() {
        return watermark;
    }

    @Override
    public void schedule(long atMs) {
        Slot<K> s = slot();
        if (s.timerIndex(atMs) >= 0) {
            return;
        }
        if (s.timerCount == s.timers.length) {
            s.timers = Arrays.copyOf(s.timers, Math.max(2, s.timerCount * 2));
        }
        s.timers[s.timerCount++] = atMs;
        List<Slot<K>> waiting = due.get(atMs);
        if (waiting == null) {
            waiting = new ArrayList<>();
            due.put(atMs, waiting);
            instants.add(atMs);
        }
        waiting.add(s);
    }

    @Override
    public void cancel(long atMs) {
        if (slot != null) {
            int t = slot.timerIndex(atMs);
            if (t >= 0) {
                slot.removeTimer(t);
                release(slot);
            }
        }
    }

    @Override
    public <V> Cell<V> cell(String name, Class<V> type) {
        int index = cells++;
        return new Cell<>() {
            @Override
            @SuppressWarnings("unchecked")
            public V get() {
                return slot == null || index >= slot.values.length ? null : (V) slot.values[index];
            }

            @Override
            public void set(V value) {
                if (value == null) {
                    clear();
                } else {
                    put(index, value);
                }
            }

            @Override
            public void clear() {
                remove(index);
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ListCell<V> list(String name, Class<V> elementType) {
        if (elementType == SegmentHeader.class) {
            return (ListCell<V>) packedHeaders(name);
        }
        Cell<List<V>> lists = cell(name, null);
        return new ListCell<>() {
            @Override
            public void add(V value) {
                List<V> l = lists.get();
                if (l == null) {
                    l = new ArrayList<>(4);
                    lists.set(l);
                }
                l.add(value);
            }

            @Override
            public List<V> get() {
                List<V> l = lists.get();
                return l == null ? List.of() : new ArrayList<>(l);
            }

            @Override
            public void update(List<V> values) {
                if (values.isEmpty()) {
                    lists.clear();
                } else {
                    lists.set(new ArrayList<>(values));
                }
            }

            @Override
            public void clear() {
                lists.clear();
            }
        };
    }

    /** A list of segment headers, packed ({@link PackedHeaders}): a local run keeps one per connection it holds. */
    private ListCell<SegmentHeader> packedHeaders(String name) {
        Cell<long[]> packed = cell(name, long[].class);
        return new ListCell<>() {
            @Override
            public void add(SegmentHeader h) {
                long[] before = packed.get();
                long[] after = PackedHeaders.add(before, h);
                if (after != before) {
                    packed.set(after);
                }
            }

            @Override
            public List<SegmentHeader> get() {
                return PackedHeaders.unpack(packed.get());
            }

            @Override
            public void update(List<SegmentHeader> headers) {
                packed.set(PackedHeaders.of(headers));
            }

            @Override
            public void clear() {
                packed.clear();
            }
        };
    }

    @Override
    public <T, V> Table<T, V> table(String name, Class<T> keyType, Class<V> valueType) {
        Cell<Map<T, V>> tables = cell(name, null);
        return new Table<>() {
            @Override
            public V get(T key) {
                Map<T, V> t = tables.get();
                return t == null ? null : t.get(key);
            }

            @Override
            public void put(T key, V value) {
                Map<T, V> t = tables.get();
                if (t == null) {
                    t = new HashMap<>(4);
                    tables.set(t);
                }
                t.put(key, value);
            }

            @Override
            public void remove(T key) {
                Map<T, V> t = tables.get();
                if (t != null) {
                    t.remove(key);
                    if (t.isEmpty()) {
                        tables.clear();
                    }
                }
            }

            @Override
            public boolean contains(T key) {
                Map<T, V> t = tables.get();
                return t != null && t.containsKey(key);
            }

            @Override
            public boolean isEmpty() {
                return tables.get() == null;
            }

            @Override
            public Iterable<Map.Entry<T, V>> entries() {
                Map<T, V> t = tables.get();
                return t == null ? List.of() : new ArrayList<>(t.entrySet());
            }
        };
    }

    @Override
    public <T, V> Table<T, List<V>> listTable(String name, Class<T> keyType, Class<V> elementType) {
        return table(name, keyType, null);
    }

    /** The current key's slot, made when it holds nothing yet. */
    private Slot<K> slot() {
        if (slot == null) {
            current = keep.apply(current);
            slot = new Slot<>(current, cells);
            slots.put(current, slot);
        } else if (slot.values.length < cells) { // a cell declared after this slot was made
            slot.values = Arrays.copyOf(slot.values, cells);
        }
        return slot;
    }

    private void put(int index, Object value) {
        Slot<K> s = slot();
        if (s.values[index] == null) {
            s.held++;
        }
        s.values[index] = value;
    }

    private void remove(int index) {
        if (slot != null && index < slot.values.length && slot.values[index] != null) {
            slot.values[index] = null;
            slot.held--;
            release(slot);
        }
    }

    /** Drops {@code s} once it holds nothing; it stays current, empty, until the key changes. */
    private void release(Slot<K> s) {
        if (s.isEmpty() && slots.get(s.key) == s) {
            slots.remove(s.key);
            if (slot == s) {
                slot = null;
            }
        }
    }
}

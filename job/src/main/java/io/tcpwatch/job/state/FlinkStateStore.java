package io.tcpwatch.job.state;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The core's cells, lists and tables as Flink keyed state ({@code ValueState}, {@code ListState},
 * {@code MapState}) of a keyed function: heap or RocksDB as the job is configured, checkpointed with
 * it, and under the same state names as before the core existed. The tracker's connection, read and
 * written for every segment, and its kept segment headers have compact serializers of their own
 * ({@link ConnectionSerializer}, {@link SegmentHeaderSerializer}); the rest are Flink POJOs.
 */
public final class FlinkStateStore implements StateStore {

    private final RuntimeContext context;

    public FlinkStateStore(RuntimeContext context) {
        this.context = context;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> Cell<V> cell(String name, Class<V> type) {
        ValueStateDescriptor<V> descriptor = type == Connection.class
                ? new ValueStateDescriptor<>(name, (TypeSerializer<V>) ConnectionSerializer.INSTANCE)
                : new ValueStateDescriptor<>(name, type);
        return new ValueCell<>(context.getState(descriptor));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> ListCell<V> list(String name, Class<V> elementType) {
        ListStateDescriptor<V> descriptor = elementType == SegmentHeader.class
                ? new ListStateDescriptor<>(name, (TypeSerializer<V>) SegmentHeaderSerializer.INSTANCE)
                : new ListStateDescriptor<>(name, elementType);
        return new FlinkList<>(context.getListState(descriptor));
    }

    @Override
    public <K, V> Table<K, V> table(String name, Class<K> keyType, Class<V> valueType) {
        return new MapTable<>(context.getMapState(new MapStateDescriptor<>(name, keyType, valueType)));
    }

    @Override
    public <K, V> Table<K, List<V>> listTable(String name, Class<K> keyType, Class<V> elementType) {
        return new MapTable<>(context.getMapState(new MapStateDescriptor<>(name, TypeInformation.of(keyType),
                Types.LIST(TypeInformation.of(elementType)))));
    }

    private record ValueCell<V>(ValueState<V> state) implements Cell<V> {
        @Override
        public V get() {
            return Flink.call(state::value);
        }

        @Override
        public void set(V value) {
            Flink.run(() -> state.update(value));
        }

        @Override
        public void clear() {
            state.clear();
        }
    }

    private record FlinkList<V>(ListState<V> state) implements ListCell<V> {
        @Override
        public void add(V value) {
            Flink.run(() -> state.add(value));
        }

        @Override
        public List<V> get() {
            List<V> values = new ArrayList<>();
            Iterable<V> stored = Flink.call(state::get);
            if (stored != null) {
                stored.forEach(values::add);
            }
            return values;
        }

        @Override
        public void update(List<V> values) {
            Flink.run(() -> state.update(values));
        }

        @Override
        public void clear() {
            state.clear();
        }
    }

    private record MapTable<K, V>(MapState<K, V> state) implements Table<K, V> {
        @Override
        public V get(K key) {
            return Flink.call(() -> state.get(key));
        }

        @Override
        public void put(K key, V value) {
            Flink.run(() -> state.put(key, value));
        }

        @Override
        public void remove(K key) {
            Flink.run(() -> state.remove(key));
        }

        @Override
        public boolean contains(K key) {
            return Flink.call(() -> state.contains(key));
        }

        @Override
        public boolean isEmpty() {
            return Flink.call(state::isEmpty);
        }

        @Override
        public Iterable<Map.Entry<K, V>> entries() {
            return Flink.call(state::entries);
        }
    }
}

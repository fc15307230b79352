package io.tcpwatch.core.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local stand-in for Flink's keyed state and event-time timers. */
class LocalKeyedStateTest {

    private final LocalKeyedState<String> state = new LocalKeyedState<>();
    private final Cell<String> cell = state.cell("cell", String.class);
    private final ListCell<Integer> list = state.list("list", Integer.class);
    private final Table<Long, String> table = state.table("table", Long.class, String.class);
    private final List<String> fired = new ArrayList<>();

    @Test
    void stateIsScopedToTheCurrentKeyAndAKeyWithNothingLeftIsForgotten() {
        state.at("a");
        cell.set("a1");
        list.add(1);
        table.put(7L, "seven");
        state.at("b");
        assertNull(cell.get());
        assertEquals(List.of(), list.get());
        assertTrue(table.isEmpty());
        cell.set("b1");
        assertEquals(2, state.keysHeld());

        state.at("a");
        assertEquals("a1", cell.get());
        assertEquals(List.of(1), list.get());
        assertEquals("seven", table.get(7L));
        cell.clear();
        list.clear();
        assertEquals(2, state.keysHeld(), "the table still holds an entry");
        table.remove(7L);
        assertTrue(table.isEmpty());
        assertEquals(1, state.keysHeld());
        state.at("b");
        assertEquals("b1", cell.get());
        cell.set(null);
        assertEquals(0, state.keysHeld());
    }

    @Test
    void listsAndTableEntriesAreCopiesTheCallerMayChange() {
        state.at("a");
        list.add(1);
        list.add(2);
        List<Integer> copy = list.get();
        copy.clear();
        assertEquals(List.of(1, 2), list.get());
        list.update(List.of(3));
        assertEquals(List.of(3), list.get());
        list.update(List.of());
        assertEquals(0, state.keysHeld());

        table.put(1L, "one");
        table.put(2L, "two");
        for (Map.Entry<Long, String> e : table.entries()) {
            table.remove(e.getKey()); // removing while iterating the entries is safe
        }
        assertFalse(table.contains(1L));
        assertEquals(0, state.keysHeld());
    }

    @Test
    void timersFireInTimeThenInTheOrderSetOncePerKeyAndInstant() {
        schedule("b", 20);
        schedule("a", 10);
        schedule("c", 20);
        schedule("b", 20); // the same key and instant: one timer
        state.advance(15, this::fire);
        assertEquals(List.of("a@10"), fired);
        state.advance(14, this::fire); // the watermark never goes back
        assertEquals(15, state.watermark());
        state.advance(20, this::fire);
        assertEquals(List.of("a@10", "b@20", "c@20"), fired);
        assertEquals(0, state.keysHeld(), "fired timers hold nothing");
    }

    @Test
    void aCancelledTimerDoesNotFireAndOneSetAgainFiresOnce() {
        schedule("a", 10);
        schedule("b", 10);
        state.at("a").cancel(10);
        state.advance(10, this::fire);
        assertEquals(List.of("b@10"), fired);

        schedule("a", 30);
        state.at("a").cancel(30);
        schedule("a", 30);
        state.advance(40, this::fire);
        assertEquals(List.of("b@10", "a@30"), fired);
    }

    @Test
    void timersSetWhileFiringFireInTheSameAdvanceWhenTheWatermarkHasPassedThem() {
        schedule("a", 10);
        state.advance(50, (key, at) -> {
            fired.add(key + "@" + at);
            if (fired.size() == 1) {
                state.schedule(10); // again, at the instant firing now
                state.at("b").schedule(5); // in the past
                state.at("c").schedule(60); // after the watermark: waits
            } else if (key.equals("a")) { // the second firing at 10
                cell.set("a fired twice");
            }
        });
        assertEquals(List.of("a@10", "a@10", "b@5"), fired);
        state.at("a");
        assertEquals("a fired twice", cell.get());
        state.advance(60, this::fire);
        assertEquals(List.of("a@10", "a@10", "b@5", "c@60"), fired);
    }

    @Test
    void theFiringKeyIsCurrentSoItsStateIsAtHand() {
        state.at("a");
        cell.set("mine");
        state.schedule(10);
        state.at("b");
        state.advance(10, (key, at) -> fired.add(key + ":" + cell.get()));
        assertEquals(List.of("a:mine"), fired);
    }

    /** A key its caller reuses for every look-up. */
    private static final class Probe {
        String name;

        Probe(String name) {
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Probe p && p.name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }

    @Test
    void aReusedKeyIsCopiedWhenItsStateIsKept() {
        LocalKeyedState<Probe> byProbe = new LocalKeyedState<>(p -> new Probe(p.name));
        Cell<String> value = byProbe.cell("value", String.class);
        Probe probe = new Probe("a");
        byProbe.at(probe);
        value.set("for a");
        byProbe.schedule(10);
        probe.name = "b";
        byProbe.at(probe);
        assertNull(value.get());
        value.set("for b");
        probe.name = "a";
        byProbe.at(probe);
        assertEquals("for a", value.get());
        List<String> firedFor = new ArrayList<>();
        probe.name = "elsewhere";
        byProbe.advance(10, (key, at) -> firedFor.add(key.name + ":" + value.get()));
        assertEquals(List.of("a:for a"), firedFor);
    }

    private void schedule(String key, long atMs) {
        state.at(key).schedule(atMs);
    }

    private void fire(String key, long atMs) {
        fired.add(key + "@" + atMs);
    }
}

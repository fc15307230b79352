package io.tcpwatch.core.fleet;

import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Per client→server pair ({@link ConnectionEvent#pair()}): tumbling event-time windows of
 * (deduplicated) connection outcomes → {@link PairStats}, reported when the watermark passes the
 * window's end. Order within a window does not matter here, so events are folded as they come.
 */
public final class PairWindows {

    private final long windowNs;
    private final Table<Long, PairStats> windows;

    public PairWindows(Duration window, StateStore store) {
        this.windowNs = window.toNanos();
        this.windows = store.table("pair-windows", Long.class, PairStats.class);
    }

    /** A connection event of the current pair; false when its window has been reported already. */
    public boolean onEvent(ConnectionEvent e, Timers timers) {
        long startNs = Math.floorDiv(e.tsNs, windowNs) * windowNs;
        long endMs = Math.floorDiv(startNs + windowNs, 1_000_000L);
        if (endMs <= timers.watermark()) {
            return false;
        }
        PairStats w = windows.get(startNs);
        if (w == null) {
            w = new PairStats();
            w.client = e.clientHost();
            w.server = e.server;
            w.windowStartNs = startNs;
            w.windowEndNs = startNs + windowNs;
            timers.schedule(endMs);
        }
        w.observers = Observers.add(w.observers, e.observer);
        switch (e.kind) {
            case OPENED -> w.newConnections++;
            case ESTABLISHED -> { }
            case CLOSED -> closed(e, w);
            default -> throw new IllegalStateException("unknown event kind " + e.kind);
        }
        windows.put(startNs, w);
        return true;
    }

    /** The window ending now, if the pair had one. */
    public void onTimer(long timestampMs, Consumer<PairStats> out) {
        long startNs = timestampMs * 1_000_000L - windowNs;
        PairStats w = windows.get(startNs);
        if (w != null) {
            out.accept(w);
            windows.remove(startNs);
        }
    }

    private static void closed(ConnectionEvent e, PairStats w) {
        w.closed++;
        w.portReuseCollisions += e.portReuseCollision ? 1 : 0;
        if (e.timeWaitNs > 0) {
            w.timeWaitCloses++;
            w.timeWaitNsSum += e.timeWaitNs;
            w.timeWaitNsMax = Math.max(w.timeWaitNsMax, e.timeWaitNs);
        }
        if (e.clientTtl >= 0) {
            w.clientTtl = e.clientTtl;
        }
        w.retransmissions += e.retransmissions;
        w.dataSegments += e.dataSegments;
    }
}

package io.tcpwatch.core.fleet;

import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Timers;
import java.time.Duration;

/**
 * Cross-vantage dedup, keyed by {@link ConnectionEvent#connectionId()} (server, client, ISN: the
 * same from both ends): when the client's and the server's agents both saw a connection, the first
 * agent to report it owns it and only its events pass. The agents' clocks may differ, so the
 * connection is remembered for {@code tolerance} of event time after its owner reported it closed.
 * One state entry and one deadline per connection.
 */
public final class VantageOwners {

    private final long toleranceMs;
    private final Cell<String> owner;

    public VantageOwners(Duration tolerance, StateStore store) {
        this.toleranceMs = tolerance.toMillis();
        this.owner = store.cell("owner", String.class);
    }

    /** True when {@code e} comes from the connection's owner and passes; false for the other vantage point. */
    public boolean onEvent(ConnectionEvent e, Timers timers) {
        String o = owner.get();
        if (o == null) {
            owner.set(e.observer);
        } else if (!o.equals(e.observer)) {
            return false;
        }
        if (e.kind == ConnectionEvent.Kind.CLOSED) {
            timers.schedule(Math.max(Math.floorDiv(e.tsNs, 1_000_000L), timers.watermark()) + toleranceMs);
        }
        return true;
    }

    /** The tolerance after the close has passed: the connection is forgotten. */
    public void onTimer() {
        owner.clear();
    }
}

package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Connection events of one server endpoint, gathered by {@link ServerBuckets} in one subtask: as a
 * rule the events of one 10 ms bucket, so that a busy server costs the exchange to the fleet
 * windows one record per bucket and subtask rather than one per event.
 */
@TypeInfo(ServerEventsSerializer.Types.class)
public final class ServerEvents {

    public String server;
    /** In the order they came; never empty. */
    public ConnectionEvent[] events;

    public ServerEvents() {}

    public static ServerEvents of(String server, List<ConnectionEvent> events) {
        ServerEvents b = new ServerEvents();
        b.server = server;
        b.events = events.toArray(ConnectionEvent[]::new);
        return b;
    }

    public static ServerEvents of(ConnectionEvent e) {
        return of(e.server, List.of(e));
    }

    public List<ConnectionEvent> asList() {
        return Arrays.asList(events);
    }
}

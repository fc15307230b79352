package io.tcpwatch.core.tracker;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;

/** Where the {@link Tracker} puts what it finds: the job routes each kind to its stream, a local run to its stage. */
public interface TrackerOutput {

    /** A per-connection detection. */
    void detection(Detection d);

    /** An incarnation's conn.log record, when it ends. */
    void connection(ConnectionRecord r);

    /** What the fleet stage learns of a connection: opened, established, its handshake's verdict, closed. */
    void event(ConnectionEvent e);

    /** A segment that came behind the watermark: counted and kept, never dropped silently. */
    void late(LateSegment l);
}

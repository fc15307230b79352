package io.tcpwatch.core.rules;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.schema.Segment;
import java.util.List;
import java.util.Set;

/**
 * A per-connection rule, as {@code FleetRule} is for the fleet: the tracker asks it at the moments it
 * names, it reads the connection's story so far and reports at most one detection.
 */
public interface ConnectionRule {

    /** When the tracker asks. */
    enum Moment {
        /** An RST arrives; the connection is as it was before it. */
        RST,
        /** The first SYN/ACK answers the handshake. */
        HANDSHAKE_ANSWERED,
        /** The handshake timed out without completing. */
        HANDSHAKE_EXPIRED,
        /** The side that advertised a zero window opened it again. */
        WINDOW_REOPENED,
        /** The incarnation ends. */
        END
    }

    /** The moment, its event time, the segment that brought it (null for a deadline) and who sent it. */
    record At(Moment moment, long nowNs, Segment segment, boolean fromOrig, TrackerConfig cfg) {}

    /** The per-connection rules, in the order the tracker asks them. */
    List<ConnectionRule> ALL = List.of(new RstRule(), new HalfOpenRule(), new SynRetransmitRule(),
            new PortReuseCollisionRule(), new UnansweredRequestRule(), new ZeroWindowStallRule());

    DetectionType type();

    /** The moments at which the rule is asked. */
    Set<Moment> moments();

    /** The finding, or null. */
    Detection evaluate(Connection c, At at);
}

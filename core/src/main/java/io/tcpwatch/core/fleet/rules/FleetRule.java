package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetWindow;
import io.tcpwatch.core.record.DetectionType;
import java.io.Serializable;

/** A fleet-wide detection evaluated on one window of statistics of a server or a client→server pair. */
public interface FleetRule<W extends FleetWindow> extends Serializable {

    /** The detection type, from the public vocabulary.  */
    DetectionType type();

    /** What the window shows, or null when this rule does not fire on it. */
    Finding evaluate(W window, FleetConfig cfg);
}

package io.tcpwatch.core.fleet.rules;

import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.PairStats;
import java.util.List;

/** The fleet rules, in the order they are evaluated on each window. */
public final class FleetRules {

    /** Per server endpoint. */
    public static final List<FleetRule<FleetStats>> SERVER = List.of(new RstStormRule(), new SynFloodRule(),
            new AcceptBacklogOverflowRule(), new ConnectionLimitRule(), new ReconnectStormRule(), new SlowResponsesRule());

    /** Per client→server pair. */
    public static final List<FleetRule<PairStats>> PAIR = List.of(new PortExhaustionRiskRule(), new RetransmissionSurgeRule());

    private FleetRules() {}
}

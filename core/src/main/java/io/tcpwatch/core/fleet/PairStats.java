package io.tcpwatch.core.fleet;

/**
 * One client host's connections to one server endpoint over one event-time window: where
 * ephemeral ports run out and where packets are lost. Counted once across vantage points.
 */
public class PairStats implements FleetWindow {
    public String client;
    public String server;
    public long windowStartNs;
    public long windowEndNs;
    public String observers = "";
    public long newConnections;
    public long closed;
    /** Connections whose SYN collided with the previous incarnation's TIME_WAIT. */
    public long portReuseCollisions;
    /** Connections that closed with FINs, leaving a port in TIME_WAIT … */
    public long timeWaitCloses;
    /** … and the TIME_WAIT they left, summed (ns). */
    public long timeWaitNsSum;
    public long timeWaitNsMax;
    /** The client's IP TTL as last observed (-1: unknown). */
    public int clientTtl = -1;
    public long retransmissions;
    public long dataSegments;

    public PairStats() {}

    @Override
    public String serverEndpoint() {
        return server;
    }

    @Override
    public String clientHost() {
        return client;
    }

    @Override
    public long startNs() {
        return windowStartNs;
    }

    @Override
    public long endNs() {
        return windowEndNs;
    }

    @Override
    public String observerList() {
        return observers;
    }

    public String pair() {
        return client + " → " + server;
    }

    public double windowSeconds() {
        return (windowEndNs - windowStartNs) / 1e9;
    }

    /** New connections per second. */
    public double connectionRate() {
        return newConnections / windowSeconds();
    }

    /**
     * Ports held in TIME_WAIT in the steady state at this window's rate (Little's law: closes per
     * second × the TIME_WAIT each leaves).
     */
    public double portsHeld() {
        return timeWaitNsSum / 1e9 / windowSeconds();
    }

    public double retransmissionRate() {
        return dataSegments == 0 ? 0 : (double) retransmissions / dataSegments;
    }
}

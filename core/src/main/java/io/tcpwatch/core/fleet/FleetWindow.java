package io.tcpwatch.core.fleet;

/** What the episode bookkeeping needs of a window of fleet statistics, per server or per pair. */
public interface FleetWindow {
    /** The server endpoint. */
    String serverEndpoint();

    /** The client host, for pair windows; null for server windows. */
    String clientHost();

    long startNs();

    long endNs();

    /** Vantage points, sorted and comma-separated. */
    String observerList();
}

package io.tcpwatch.core.fleet;

/**
 * What the fleet stage remembers of a server endpoint across windows: connections established
 * now, the RST baseline, when it last saw a new connection, and the burst of new connections after
 * its last quiet period (for reconnect storms).
 */
public class ServerHistory {
    /** Established connections (not counting those rejected right after the handshake). */
    public long concurrent;
    /** RST'd connections per window, exponentially weighted. */
    public double rstBaseline;
    /** Start of the last window folded into the baseline (0: none yet). */
    public long baselineWindowNs;
    /** The 90th percentile response time per window, exponentially weighted (0: no window with responses yet). */
    public double responseP90Ms;
    /** Event time of the last new connection (0: none seen). */
    public long lastOpenedNs;
    /** The first new connection after the last silence of at least the reconnect quiet (0: none yet). */
    public long burstStartNs;
    /** That silence (ns). */
    public long burstQuietNs;
    /** Events that arrived after their window was reported, not yet reported themselves. */
    public long lateEvents;
    /** Connections rejected right after the handshake whose close is not applied yet (none: no look-ups). */
    public long rejectionsWaiting;

    public ServerHistory() {}

    /**
     * Folds a window's RST count into the baseline; windows without events in between count as
     * windows without RSTs. Returns the baseline as it was before this window.
     */
    double fold(long windowStartNs, long windowNs, long rsts, double alpha) {
        if (baselineWindowNs != 0) {
            long skipped = (windowStartNs - baselineWindowNs) / windowNs - 1;
            rstBaseline *= Math.pow(1 - alpha, Math.max(0, skipped));
        }
        double before = rstBaseline;
        rstBaseline = baselineWindowNs == 0 && rsts == 0 ? 0 : alpha * rsts + (1 - alpha) * rstBaseline;
        baselineWindowNs = windowStartNs;
        return before;
    }

    /** Folds a window's 90th percentile response time into the baseline; returns the baseline before it. */
    double foldResponses(double p90Ms, double alpha) {
        double before = responseP90Ms;
        responseP90Ms = before == 0 ? p90Ms : alpha * p90Ms + (1 - alpha) * before;
        return before;
    }

    /**
     * Nothing open: the history may be forgotten after a retention from {@link #lastActivityNs()}
     * (late events not yet reported with a window stay counted in the lateConnectionEvents metric).
     */
    boolean isIdle() {
        return concurrent == 0;
    }

    /** The last new connection or window with events (after an hour of silence the baseline is ~0 anyway). */
    long lastActivityNs() {
        return Math.max(lastOpenedNs, baselineWindowNs);
    }
}

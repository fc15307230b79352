package io.tcpwatch.job.fleet;

/**
 * Fleet statistics of one server endpoint over one event-time window ({@code tcp.fleet-stats}).
 * Connections seen from two vantage points are counted once.
 */
public class FleetStats {
    public String server;
    public long windowStartNs;
    public long windowEndNs;
    public long newConnections;
    public long established;
    public long closed;
    public long halfOpen;
    public long synRetransmits;
    public long zeroWindowStalls;
    public long retransmissions;
    public long dataSegments;
    /** Most connections established at the same time during the window. */
    public long concurrencyHighWater;
    /** Distinct client addresses that opened connections (HyperLogLog estimate). */
    public long distinctClients;
    public long rstRefused;
    public long rstRejectedAfterHandshake;
    public long rstAbortiveClose;
    public long rstAfterFin;
    public long rstIdleTimeout;
    public long rstChallengeAckReply;
    public long rstDataAfterRst;
    public long rstOther;

    public FleetStats() {}

    /** Retransmitted data segments / data segments, 0 when no data was sent. */
    public double retransmissionRate() {
        return dataSegments == 0 ? 0 : (double) retransmissions / dataSegments;
    }

    /** Counts one RST by its cause. */
    public void countRst(String cause) {
        switch (cause) {
            case "REFUSED" -> rstRefused++;
            case "REJECTED_AFTER_HANDSHAKE" -> rstRejectedAfterHandshake++;
            case "ABORTIVE_CLOSE" -> rstAbortiveClose++;
            case "RST_AFTER_FIN" -> rstAfterFin++;
            case "IDLE_TIMEOUT" -> rstIdleTimeout++;
            case "CHALLENGE_ACK_REPLY" -> rstChallengeAckReply++;
            case "DATA_AFTER_RST" -> rstDataAfterRst++;
            default -> rstOther++;
        }
    }
}

package io.tcpwatch.core.fleet;

import io.tcpwatch.core.record.RstCause;
import io.tcpwatch.core.record.RstOrigin;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;

/**
 * Fleet statistics of one server endpoint over one event-time window ({@code tcp.fleet-stats}).
 * Connections seen from two vantage points are counted once. The server rules
 * ({@link io.tcpwatch.core.fleet.rules}) read nothing else.
 */
public class FleetStats implements FleetWindow {
    public String server;
    public long windowStartNs;
    public long windowEndNs;
    /** Vantage points that reported connections in this window, sorted, comma-separated. */
    public String observers = "";
    public long newConnections;
    public long established;
    public long closed;
    public long halfOpen;
    /** Distinct client addresses among the half-open connections (HyperLogLog estimate). */
    public long halfOpenSources;
    public long synRetransmits;
    /**
     * Handshakes (by the window of their SYN) completed after the client retransmitted its SYN, within
     * the tracker's handshake verdict (3.5 s): they waited, then got in.
     */
    public long retriedEstablished;
    /** Connections that retransmitted their SYN and never got in. */
    public long retriedHalfOpen;
    /** Handshakes (by the window of their SYN) neither complete nor reset 3.5 s after the SYN. */
    public long pendingHandshakes;
    /** … of which the client had sent its SYN once and never again — as flood tools do, not TCP stacks … */
    public long singleSynPending;
    /** … the client had retransmitted its SYN (a legitimate client left waiting) … */
    public long retriedPending;
    /** … no SYN/ACK had answered the SYN … */
    public long unansweredSyns;
    /** … a SYN/ACK had, and the server did not send it again in time: a SYN cookie, it kept no state. */
    public long statelessSynAcks;
    /** Connections whose handshake ACK the server did not take (its SYN/ACK came again): a full accept queue. */
    public long handshakeAcksIgnored;
    public long zeroWindowStalls;
    public long retransmissions;
    public long dataSegments;
    /**
     * Most connections established at the same time during the window, not counting those the
     * server rejected right after the handshake (they never held a slot in the application).
     */
    public long concurrencyHighWater;
    /** Established connections (as above) at the moments of rejections after the handshake; -1: none. */
    public long concurrencyAtRejectionMin = -1;
    public long concurrencyAtRejectionMax = -1;
    /** Most connections established at once from the window's first rejection to its last (-1: none). */
    public long concurrencyDuringRejections = -1;
    /** Running maximum since the window's first rejection (bookkeeping for the field above). */
    public long concurrencySinceFirstRejection = -1;
    /** Distinct client addresses that connected: completed a handshake (HyperLogLog estimate). */
    public long distinctClients;
    /** Longest silence between two new connections that ended in this window (ns). */
    public long quietBeforeNs;
    /**
     * Distinct client addresses that completed a handshake within the reconnect burst (3 s) of the first
     * new connection after a silence of at least the reconnect quiet (3 s), when that burst reaches into
     * this window (HyperLogLog estimate; 0: none does).
     */
    public long burstClients;
    /** The silence before that burst (ns; 0: no burst reaches into this window). */
    public long burstQuietNs;
    /** RST'd connections per window before this one (exponentially weighted moving average). */
    public double rstBaseline;
    public long rstRefused;
    public long rstRejectedAfterHandshake;
    public long rstAbortiveClose;
    public long rstAfterFin;
    public long rstIdleTimeout;
    public long rstChallengeAckReply;
    public long rstDataAfterRst;
    public long rstOther;
    public long rstByStack;
    public long rstByApp;
    public long rstByMiddlebox;
    /** Connections that closed in the window with a response: the client's first request byte to the server's first. */
    public long responses;
    /** Their response times' quantiles (a DataSketches KLL sketch), milliseconds; 0 without responses. */
    public double responseP50Ms;
    public double responseP90Ms;
    public double responseP99Ms;
    /** The server's own 90th percentile before this window (EWMA over windows with responses; 0: none yet). */
    public double responseBaselineP90Ms;
    /** Connection events that arrived after their own window had been reported (counted here, not lost). */
    public long lateEvents;
    /** Clients of the RST'd connections: a frequent-items sketch (DataSketches), serialized. */
    public byte[] rstClients;

    public FleetStats() {}

    /** Retransmitted data segments / data segments, 0 when no data was sent. */
    public double retransmissionRate() {
        return dataSegments == 0 ? 0 : (double) retransmissions / dataSegments;
    }

    /** Connections that ended with an RST, whatever the cause. */
    public long rsts() {
        return rstRefused + rstRejectedAfterHandshake + rstAbortiveClose + rstAfterFin + rstIdleTimeout
                + rstChallengeAckReply + rstDataAfterRst + rstOther;
    }

    /** Counts one RST'd connection by the cause and origin of its first RST. */
    public void countRst(String cause, String origin) {
        switch (RstCause.of(cause)) {
            case REFUSED -> rstRefused++;
            case REJECTED_AFTER_HANDSHAKE -> rstRejectedAfterHandshake++;
            case ABORTIVE_CLOSE -> rstAbortiveClose++;
            case RST_AFTER_FIN -> rstAfterFin++;
            case IDLE_TIMEOUT -> rstIdleTimeout++;
            case CHALLENGE_ACK_REPLY -> rstChallengeAckReply++;
            case DATA_AFTER_RST -> rstDataAfterRst++;
            case OTHER -> rstOther++;
        }
        if (origin != null) {
            switch (RstOrigin.valueOf(origin)) {
                case ENDPOINT_STACK -> rstByStack++;
                case ENDPOINT_APP -> rstByApp++;
                case MIDDLEBOX_SUSPECT -> rstByMiddlebox++;
            }
        }
    }

    /** The RST counts by cause, in the order of {@link RstCause} (the public vocabulary). */
    public long[] rstsByCause() {
        return new long[] {rstRefused, rstRejectedAfterHandshake, rstAbortiveClose, rstAfterFin, rstIdleTimeout,
                rstChallengeAckReply, rstDataAfterRst, rstOther};
    }

    /** The causes' names, index for index with {@link #rstsByCause()}. */
    public static final String[] RST_CAUSES = java.util.Arrays.stream(RstCause.values()).map(Enum::name).toArray(String[]::new);

    /** A client and how many of its connections were reset. */
    public record ClientCount(String client, long count) {}

    /** The clients with the most RST'd connections, most first (at most {@code n}). */
    public List<ClientCount> topRstClients(int n) {
        List<ClientCount> top = new ArrayList<>();
        if (rstClients == null) {
            return top;
        }
        ItemsSketch<String> sketch = ItemsSketch.getInstance(Memory.wrap(rstClients), new ArrayOfStringsSerDe());
        for (ItemsSketch.Row<String> row : sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
            top.add(new ClientCount(row.getItem(), row.getEstimate()));
        }
        // ties by address: the sketch's own order of equal counts follows its internal layout
        top.sort(Comparator.comparingLong(ClientCount::count).reversed().thenComparing(ClientCount::client));
        return top.subList(0, Math.min(n, top.size()));
    }

    @Override
    public String serverEndpoint() {
        return server;
    }

    @Override
    public String clientHost() {
        return null;
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

    /** Adds {@code observer} to the sorted, comma-separated list. */
    public void addObserver(String observer) {
        if (!observers.equals(observer)) { // one vantage point, as a rule
            observers = Observers.add(observers, observer);
        }
    }
}

package io.tcpwatch.core.fleet;

import io.tcpwatch.core.record.StackFamily;
import java.io.Serializable;
import java.time.Duration;

/** The fleet stage's windows and thresholds (the defaults below), all in event time. */
public final class FleetConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Width of the tumbling windows, per server endpoint and per client→server pair. */
    public Duration window = Duration.ofSeconds(10);
    /** How long a connection's identity is remembered to drop its report from a second vantage point. */
    public Duration dedupTolerance = Duration.ofSeconds(30);
    /** An idle server's history (baseline, last new connection) is dropped after this long. */
    public Duration historyRetention = Duration.ofHours(1);

    /** RST_STORM: at least this many RST'd connections in a window … */
    public long rstStormFloor = 20;
    /** … and at least this many times the server's own baseline … */
    public double rstStormFactor = 5;
    /** … which averages this many recent windows (exponentially weighted). */
    public int rstBaselineWindows = 30;

    /**
     * SYN_FLOOD: at least this many handshakes of a window still pending 3.5 s after a single SYN, with
     * the server's SYN queue seen overflowing (SYN cookies, or SYNs left unanswered).
     */
    public long synFloodHalfOpen = 16;

    /**
     * ACCEPT_BACKLOG_OVERFLOW: at least this many connections turned away by a full accept queue (their
     * SYN or their handshake's ACK dropped) while others were established.
     */
    public long backlogRetried = 3;

    /** SLOW_RESPONSES: at least this many connections answered in a window … */
    public long slowResponsesMin = 20;
    /** … with a 90th percentile response time at least this many times the server's own baseline … */
    public double slowResponsesFactor = 5;
    /** … and at least this long. */
    public Duration slowResponsesFloor = Duration.ofMillis(200);

    /** CONNECTION_LIMIT: at least this many connections rejected right after the handshake at the plateau. */
    public long connectionLimitRejections = 5;

    /** RECONNECT_STORM: at least this many distinct client addresses connect … */
    public long reconnectClients = 20;
    /** … within this long of the first of them (a herd comes back together) … */
    public Duration reconnectBurst = Duration.ofSeconds(3);
    /** … after at least this long without a new connection. */
    public Duration reconnectQuiet = Duration.ofSeconds(3);

    /** RETRANSMISSION_SURGE: retransmitted / data segments of a host pair at least this … */
    public double surgeRate = 0.01;
    /** … over at least this many data segments. */
    public long surgeMinDataSegments = 200;

    /** PORT_EXHAUSTION_RISK: ports held in TIME_WAIT at least this fraction of the ephemeral range. */
    public double exhaustionFraction = 0.5;
    /** Ephemeral port ranges: Linux-like clients ({@code net.ipv4.ip_local_port_range}) … */
    public int linuxPortsLow = 32768;
    public int linuxPortsHigh = 60999;
    /** … and Windows-like clients (initial TTL 128). */
    public int windowsPortsLow = 49152;
    public int windowsPortsHigh = 65535;

    /** An episode resolves after this many windows in which its rule did not fire. */
    public int resolveAfterWindows = 2;
    /** An open episode is updated when its magnitude grows by this factor since the last report. */
    public double updateGrowth = 1.5;

    public static FleetConfig defaults() {
        return new FleetConfig();
    }

    /** Size of the ephemeral port range of a client whose packets arrive with {@code observedTtl}. */
    public int ephemeralPorts(int observedTtl) {
        boolean windows = StackFamily.ofObservedTtl(observedTtl) == StackFamily.WINDOWS_LIKE;
        return windows ? windowsPortsHigh - windowsPortsLow + 1 : linuxPortsHigh - linuxPortsLow + 1;
    }
}

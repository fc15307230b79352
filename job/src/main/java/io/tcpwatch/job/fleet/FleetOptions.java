package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.FleetConfig;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The fleet thresholds a user sets on the command line ({@code job} and {@code analyze} share them). */
public final class FleetOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--fleet-window", paramLabel = "SECONDS", defaultValue = "10",
            description = "Width of the fleet windows, per server and per client→server pair (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--rst-storm-floor", paramLabel = "N", defaultValue = "20",
            description = "RST_STORM: at least N reset connections in a window … (default: ${DEFAULT-VALUE})")
    long rstStormFloor;

    @Option(names = "--rst-storm-factor", paramLabel = "K", defaultValue = "5",
            description = "… and K× the server's recent baseline (default: ${DEFAULT-VALUE}).")
    double rstStormFactor;

    @Option(names = "--syn-flood-half-open", paramLabel = "N", defaultValue = "16",
            description = "SYN_FLOOD: at least N half-open connections in a window after a single SYN each, with the"
                    + " server's SYN queue seen overflowing (default: ${DEFAULT-VALUE}).")
    long synFloodHalfOpen;

    @Option(names = "--backlog-retried", paramLabel = "N", defaultValue = "3",
            description = "ACCEPT_BACKLOG_OVERFLOW: N connections turned away by a full accept queue (SYN or"
                    + " handshake ACK dropped) while others got in (default: ${DEFAULT-VALUE}).")
    long backlogRetried;

    @Option(names = "--limit-rejections", paramLabel = "N", defaultValue = "5",
            description = "CONNECTION_LIMIT: N rejections right after the handshake at a plateau (default: ${DEFAULT-VALUE}).")
    long limitRejections;

    @Option(names = "--reconnect-clients", paramLabel = "N", defaultValue = "20",
            description = "RECONNECT_STORM: N distinct clients … (default: ${DEFAULT-VALUE})")
    long reconnectClients;

    @Option(names = "--reconnect-burst", paramLabel = "SECONDS", defaultValue = "3",
            description = "… within this long of the first of them … (default: ${DEFAULT-VALUE})")
    double reconnectBurstSeconds;

    @Option(names = "--reconnect-quiet", paramLabel = "SECONDS", defaultValue = "3",
            description = "… after this long without a new connection (default: ${DEFAULT-VALUE}).")
    double reconnectQuietSeconds;

    @Option(names = "--slow-responses-factor", paramLabel = "K", defaultValue = "5",
            description = "SLOW_RESPONSES: the 90th percentile response time K times the server's own baseline … (default: ${DEFAULT-VALUE})")
    double slowResponsesFactor;

    @Option(names = "--slow-responses-floor", paramLabel = "MS", defaultValue = "200",
            description = "… and at least MS milliseconds, over at least 20 connections (default: ${DEFAULT-VALUE}).")
    long slowResponsesFloorMs;

    @Option(names = "--surge-rate", paramLabel = "FRACTION", defaultValue = "0.01",
            description = "RETRANSMISSION_SURGE: retransmitted / data segments of a host pair (default: ${DEFAULT-VALUE}).")
    double surgeRate;

    @Option(names = "--exhaustion-fraction", paramLabel = "FRACTION", defaultValue = "0.5",
            description = "PORT_EXHAUSTION_RISK: ports held in TIME_WAIT / ephemeral range (default: ${DEFAULT-VALUE}).")
    double exhaustionFraction;

    @Option(names = "--ephemeral-ports", paramLabel = "LOW-HIGH", defaultValue = "32768-60999",
            description = "Ephemeral port range of Linux-like clients (default: ${DEFAULT-VALUE}).")
    String linuxPorts;

    @Option(names = "--ephemeral-ports-windows", paramLabel = "LOW-HIGH", defaultValue = "49152-65535",
            description = "Ephemeral port range of Windows-like clients (default: ${DEFAULT-VALUE}).")
    String windowsPorts;

    public FleetConfig config() {
        FleetConfig c = FleetConfig.defaults();
        if (windowSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--fleet-window must be at least 1 second.");
        }
        c.window = Duration.ofSeconds(windowSeconds);
        if (!(reconnectBurstSeconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--reconnect-burst must be more than 0 seconds.");
        }
        c.rstStormFloor = rstStormFloor;
        c.rstStormFactor = rstStormFactor;
        c.synFloodHalfOpen = synFloodHalfOpen;
        c.backlogRetried = backlogRetried;
        c.connectionLimitRejections = limitRejections;
        c.reconnectClients = reconnectClients;
        c.reconnectQuiet = Duration.ofMillis(Math.round(reconnectQuietSeconds * 1000));
        c.reconnectBurst = Duration.ofMillis(Math.round(reconnectBurstSeconds * 1000));
        c.slowResponsesFactor = slowResponsesFactor;
        c.slowResponsesFloor = Duration.ofMillis(slowResponsesFloorMs);
        c.surgeRate = surgeRate;
        c.exhaustionFraction = exhaustionFraction;
        int[] linux = range("--ephemeral-ports", linuxPorts);
        c.linuxPortsLow = linux[0];
        c.linuxPortsHigh = linux[1];
        int[] windows = range("--ephemeral-ports-windows", windowsPorts);
        c.windowsPortsLow = windows[0];
        c.windowsPortsHigh = windows[1];
        return c;
    }

    private int[] range(String option, String value) {
        String[] parts = value.split("-");
        try {
            int low = Integer.parseInt(parts[0].trim());
            int high = Integer.parseInt(parts[1].trim());
            if (parts.length == 2 && 0 < low && low <= high && high <= 65535) {
                return new int[] {low, high};
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // the sentence below
        }
        throw new ParameterException(spec.commandLine(), option + " must be LOW-HIGH within 1-65535, not '" + value + "'.");
    }
}

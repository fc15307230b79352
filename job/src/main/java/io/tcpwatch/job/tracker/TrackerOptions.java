package io.tcpwatch.job.tracker;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The tracker settings a user sets on the command line ({@code job} and {@code analyze} share them). */
public final class TrackerOptions {

    @Option(names = "--time-wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "TIME_WAIT of Linux-like peers (initial TTL 64; default: ${DEFAULT-VALUE}).")
    int timeWaitSeconds;

    @Option(names = "--time-wait-windows", paramLabel = "SECONDS", defaultValue = "120",
            description = "TIME_WAIT of Windows-like peers (initial TTL 128; 120 or 240; default: ${DEFAULT-VALUE}).")
    int timeWaitWindowsSeconds;

    public TrackerConfig config() {
        TrackerConfig c = TrackerConfig.defaults();
        c.timeWait = Duration.ofSeconds(timeWaitSeconds);
        c.timeWaitWindows = Duration.ofSeconds(timeWaitWindowsSeconds);
        return c;
    }
}

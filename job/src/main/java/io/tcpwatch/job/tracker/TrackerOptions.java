package io.tcpwatch.job.tracker;

import io.tcpwatch.core.connection.TrackerConfig;
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

    @Option(names = "--unanswered-after", paramLabel = "SECONDS", defaultValue = "10",
            description = "Report a request the server acknowledged but did not answer for this long (UNANSWERED_REQUEST;"
                    + " raise it for long-polling protocols; default: ${DEFAULT-VALUE}).")
    int unansweredSeconds;

    public TrackerConfig config() {
        TrackerConfig c = TrackerConfig.defaults();
        c.unansweredRequest = Duration.ofSeconds(unansweredSeconds);
        c.timeWait = Duration.ofSeconds(timeWaitSeconds);
        c.timeWaitWindows = Duration.ofSeconds(timeWaitWindowsSeconds);
        return c;
    }
}

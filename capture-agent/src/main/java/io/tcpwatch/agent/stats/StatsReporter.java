package io.tcpwatch.agent.stats;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Takes a stats snapshot every interval and hands it to its consumers (the log, Kafka). */
public final class StatsReporter implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tcpwatch-stats");
        t.setDaemon(true);
        return t;
    });

    public StatsReporter(long intervalSeconds, Supplier<AgentStats> snapshot, Consumer<AgentStats> report) {
        timer.scheduleAtFixedRate(() -> {
            try {
                report.accept(snapshot.get());
            } catch (RuntimeException e) { // keep reporting: a failed snapshot must not end the schedule
                System.err.println("tcpwatch: agent stats could not be reported: " + e);
            }
        }, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

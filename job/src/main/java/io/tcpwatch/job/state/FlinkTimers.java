package io.tcpwatch.job.state;

import io.tcpwatch.core.state.Timers;
import org.apache.flink.streaming.api.TimerService;

/** The core's deadlines as Flink event-time timers of the current key. */
public record FlinkTimers(TimerService service) implements Timers {

    @Override
    public long watermark() {
        return service.currentWatermark();
    }

    @Override
    public void schedule(long atMs) {
        service.registerEventTimeTimer(atMs);
    }

    @Override
    public void cancel(long atMs) {
        service.deleteEventTimeTimer(atMs);
    }
}

package io.tcpwatch.job.time;

import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Bounded out-of-orderness watermarks that follow the observers' agreed event time
 * ({@link ObserverClocks}) instead of the newest event: watermark = the newest capture time a
 * second observer confirms − out-of-orderness. Events whose observer is null (not segments) do
 * not move it.
 *
 * <p>Idleness is part of it (not {@code withIdleness}, which stops asking the generator once the
 * input is idle): when nothing has arrived for {@code idleAfterMs} and the agreed time is known,
 * it is emitted once more and the input is marked idle, so other inputs no longer wait for it.
 * An input whose lone observer is not yet trusted stays active until it is (at most the forget
 * time): going idle earlier would leave that observer's last segments without event time, and
 * following it at once would make a slow start's other observers late. The next event makes the
 * input active again.
 */
public final class ObserverWatermarks<T> implements WatermarkGenerator<T> {

    private final SerializableFunction<T, String> observerOf;
    private final long outOfOrdernessMs;
    private final long idleAfterMs;
    private final LongSupplier nowMs;
    private final ObserverClocks clocks;
    private long emitted = Long.MIN_VALUE;
    private long lastEventAtMs;
    private boolean idle;

    public ObserverWatermarks(SerializableFunction<T, String> observerOf, long outOfOrdernessMs, long forgetAfterMs,
                              long idleAfterMs, LongSupplier nowMs) {
        this.observerOf = observerOf;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.idleAfterMs = idleAfterMs;
        this.nowMs = nowMs;
        this.clocks = new ObserverClocks(outOfOrdernessMs, forgetAfterMs);
        this.lastEventAtMs = nowMs.getAsLong();
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        long now = nowMs.getAsLong();
        lastEventAtMs = now;
        if (idle) {
            idle = false;
            output.markActive();
        }
        String observer = observerOf.apply(event);
        if (observer != null) {
            clocks.observe(observer, eventTimestamp, now);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (idle) {
            return;
        }
        long now = nowMs.getAsLong();
        long eventTime = clocks.eventTimeMs(now);
        if (eventTime != Long.MIN_VALUE) {
            long watermark = eventTime - outOfOrdernessMs - 1;
            if (watermark > emitted) { // never backwards, whoever joins or leaves
                emitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }
        boolean quiet = now - lastEventAtMs >= idleAfterMs;
        if (quiet && (eventTime != Long.MIN_VALUE || clocks.active() == 0)) {
            idle = true;
            output.markIdle();
        }
    }
}

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
 * input is idle): when nothing has arrived for {@code idleAfterMs}, the agreed time is emitted
 * once more with a lone observer followed at once, then the input is marked idle, so other
 * inputs no longer wait for it. The next event makes it active again.
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
        boolean quiet = now - lastEventAtMs >= idleAfterMs;
        long eventTime = clocks.eventTimeMs(now, quiet);
        if (eventTime != Long.MIN_VALUE) {
            long watermark = eventTime - outOfOrdernessMs - 1;
            if (watermark > emitted) { // never backwards, whoever joins or leaves
                emitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }
        if (quiet) {
            idle = true;
            output.markIdle();
        }
    }
}

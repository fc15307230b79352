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
 */
public final class ObserverWatermarks<T> implements WatermarkGenerator<T> {

    private final SerializableFunction<T, String> observerOf;
    private final long outOfOrdernessMs;
    private final LongSupplier nowMs;
    private final ObserverClocks clocks;
    private long emitted = Long.MIN_VALUE;

    public ObserverWatermarks(SerializableFunction<T, String> observerOf, long outOfOrdernessMs, long forgetAfterMs,
                            LongSupplier nowMs) {
        this.observerOf = observerOf;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.nowMs = nowMs;
        this.clocks = new ObserverClocks(outOfOrdernessMs, forgetAfterMs);
    }

    @Override
    public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {
        String observer = observerOf.apply(event);
        if (observer != null) {
            clocks.observe(observer, eventTimestamp, nowMs.getAsLong());
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long eventTime = clocks.eventTimeMs(nowMs.getAsLong());
        if (eventTime == Long.MIN_VALUE) {
            return;
        }
        long watermark = eventTime - outOfOrdernessMs - 1;
        if (watermark > emitted) { // never backwards, whoever joins or leaves
            emitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}

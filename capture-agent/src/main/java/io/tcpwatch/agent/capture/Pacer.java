package io.tcpwatch.agent.capture;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Replays frames at their recorded pace ({@code realtime}), faster ({@code 10x}) or as fast as
 * possible ({@code max}): it sleeps until a frame's capture time, scaled, has come.
 */
public final class Pacer {

    /** The monotonic clock the pacer reads and waits on: the system's, or a test's. */
    interface Clock {
        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void park(long nanos) {
                LockSupport.parkNanos(nanos);
            }
        };

        long nanoTime();

        /** Waits about {@code nanos} (possibly less). */
        void park(long nanos);
    }

    /** The longest single wait: a stop request is noticed within this. */
    static final long MAX_PARK_NS = 100_000_000L;

    private final double speed; // 0 = as fast as possible
    private final BooleanSupplier stopping;
    private final Clock clock;
    private long firstCaptureNs = Long.MIN_VALUE;
    private long firstWallNs;

    private Pacer(double speed, BooleanSupplier stopping, Clock clock) {
        this.speed = speed;
        this.stopping = stopping;
        this.clock = clock;
    }

    /**
     * Parses {@code realtime}, {@code max}, {@code N} or {@code Nx} (N &gt; 0, e.g. {@code 0.5x},
     * {@code 10x}).
     *
     * @throws IllegalArgumentException with a sentence for the user
     */
    public static Pacer parse(String spec, BooleanSupplier stopping) {
        return parse(spec, stopping, Clock.SYSTEM);
    }

    static Pacer parse(String spec, BooleanSupplier stopping, Clock clock) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("max")) {
            return new Pacer(0, stopping, clock);
        }
        if (s.equals("realtime")) {
            return new Pacer(1, stopping, clock);
        }
        if (s.endsWith("x") || s.endsWith("×")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            double v = Double.parseDouble(s);
            if (v > 0 && Double.isFinite(v)) {
                return new Pacer(v, stopping, clock);
            }
        } catch (NumberFormatException ignored) {
            // fall through to the sentence below
        }
        throw new IllegalArgumentException("--speed takes realtime, max or a factor such as 10x, not '" + spec + "'");
    }

    public boolean isMax() {
        return speed == 0;
    }

    /** Waits until the frame captured at {@code captureNs} is due. */
    public void await(long captureNs) {
        if (speed == 0) {
            return;
        }
        long now = clock.nanoTime();
        if (firstCaptureNs == Long.MIN_VALUE || captureNs < firstCaptureNs) {
            firstCaptureNs = captureNs; // first frame, or a file that starts earlier: re-anchor
            firstWallNs = now;
            return;
        }
        long due = firstWallNs + (long) ((captureNs - firstCaptureNs) / speed);
        while (now < due && !stopping.getAsBoolean()) {
            clock.park(Math.min(due - now, MAX_PARK_NS));
            now = clock.nanoTime();
        }
    }
}

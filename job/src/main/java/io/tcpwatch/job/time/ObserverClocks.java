package io.tcpwatch.job.time;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How far event time has progressed when many agents' clocks feed one input. Not the newest
 * capture time of all (one agent whose clock runs ahead would carry event time past the others,
 * and every segment of theirs would be late), but the newest capture time that a second
 * observer's clock confirms: the highest observer clock with another within {@code agreementMs}
 * below it. Quiet observers do not hold event time back, and an agent running behind does not
 * either; an agent running ahead counts only once another agrees with it. When no two clocks
 * agree, the lower median. An observer stops counting once the others have gone on without it
 * for the forget time — measured against the input's own arrivals, so a pause of the whole input
 * (a stalled reader, a busy job) forgets nobody. A lone observer is followed only once it has
 * been alone for the forget time: at the start of a stream, the first observer heard may be the
 * one running ahead. The observer heard last is never forgotten, so a stream that stops still
 * reaches its end.
 *
 * <p>Plain Java, time passed in: capture times in ms of the agents' clocks, arrival times and
 * "now" in ms of this process's clock.
 */
public final class ObserverClocks {

    /** Longest gap between two arrivals that counts as the input going on; longer is a pause. */
    static final long PAUSE_MS = 1_000;
    /** Silent observers are looked for at most this often (input time), not at every segment. */
    private static final long SWEEP_MS = 100;

    private static final class Clock {
        long newestMs = Long.MIN_VALUE;
        /** In the input's own time. */
        long heardAtMs;
    }

    private final long agreementMs;
    private final long forgetAfterMs;
    private final Map<String, Clock> clocks = new HashMap<>();
    private long aloneSinceMs = Long.MIN_VALUE;
    private long inputMs;
    private long lastArrivalMs = Long.MIN_VALUE;
    private long lastSweepMs;

    /**
     * @param agreementMs two clocks this close agree (the out-of-orderness the job tolerates)
     * @param forgetAfterMs an observer silent this long no longer counts (as a Flink input becomes idle)
     */
    public ObserverClocks(long agreementMs, long forgetAfterMs) {
        this.agreementMs = agreementMs;
        this.forgetAfterMs = forgetAfterMs;
    }

    /** A segment captured at {@code eventMs} by {@code observer} arrived at {@code nowMs}. */
    public void observe(String observer, long eventMs, long nowMs) {
        Clock c = clocks.get(observer);
        if (c == null) {
            c = new Clock();
            clocks.put(observer, c);
        }
        // the input's own time: arrivals advance it, a pause of the whole input only by PAUSE_MS
        inputMs += lastArrivalMs == Long.MIN_VALUE ? 0 : Math.min(Math.max(0, nowMs - lastArrivalMs), PAUSE_MS);
        lastArrivalMs = nowMs;
        c.newestMs = Math.max(c.newestMs, eventMs);
        c.heardAtMs = inputMs;
        if (inputMs - lastSweepMs >= SWEEP_MS) {
            forgetSilent();
            lastSweepMs = inputMs;
        }
        if (clocks.size() == 1) {
            aloneSinceMs = aloneSinceMs == Long.MIN_VALUE ? nowMs : aloneSinceMs;
        } else {
            aloneSinceMs = Long.MIN_VALUE;
        }
    }

    /**
     * The newest capture time a second active observer confirms; Long.MIN_VALUE when none is
     * active, or one has not yet been alone for the forget time.
     */
    public long eventTimeMs(long nowMs) {
        if (clocks.isEmpty()) {
            return Long.MIN_VALUE;
        }
        long[] newest = new long[clocks.size()];
        int i = 0;
        for (Clock c : clocks.values()) {
            newest[i++] = c.newestMs;
        }
        if (newest.length == 1) {
            return nowMs - aloneSinceMs >= forgetAfterMs ? newest[0] : Long.MIN_VALUE;
        }
        Arrays.sort(newest);
        for (int top = newest.length - 1; top > 0; top--) {
            if (newest[top] - newest[top - 1] <= agreementMs) {
                return newest[top];
            }
        }
        return newest[(newest.length - 1) / 2]; // no two clocks agree
    }

    /** Observers currently counted. */
    public int active() {
        return clocks.size();
    }

    /**
     * Forgets the observers silent for longer than the forget time of the input's own time, which
     * arrivals advance: silence while the others went on, not a pause of the whole input (a gap
     * between two arrivals counts for at most {@link #PAUSE_MS}). Measured on the wall clock, as
     * first built, a pause over the forget time left only the observer heard last — possibly the
     * one ahead — to be followed once alone.
     */
    private void forgetSilent() {
        clocks.values().removeIf(c -> inputMs - c.heardAtMs > forgetAfterMs);
    }
}

package io.tcpwatch.job.time;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * How far event time has progressed when many agents' clocks feed one input. Not the newest
 * capture time of all (one agent whose clock runs ahead would carry event time past the others,
 * and every segment of theirs would be late), but the newest capture time that a second
 * observer's clock confirms: the highest observer clock with another within {@code agreementMs}
 * below it. Quiet observers do not hold event time back, and an agent running behind does not
 * either; an agent running ahead counts only once another agrees with it. When no two clocks
 * agree, the lower median. A lone observer is followed only once it has been alone for the
 * forget time: at the start of a stream, the first observer heard may be the one running ahead.
 * The observer heard last is never forgotten, so a stream that stops still reaches its end.
 *
 * <p>Plain Java, time passed in: capture times in ms of the agents' clocks, "now" in ms of this
 * process's clock (only to forget observers that went silent).
 */
public final class ObserverClocks {

    private static final class Clock {
        long newestMs = Long.MIN_VALUE;
        long heardAtMs;
    }

    private final long agreementMs;
    private final long forgetAfterMs;
    private final Map<String, Clock> clocks = new HashMap<>();
    private long aloneSinceMs = Long.MIN_VALUE;

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
        c.newestMs = Math.max(c.newestMs, eventMs);
        c.heardAtMs = nowMs;
    }

    /**
     * The newest capture time a second active observer confirms; Long.MIN_VALUE when none is
     * active, or one has not yet been alone for the forget time.
     */
    public long eventTimeMs(long nowMs) {
        forgetSilent(nowMs);
        if (clocks.isEmpty()) {
            return Long.MIN_VALUE;
        }
        long[] newest = new long[clocks.size()];
        int i = 0;
        for (Clock c : clocks.values()) {
            newest[i++] = c.newestMs;
        }
        if (newest.length == 1) {
            aloneSinceMs = aloneSinceMs == Long.MIN_VALUE ? nowMs : aloneSinceMs;
            return nowMs - aloneSinceMs >= forgetAfterMs ? newest[0] : Long.MIN_VALUE;
        }
        aloneSinceMs = Long.MIN_VALUE;
        Arrays.sort(newest);
        for (int top = newest.length - 1; top > 0; top--) {
            if (newest[top] - newest[top - 1] <= agreementMs) {
                return newest[top];
            }
        }
        return newest[(newest.length - 1) / 2]; // no two clocks agree
    }

    /** Observers currently counted. */
    public int active(long nowMs) {
        forgetSilent(nowMs);
        return clocks.size();
    }

    /**
     * Forgets observers silent longer than the forget time, except the one heard last: when the
     * whole input goes quiet, its last clock still carries event time (a lone agent's final
     * segments get their windows closed; Flink's idleness lets other inputs pass it).
     */
    private void forgetSilent(long nowMs) {
        Clock last = null;
        for (Clock c : clocks.values()) {
            last = last == null || c.heardAtMs > last.heardAtMs ? c : last;
        }
        for (Iterator<Clock> it = clocks.values().iterator(); it.hasNext(); ) {
            Clock c = it.next();
            if (c != last && nowMs - c.heardAtMs > forgetAfterMs) {
                it.remove();
            }
        }
    }
}

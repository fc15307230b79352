package io.tcpwatch.capture.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the parser did with every frame: one segment, or one skip reason, so
 * {@code frames = segments + Σ skipped} at all times.
 *
 * <p>Single writer (the parsing thread), any number of readers: writes are release stores, reads
 * are acquire loads — as cheap as plain fields on x86, yet never hidden from the stats thread.
 */
public final class ParseCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final SkipReason[] REASONS = SkipReason.values();
    private static final int SEGMENTS = REASONS.length;
    private static final int OPTIONS_INCOMPLETE = SEGMENTS + 1;

    private final long[] slots = new long[REASONS.length + 2];

    void segment() {
        bump(SEGMENTS);
    }

    void skip(SkipReason reason) {
        bump(reason.ordinal());
    }

    void optionIncomplete() {
        bump(OPTIONS_INCOMPLETE);
    }

    private void bump(int i) {
        SLOT.setRelease(slots, i, (long) SLOT.getAcquire(slots, i) + 1);
    }

    private long get(int i) {
        return (long) SLOT.getAcquire(slots, i);
    }

    /** Frames seen: segments plus skipped. */
    public long frames() {
        return segments() + skippedTotal();
    }

    public long segments() {
        return get(SEGMENTS);
    }

    public long skipped(SkipReason reason) {
        return get(reason.ordinal());
    }

    public long skippedTotal() {
        long sum = 0;
        for (SkipReason r : REASONS) {
            sum += get(r.ordinal());
        }
        return sum;
    }

    /** Segments kept although an option was malformed or cut by the snap length. */
    public long optionsIncomplete() {
        return get(OPTIONS_INCOMPLETE);
    }

    /** Non-zero skip counts by reason, in declaration order. */
    public Map<SkipReason, Long> skippedByReason() {
        Map<SkipReason, Long> m = new EnumMap<>(SkipReason.class);
        for (SkipReason r : REASONS) {
            long n = get(r.ordinal());
            if (n > 0) {
                m.put(r, n);
            }
        }
        return m;
    }
}

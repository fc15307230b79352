package io.tcpwatch.dashboard;

import java.time.Duration;
import java.util.Locale;

/** How long ago, as people write it: {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d}. */
public final class Durations {
    private Durations() {}

    /** @throws IllegalArgumentException with one sentence for the user */
    public static Duration parse(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        try {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a duration is a number and s, m, h or d (e.g. 15m), not '" + s + "'");
        }
    }
}

package io.tcpwatch.core.connection;

/**
 * Zeek's {@code history} letters: upper case for the originator, lower case for the responder, each
 * letter recorded once per direction, in the order first seen. s SYN, h SYN+ACK, a pure ACK,
 * d payload, f FIN, r RST, t retransmitted payload, w zero window, q multi-flag (SYN with FIN or RST),
 * and a leading ^ when the originator is not the sender of the first segment seen. Letters for
 * repeated events (t, w) come again at the 10th, 100th, 1000th … occurrence, as Zeek scales them.
 */
public final class History {
    private History() {}

    public static String add(String history, boolean fromOrig, char lower) {
        char letter = fromOrig ? Character.toUpperCase(lower) : lower;
        return history.indexOf(letter) >= 0 ? history : history + letter;
    }

    /** The {@code count}-th occurrence of a repeated event: its letter at 1, 10, 100, 1000 … */
    public static String scaled(String history, boolean fromOrig, char lower, int count) {
        long threshold = 1;
        while (threshold < count) {
            threshold *= 10;
        }
        return threshold == count ? history + (fromOrig ? Character.toUpperCase(lower) : lower) : history;
    }
}

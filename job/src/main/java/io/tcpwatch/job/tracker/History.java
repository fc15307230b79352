package io.tcpwatch.job.tracker;

/**
 * Zeek's {@code history} letters: upper case for the originator, lower case for the responder, each
 * letter recorded once per direction, in the order first seen. s SYN, h SYN+ACK, a pure ACK,
 * d payload, f FIN, r RST, t retransmitted payload, w zero window, q multi-flag (SYN with FIN or RST).
 */
public final class History {
    private History() {}

    public static String add(String history, boolean fromOrig, char lower) {
        char letter = fromOrig ? Character.toUpperCase(lower) : lower;
        return history.indexOf(letter) >= 0 ? history : history + letter;
    }
}

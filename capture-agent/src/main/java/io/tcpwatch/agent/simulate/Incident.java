package io.tcpwatch.agent.simulate;

import java.util.Locale;

/**
 * A fault injected into a simulated fleet: what happens, to which server, from which second of the
 * simulation. Written {@code KIND@SECOND:SERVER}, e.g. {@code connection-limit@20:3}.
 */
public record Incident(Kind kind, int atSecond, int server) {

    /**
     * What goes wrong; each names the fleet detections it must raise (the detection types of the job),
     * or none (the near-threshold negatives).
     */
    public enum Kind {
        /** For 10 s the server aborts every connection with RST after its response, 8 extra clients/s. */
        RST_STORM("rst-storm"),
        /** 200 SYNs from 200 spoofed sources within 2 s; the SYN/ACKs are never answered. */
        SYN_FLOOD("syn-flood"),
        /** 10 clients of one host get in only after retransmitting their SYN (a full accept queue). */
        ACCEPT_BACKLOG_OVERFLOW("backlog"),
        /** The application holds 6 connections for 3.5 s; for the last 3 s every new one is reset right after the handshake. */
        CONNECTION_LIMIT("connection-limit"),
        /** 8 s without new connections, then 40 distinct clients within 1 s. */
        RECONNECT_STORM("reconnect-storm"),
        /** For 10 s one client host loses 5% of its data segments to the server (retransmitted). */
        RETRANSMISSION_SURGE("packet-loss"),
        /** For 10 s one client host opens 300 connections/s and closes first (TIME_WAIT on the client). */
        PORT_EXHAUSTION_RISK("port-exhaustion"),
        /**
         * Near a threshold, and below it: 100 spoofed SYNs within 1 s that the server's SYN queue holds
         * (its SYN/ACKs are sent again). Half-open connections, not a flood: no fleet detection.
         */
        SYN_BURST("syn-burst"),
        /** Near a threshold, and below it: 2 clients get in only after retransmitting their SYN. No fleet detection. */
        BACKLOG_PAIR("backlog-pair");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind of(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label) || k.name().equalsIgnoreCase(label)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown incident '" + label + "'");
        }
    }

    /** Parses {@code KIND@SECOND:SERVER}; throws IllegalArgumentException with one clear sentence. */
    public static Incident parse(String text) {
        String[] at = text.split("@");
        String[] rest = at.length == 2 ? at[1].split(":") : new String[0];
        if (rest.length != 2) {
            throw new IllegalArgumentException("an incident is KIND@SECOND:SERVER (e.g. connection-limit@20:3), not '" + text + "'");
        }
        try {
            return new Incident(Kind.of(at[0].toLowerCase(Locale.ROOT)), Integer.parseInt(rest[0]), Integer.parseInt(rest[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an incident's second and server are numbers, not '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return kind.label + "@" + atSecond + ":" + server;
    }
}

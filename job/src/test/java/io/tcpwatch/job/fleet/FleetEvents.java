package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;

/** Connection outcome events for fleet tests: client {@code n} is 10.1.0.n:40000, times in ms after T0. */
final class FleetEvents {
    static final String SERVER = "10.0.0.1:443";
    static final long T0_MS = 1_795_000_000_000L;

    private FleetEvents() {}

    static ConnectionEvent event(ConnectionEvent.Kind kind, double atMs, int client) {
        ConnectionEvent e = new ConnectionEvent();
        e.kind = kind;
        e.observer = "obs";
        e.tsNs = T0_MS * 1_000_000L + (long) (atMs * 1_000_000L);
        e.server = SERVER;
        e.client = "10.1." + (client / 250) + "." + (client % 250) + ":40000";
        e.isn = 1000L + client;
        return e;
    }

    static ConnectionEvent opened(double atMs, int client) {
        return event(ConnectionEvent.Kind.OPENED, atMs, client);
    }

    static ConnectionEvent established(double atMs, int client) {
        return event(ConnectionEvent.Kind.ESTABLISHED, atMs, client);
    }

    /** A handshake whose first SYN was at {@code atMs}: by default pending after a single, unanswered SYN. */
    static Handshake handshake(double atMs, int client) {
        return new Handshake(atMs, client);
    }

    static final class Handshake {
        final ConnectionEvent e;

        Handshake(double atMs, int client) {
            e = event(ConnectionEvent.Kind.HANDSHAKE, atMs, client);
        }

        /** Answered by a SYN/ACK: sent again ({@code stateless} false) or a SYN cookie ({@code stateless} true). */
        Handshake answered(boolean stateless) {
            e.synAnswered = true;
            e.statelessSynAck = stateless;
            return this;
        }

        Handshake retried(int synRetransmits) {
            e.synRetransmits = synRetransmits;
            return this;
        }

        Handshake established() {
            e.wasEstablished = true;
            e.synAnswered = true;
            return this;
        }

        ConnectionEvent build() {
            return e;
        }
    }

    /** A CLOSED event of an established connection, with the cause of its first RST (null: FIN). */
    static Closed closed(double atMs, int client, String rstCause) {
        return new Closed(atMs, client, rstCause);
    }

    static final class Closed {
        final ConnectionEvent e;

        Closed(double atMs, int client, String rstCause) {
            e = event(ConnectionEvent.Kind.CLOSED, atMs, client);
            e.wasEstablished = true;
            e.rstCause = rstCause;
            e.rstOrigin = rstCause == null ? null : "ENDPOINT_STACK";
        }

        Closed origin(String origin) {
            e.rstOrigin = origin;
            return this;
        }

        Closed data(int segments, int retransmitted) {
            e.dataSegments = segments;
            e.retransmissions = retransmitted;
            return this;
        }

        Closed halfOpen() {
            e.halfOpen = true;
            e.wasEstablished = false;
            return this;
        }

        /** The server sent its SYN/ACK again after the client's ACK. */
        Closed handshakeAckIgnored() {
            e.handshakeAckIgnored = true;
            return this;
        }

        /** The server's first response byte came {@code ms} after the client's first request byte. */
        Closed response(double ms) {
            e.responseNs = (long) (ms * 1_000_000L);
            return this;
        }

        Closed synRetransmits(int n) {
            e.synRetransmits = n;
            return this;
        }

        Closed timeWait(long seconds, int clientTtl) {
            e.timeWaitNs = seconds * 1_000_000_000L;
            e.clientTtl = clientTtl;
            return this;
        }

        Closed collision() {
            e.portReuseCollision = true;
            return this;
        }

        Closed observer(String observer) {
            e.observer = observer;
            return this;
        }

        ConnectionEvent build() {
            return e;
        }
    }
}

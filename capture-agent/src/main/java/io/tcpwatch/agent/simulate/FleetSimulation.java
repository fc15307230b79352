package io.tcpwatch.agent.simulate;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.schema.Addresses;
import io.tcpwatch.schema.Segment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * A simulated fleet: {@code servers} endpoints, each with its own agent, served by a pool of
 * client hosts at a steady rate (Poisson arrivals of short request/response connections, client
 * closes first), plus injected {@link Incident}s. Some servers' clients run agents too, so the same
 * connections are reported from both ends. Deterministic per seed; segments come out in capture
 * time order, as agents publishing in real time would produce them.
 *
 * <p>Background traffic alone raises no fleet detection; each incident raises exactly
 * {@link #expected()}: that is what the fleet tests assert.
 */
public final class FleetSimulation {

    /** The fleet's shape. */
    public static final class Config {
        public int servers = 20;
        public int clientsPerServer = 50;
        /** New background connections per second per server. */
        public double connectionsPerSecond = 5;
        public int seconds = 60;
        public long seed = 1;
        /** Capture time of the simulation's first second. */
        public long startNs = 1_795_000_000_000_000_000L;
        /** Every n-th server's clients run agents too (0: none). */
        public int clientVantageEvery = 5;
        public List<Incident> incidents = new ArrayList<>();
    }

    /** A fleet detection an incident must raise: type, server endpoint, client host (pair detections). */
    public record Expected(String type, String server, String client) {}

    /** What a run produced. */
    public record Summary(long connections, long segments) {}

    private enum Script { NORMAL, ABORTIVE, REJECTED, HELD, SPOOFED_SYN, SPOOFED_SYN_COOKIE, BACKLOG, LOSSY, SHORT }

    /** The simulated servers' SYN queue (Linux: the listen backlog): beyond it, SYN cookies. */
    private static final int SYN_QUEUE = 128;

    private record Plan(long startNs, int server, byte[] client, int clientPort, Script script) {}

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final Config cfg;
    private final long[] rttNs;
    private final int[] nextPort;

    public FleetSimulation(Config cfg) {
        this.cfg = cfg;
        for (Incident i : cfg.incidents) {
            if (i.server() < 0 || i.server() >= cfg.servers || i.atSecond() < 10 || i.atSecond() + 20 > cfg.seconds) {
                throw new IllegalArgumentException("incident " + i + " must name a server below " + cfg.servers
                        + " and start between second 10 and " + (cfg.seconds - 20));
            }
        }
        Random rnd = new Random(cfg.seed);
        rttNs = new long[cfg.servers];
        for (int s = 0; s < cfg.servers; s++) {
            rttNs[s] = 200_000 + rnd.nextInt(1_800_000);
        }
        nextPort = new int[1 << 16];
    }

    // ------------------------------------------------------------------ addresses

    private static boolean v6(int server) {
        return server % 10 == 7;
    }

    public static byte[] serverAddress(int server) {
        return v6(server) ? new byte[] {(byte) 0xfd, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) (server >> 8), (byte) server}
                : new byte[] {10, 20, (byte) (server / 250), (byte) (server % 250 + 1)};
    }

    public static String serverEndpoint(int server) {
        String host = Addresses.format(serverAddress(server));
        return v6(server) ? "[" + host + "]:443" : host + ":443";
    }

    /** Client host {@code j} of server {@code server}'s pool (j < 250); {@code net} 100 = pool, 99 = incidents, 66 = spoofed. */
    private static byte[] clientAddress(int server, int net, int j) {
        if (v6(server)) {
            return new byte[] {(byte) 0xfd, 0, 0, (byte) net, 0, 0, 0, 0, 0, 0, (byte) (server >> 8), (byte) server, 0, 0,
                    (byte) (j >> 8), (byte) j};
        }
        return new byte[] {10, (byte) (net + server / 250), (byte) (server % 250), (byte) (j % 250 + 1)};
    }

    public static String clientHost(byte[] addr) {
        return Addresses.format(addr);
    }

    private int port(byte[] client) {
        int slot = java.util.Arrays.hashCode(client) & 0xFFFF;
        int p = nextPort[slot] == 0 ? 32768 + (slot * 7919) % 28000 : nextPort[slot];
        nextPort[slot] = p >= 60999 ? 32768 : p + 1;
        return p;
    }

    // ------------------------------------------------------------------ what should be found

    /** The fleet detections the incidents must raise, and nothing else. */
    public List<Expected> expected() {
        List<Expected> out = new ArrayList<>();
        for (Incident i : cfg.incidents) {
            String server = serverEndpoint(i.server());
            switch (i.kind()) {
                case CONNECTION_LIMIT -> { // its rejections are an RST storm too
                    out.add(new Expected("CONNECTION_LIMIT", server, null));
                    out.add(new Expected("RST_STORM", server, null));
                }
                case RETRANSMISSION_SURGE -> out.add(new Expected(i.kind().name(), server,
                        clientHost(clientAddress(i.server(), 100, 1))));
                case PORT_EXHAUSTION_RISK -> out.add(new Expected(i.kind().name(), server,
                        clientHost(clientAddress(i.server(), 99, 0))));
                case SYN_BURST, BACKLOG_PAIR -> { } // below the thresholds: nothing to find
                default -> out.add(new Expected(i.kind().name(), server, null));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the plan

    private List<Plan> plan() {
        Random rnd = new Random(cfg.seed * 31 + 7);
        List<Plan> plans = new ArrayList<>();
        long endNs = cfg.startNs + cfg.seconds * S;
        for (int s = 0; s < cfg.servers; s++) {
            double t = cfg.startNs + rnd.nextDouble() * S / cfg.connectionsPerSecond;
            while (t < endNs) {
                long at = (long) t;
                byte[] client = clientAddress(s, 100, rnd.nextInt(Math.min(250, cfg.clientsPerServer)));
                Script script = background(s, at);
                if (script != null) {
                    plans.add(new Plan(at, s, client, port(client), script));
                }
                t += -Math.log(1 - rnd.nextDouble()) * S / cfg.connectionsPerSecond;
            }
        }
        for (Incident i : cfg.incidents) {
            int s = i.server();
            long t0 = cfg.startNs + i.atSecond() * S;
            switch (i.kind()) {
                case RST_STORM -> {
                    for (int k = 0; k < 80; k++) {
                        byte[] c = clientAddress(s, 100, rnd.nextInt(Math.min(250, cfg.clientsPerServer)));
                        plans.add(new Plan(t0 + k * 125 * MS, s, c, port(c), Script.ABORTIVE));
                    }
                }
                case SYN_FLOOD -> {
                    for (int k = 0; k < 200; k++) {
                        byte[] c = clientAddress(s, 66, k);
                        plans.add(new Plan(t0 + k * 10 * MS, s, c, 1024 + rnd.nextInt(60000),
                                k < SYN_QUEUE ? Script.SPOOFED_SYN : Script.SPOOFED_SYN_COOKIE));
                    }
                }
                case SYN_BURST -> {
                    for (int k = 0; k < 100; k++) {
                        byte[] c = clientAddress(s, 66, k);
                        plans.add(new Plan(t0 + k * 10 * MS, s, c, 1024 + rnd.nextInt(60000), Script.SPOOFED_SYN));
                    }
                }
                case ACCEPT_BACKLOG_OVERFLOW, BACKLOG_PAIR -> {
                    byte[] c = clientAddress(s, 100, 0);
                    for (int k = 0; k < (i.kind() == Incident.Kind.BACKLOG_PAIR ? 2 : 10); k++) {
                        plans.add(new Plan(t0 + k * 50 * MS, s, c, port(c), Script.BACKLOG));
                    }
                }
                case CONNECTION_LIMIT -> {
                    for (int k = 0; k < 6; k++) {
                        byte[] c = clientAddress(s, 100, k);
                        plans.add(new Plan(t0 - 500 * MS + k * MS, s, c, port(c), Script.HELD));
                    }
                    for (int k = 0; k < 30; k++) {
                        byte[] c = clientAddress(s, 99, 100 + k);
                        plans.add(new Plan(t0 + k * 100 * MS, s, c, port(c), Script.REJECTED));
                    }
                }
                case RECONNECT_STORM -> {
                    for (int k = 0; k < 40; k++) {
                        byte[] c = clientAddress(s, 99, 100 + k);
                        plans.add(new Plan(t0 + k * 25 * MS, s, c, port(c), Script.NORMAL));
                    }
                }
                case RETRANSMISSION_SURGE -> {
                    byte[] c = clientAddress(s, 100, 1);
                    for (int k = 0; k < 30; k++) {
                        plans.add(new Plan(t0 + k * 333 * MS, s, c, port(c), Script.LOSSY));
                    }
                }
                case PORT_EXHAUSTION_RISK -> {
                    byte[] c = clientAddress(s, 99, 0);
                    for (int k = 0; k < 6_000; k++) { // 300/s for 20 s: one full window whatever the alignment
                        plans.add(new Plan(t0 + k * S / 300, s, c, port(c), Script.SHORT));
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
        plans.sort(Comparator.comparingLong(Plan::startNs));
        return plans;
    }

    /** What a background connection to {@code server} at {@code at} becomes while an incident runs there. */
    private Script background(int server, long at) {
        for (Incident i : cfg.incidents) {
            if (i.server() != server) {
                continue;
            }
            long t0 = cfg.startNs + i.atSecond() * S;
            switch (i.kind()) {
                case RST_STORM -> {
                    if (at >= t0 && at < t0 + 10 * S) {
                        return Script.ABORTIVE;
                    }
                }
                case CONNECTION_LIMIT -> {
                    if (at >= t0 - S && at < t0) {
                        return null; // the held connections fill the application
                    }
                    if (at >= t0 && at < t0 + 3 * S) {
                        return Script.REJECTED;
                    }
                }
                case RECONNECT_STORM -> {
                    if (at >= t0 - 8 * S && at < t0) {
                        return null; // maintenance: nobody connects
                    }
                }
                default -> { }
            }
        }
        return Script.NORMAL;
    }

    // ------------------------------------------------------------------ the segments

    private Conversation script(Plan p, Random rnd) {
        long rtt = rttNs[p.server()];
        long t = p.startNs();
        Conversation c = new Conversation(p.client(), p.clientPort(), serverAddress(p.server()), 443,
                rnd.nextInt() & 0xFFFFFFFFL, rnd.nextInt() & 0xFFFFFFFFL);
        switch (p.script()) {
            case SPOOFED_SYN -> { // a request in the SYN queue: the SYN/ACK is sent again
                return c.syn(t).synAck(t + 30_000).synAck(t + S).synAck(t + 3 * S);
            }
            case SPOOFED_SYN_COOKIE -> { // the queue is full: a SYN cookie, no state, nothing sent again
                return c.syn(t).synAck(t + 30_000);
            }
            case BACKLOG -> {
                c.syn(t);
                t += S; // the first SYN was dropped: the accept queue was full
                c.syn(t);
            }
            default -> c.syn(t);
        }
        c.synAck(t + rtt).handshakeAck(t + rtt + 20_000);
        t += rtt + 20_000;
        if (p.script() == Script.REJECTED) {
            return c.serverRst(t + MS);
        }
        if (p.script() == Script.LOSSY) {
            for (int k = 0; k < 20; k++) {
                long at = t + 50_000 + k * 100_000L;
                if (rnd.nextDouble() < 0.05) {
                    c.lostClientData(at, at + 200 * MS, 1448);
                } else {
                    c.clientData(at, 1448);
                }
            }
            t += 300 * MS;
            c.serverAck(t);
        } else {
            c.clientData(t + 50_000, 200).serverAck(t + 50_000 + rtt / 2);
            t += 50_000 + rtt / 2 + (1 + rnd.nextInt(4)) * MS; // the application thinks
            int segments = p.script() == Script.SHORT ? 1 : 1 + rnd.nextInt(4);
            for (int k = 0; k < segments; k++) {
                c.serverData(t + k * 10_000L, 1448);
            }
            t += segments * 10_000L + rtt / 2;
            c.clientAck(t);
        }
        switch (p.script()) {
            case ABORTIVE -> {
                return c.serverRst(t + 5 * MS); // instead of a FIN, some time after the last segment
            }
            case HELD -> t += 3_500 * MS; // through the incident
            case SHORT -> t += MS;
            default -> t += (1 + rnd.nextInt(200)) * MS;
        }
        return c.clientCloses(t, rtt);
    }

    private record Timed(long tsNs, long order, Segment segment) {}

    /** Runs the simulation into {@code sink}, in capture-time order. */
    public Summary run(SegmentSink sink) throws InterruptedException {
        Random rnd = new Random(cfg.seed * 17 + 3);
        PriorityQueue<Timed> queue = new PriorityQueue<>(Comparator.comparingLong(Timed::tsNs).thenComparingLong(Timed::order));
        long order = 0;
        long segments = 0;
        List<Plan> plans = plan();
        for (Plan p : plans) {
            // every segment before this connection's first one is final: emit it
            while (!queue.isEmpty() && queue.peek().tsNs() <= p.startNs()) {
                sink.accept(queue.poll().segment());
                segments++;
            }
            boolean clientAgent = cfg.clientVantageEvery > 0 && p.server() % cfg.clientVantageEvery == 0
                    && p.script() != Script.SPOOFED_SYN && p.script() != Script.SPOOFED_SYN_COOKIE;
            for (Conversation.Planned planned : script(p, rnd).segments()) {
                if ((planned.seenBy() & Conversation.SERVER_SIDE) != 0) {
                    queue.add(new Timed(planned.segment().tsNanos, order++,
                            view(planned, "srv-" + p.server(), !planned.fromClient(), 0)));
                }
                if (clientAgent && (planned.seenBy() & Conversation.CLIENT_SIDE) != 0) {
                    queue.add(new Timed(planned.segment().tsNanos + 2 * MS, order++,
                            view(planned, "cli-" + clientHost(p.client()), planned.fromClient(), 2 * MS)));
                }
            }
        }
        while (!queue.isEmpty()) {
            sink.accept(queue.poll().segment());
            segments++;
        }
        return new Summary(plans.size(), segments);
    }

    /** The segment as one agent captures it: its name, its clock, the TTL after the hops travelled. */
    private static Segment view(Conversation.Planned planned, String observer, boolean sentHere, long clockOffsetNs) {
        Segment s = planned.segment().copy();
        s.observer = observer;
        s.tsNanos += clockOffsetNs;
        s.ttl = sentHere ? 64 : 63;
        s.iface = "eth0";
        return s;
    }
}

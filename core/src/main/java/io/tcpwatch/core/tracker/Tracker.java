package io.tcpwatch.core.tracker;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.History;
import io.tcpwatch.core.connection.Side;
import io.tcpwatch.core.connection.TcpState;
import io.tcpwatch.core.connection.TcpState.Event;
import io.tcpwatch.core.connection.TimeWait;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.record.ZeekConnState;
import io.tcpwatch.core.record.ZeekConnState.Endpoint;
import io.tcpwatch.core.rules.ConnectionRule;
import io.tcpwatch.core.rules.ConnectionRule.Moment;
import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Timers;
import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Follows every connection of one observer's 4-tuple through {@link TcpState}, incarnation after
 * incarnation, and reports per-connection detections and one conn.log record per incarnation.
 * Deadlines end handshakes (half-open), lingering closes, idle connections and TIME_WAIT; when a
 * story is over every piece of its state is cleared. Segments behind the watermark are reported as
 * late, never dropped silently. Plain Java: the state lives in the {@link StateStore} it is opened
 * with (Flink keyed state in the job, maps in a local run) and time is passed in.
 */
public final class Tracker {

    /** The per-connection rules by the moment they are asked at, each list in {@link ConnectionRule#ALL}'s order. */
    private static final Map<Moment, List<ConnectionRule>> RULES_AT = new EnumMap<>(Moment.class);

    static {
        for (Moment m : Moment.values()) {
            RULES_AT.put(m, ConnectionRule.ALL.stream().filter(r -> r.moments().contains(m)).toList());
        }
    }

    private final TrackerConfig cfg;
    private final Cell<Connection> conn;
    private final Cell<TimeWait> timeWait;
    /** The headers of telling segments, for the findings' packets. */
    private final Excerpts excerpts;
    private long openConnections;
    /**
     * The newest capture time this instance has processed: how far its observers are known to have
     * seen. A deadline can come later than that (at the end of a capture file the watermark jumps to
     * the end of time), and what did not happen before it was not seen not to happen.
     */
    private long newestSegmentNs;

    public Tracker(TrackerConfig cfg, StateStore store) {
        this.cfg = cfg;
        this.conn = store.cell("connection", Connection.class);
        this.timeWait = store.cell("time-wait", TimeWait.class);
        this.excerpts = new Excerpts(store);
    }

    /** Connections open across the keys of this instance. */
    public long openConnections() {
        return openConnections;
    }

    /** A segment of the current key (observer and 4-tuple). */
    public void onSegment(Segment s, Timers timers, TrackerOutput out) {
        if (!late(s, timers, out)) {
            Connection c = next(conn.get(), s, timers, out);
            save(c, timers);
        }
    }

    /**
     * Consecutive segments of the current key, in capture order (a flow batch): the connection's state
     * is read once and written once, its deadline set once, whatever the run's length.
     */
    public void onSegments(List<Segment> run, Timers timers, TrackerOutput out) {
        Connection c = conn.get();
        boolean stepped = false;
        for (Segment s : run) {
            if (!late(s, timers, out)) {
                c = next(c, s, timers, out);
                stepped = true;
            }
        }
        if (stepped) {
            save(c, timers);
        }
    }

    /** A segment behind the watermark is reported as late, and goes no further. */
    private boolean late(Segment s, Timers timers, TrackerOutput out) {
        newestSegmentNs = Math.max(newestSegmentNs, s.tsNanos);
        long watermark = timers.watermark();
        if (eventTimeMs(s) < watermark) {
            out.late(new LateSegment(s, watermark));
            return true;
        }
        return false;
    }

    /**
     * The incarnation {@code s} belongs to, after it: {@code c} stepped, or a new one when {@code c} (null:
     * none) ended before it or cannot hold it. State is the caller's to write.
     */
    private Connection next(Connection c, Segment s, Timers timers, TrackerOutput out) {
        while (c != null && eventTimeMs(s) >= dueMs(c)) {
            // its deadline is before this segment in event time: act on it first, whenever the watermark comes
            c = deadline(c, dueMs(c), timers, out); // the handshake's verdict goes on, at most once; an end ends
        }
        if (c != null && startsNewIncarnation(c, s)) {
            finish(c, s.tsNanos, "new incarnation", timers, out);
            c = null;
        }
        boolean opened = c == null;
        if (opened) {
            c = open(s);
        }
        boolean establishedBefore = c.establishedNs != 0;
        boolean fromOrig = c.isOrig(s.srcAddr, s.srcPort);
        excerpts.offer(c, s, fromOrig);
        step(c, s, fromOrig, out);
        if (opened) { // after the first step: the event carries the ISN that identifies the connection
            out.event(event(c, ConnectionEvent.Kind.OPENED, c.startNs));
        }
        if (!establishedBefore && c.establishedNs != 0) {
            out.event(event(c, ConnectionEvent.Kind.ESTABLISHED, c.establishedNs));
        }
        if (!c.handshakeReported && c.firstSynNs != 0 && (c.establishedNs != 0 || c.rstSide != 0)) {
            handshake(c, s.tsNanos, out); // completed or reset: known now
        }
        if (c.state.isOver() && !c.closedEventSent) { // the fleet stage learns of the end now, not after the linger
            closedEvent(c, s.tsNanos, out);
        }
        return c;
    }

    /** The connection's deadline and state, once the segments of a call are stepped. */
    private void save(Connection c, Timers timers) {
        schedule(c, timers);
        conn.set(c);
    }

    /** A deadline of the current key has come. */
    public void onTimer(long timestampMs, Timers timers, TrackerOutput out) {
        Connection c = conn.get();
        if (c != null && c.timerAtMs == timestampMs) {
            long dueMs = dueMs(c);
            if (dueMs > timestampMs) { // the connection moved on since this deadline was set
                timers.schedule(dueMs);
                c.timerAtMs = dueMs;
                conn.set(c);
            } else if (deadline(c, timestampMs, timers, out) != null) {
                c.timerAtMs = 0; // this one has fired
                schedule(c, timers);
                conn.set(c);
            }
        }
        TimeWait tw = timeWait.get();
        if (tw != null && tw.expiresNs <= timestampMs * 1_000_000L) {
            timeWait.clear();
            excerpts.expired(tw);
        }
    }

    /** A segment's event time: its capture timestamp, in ms. */
    public static long eventTimeMs(Segment s) {
        return Math.floorDiv(s.tsNanos, 1_000_000L);
    }

    /**
     * A deadline has come ({@link #dueMs}): the handshake's verdict, after which the connection goes on
     * (returned), or the end of the incarnation (null).
     */
    private Connection deadline(Connection c, long atMs, Timers timers, TrackerOutput out) {
        if (verdictPending(c)) {
            handshake(c, atMs * 1_000_000L, out);
            return c;
        }
        expire(c, atMs, timers, out);
        return null;
    }

    /** The handshake is neither complete nor reset and the fleet stage has not been told yet. */
    private static boolean verdictPending(Connection c) {
        return !c.handshakeReported && c.firstSynNs != 0 && c.establishedNs == 0 && c.rstSide == 0;
    }

    /** Tells the fleet stage how the handshake went, stamped with the first SYN's time. */
    private void handshake(Connection c, long nowNs, TrackerOutput out) {
        ConnectionEvent e = event(c, ConnectionEvent.Kind.HANDSHAKE, c.firstSynNs);
        e.wasEstablished = c.establishedNs != 0;
        e.refused = !e.wasEstablished && c.rstSide != 0;
        e.synRetransmits = c.synRetransmits;
        e.portReuseCollision = c.portReuseCollision;
        e.synAnswered = c.synAckNs != 0;
        // what this instance saw of its observers' time since the SYN/ACK (a deadline may come at the end of time)
        long seenSinceSynAck = Math.min(nowNs, newestSegmentNs) - c.synAckNs;
        e.statelessSynAck = !e.wasEstablished && !e.refused && e.synAnswered && c.synAckRetransmits == 0
                && seenSinceSynAck >= cfg.synAckRtoFor(c.resp.ttl).toNanos();
        e.clientTtl = c.orig.ttl;
        out.event(e);
        c.handshakeReported = true;
    }

    /** The incarnation's deadline has come ({@link #dueMs}): a handshake left half-open, a close, silence. */
    private void expire(Connection c, long atMs, Timers timers, TrackerOutput out) {
        long nowNs = atMs * 1_000_000L;
        if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            ask(Moment.HANDSHAKE_EXPIRED, c, nowNs, null, false, out);
            finish(c, nowNs, "half-open", timers, out);
        } else if (c.closedNs != 0) {
            finish(c, nowNs, closeCause(c), timers, out);
        } else {
            finish(c, nowNs, oneSided(c) ? "one-sided" : "idle expiry", timers, out);
        }
    }

    /** A SYN that cannot belong to the current incarnation starts the next one. */
    private static boolean startsNewIncarnation(Connection c, Segment s) {
        if (!s.has(TcpFlags.SYN) || s.has(TcpFlags.ACK) || s.has(TcpFlags.RST)) {
            return false;
        }
        if (c.state.isOver() || !c.isOrig(s.srcAddr, s.srcPort)) {
            return true;
        }
        return !c.handshakeSeen() || s.seq != c.orig.isn;
    }

    /** A new incarnation: who originated it, and whether its SYN came into the previous one's TIME_WAIT. */
    private Connection open(Segment s) {
        Connection c = new Connection();
        c.observer = s.observer;
        c.tunnel = s.tunnel;
        c.ipVersion = s.ipVersion;
        boolean srcIsOrig;
        if (s.has(TcpFlags.SYN)) {
            srcIsOrig = !s.has(TcpFlags.ACK); // a lone SYN/ACK means the SYN was missed
        } else {
            srcIsOrig = s.srcPort >= s.dstPort; // midstream: the ephemeral (higher) port is the client
        }
        c.history = srcIsOrig ? "" : "^"; // Zeek's mark: the roles are not the first segment's
        c.orig.addr = (srcIsOrig ? s.srcAddr : s.dstAddr).clone();
        c.orig.port = srcIsOrig ? s.srcPort : s.dstPort;
        c.resp.addr = (srcIsOrig ? s.dstAddr : s.srcAddr).clone();
        c.resp.port = srcIsOrig ? s.dstPort : s.srcPort;
        c.startNs = s.tsNanos;
        TimeWait tw = timeWait.get();
        boolean withinTimeWait = tw != null && s.tsNanos < tw.expiresNs;
        if (withinTimeWait) {
            boolean newOrigIsLow = srcIsOrig == FlowKey.isForward(s);
            boolean sameOriginator = tw.origIsLow == newOrigIsLow;
            c.intoTimeWait = tw.responderHolds && sameOriginator;
            c.previousCloseNs = tw.closedNs;
            c.previousTimeWaitNs = tw.expiresNs - tw.closedNs;
        }
        excerpts.opened(c, tw, withinTimeWait);
        if (tw != null) { // taken by this incarnation, or over
            timeWait.clear();
        }
        openConnections++;
        return c;
    }

    /**
     * One segment, in this order: the request it may complete, its RST, what its sender sent
     * (counters, retransmissions), the handshake facts, the zero-window stall, its FIN, the history
     * letters, and last the state machine.
     */
    private void step(Connection c, Segment s, boolean fromOrig, TrackerOutput out) {
        Side from = c.from(fromOrig);
        Side to = c.to(fromOrig);
        int side = fromOrig ? 1 : 2;
        boolean fin = s.has(TcpFlags.FIN);
        Event event = event(s);
        long now = s.tsNanos;
        request(c, s, fromOrig, now); // before the sequence numbers below move on
        if (event == Event.RST) {
            reset(c, s, fromOrig, out);
        } else if (c.rstSide != 0 && side != c.rstSide && s.payloadLen > 0 && c.dataAfterRstNs == 0) {
            c.dataAfterRstNs = now;
        }
        sent(c, from, to, s, fromOrig);
        handshakeFacts(c, s, fromOrig, event, out);
        if (!s.has(TcpFlags.SYN) && event != Event.RST && from.endpoint == Endpoint.INACTIVE) {
            from.endpoint = Endpoint.PARTIAL;
        }
        zeroWindow(c, s, side, out);

        boolean secondFin = fin && c.firstFinSide != 0 && c.firstFinSide != side;
        boolean finToSilentPeer = fin && to.endpoint == Endpoint.INACTIVE;
        boolean acksLastFin = c.state == TcpState.CLOSING && !fin && s.has(TcpFlags.ACK) && side == c.firstFinSide;
        if (fin) {
            fin(c, from, side, event == Event.RST, now);
        }
        history(c, s, fromOrig, event);
        transition(c, event, fromOrig, secondFin, acksLastFin, finToSilentPeer, now);
        c.lastNs = now;
        from.lastNs = now;
    }

    /** The state machine's input: a segment's most telling flag. */
    private static Event event(Segment s) {
        if (s.has(TcpFlags.RST)) {
            return Event.RST;
        }
        if (s.has(TcpFlags.SYN)) {
            return s.has(TcpFlags.ACK) ? Event.SYN_ACK : Event.SYN;
        }
        return s.has(TcpFlags.FIN) ? Event.FIN : s.payloadLen > 0 ? Event.DATA : Event.ACK;
    }

    /** A RST: its rules, then the first RST's side and time, unless it only answers a challenge ACK. */
    private void reset(Connection c, Segment s, boolean fromOrig, TrackerOutput out) {
        ask(Moment.RST, c, s.tsNanos, s, fromOrig, out);
        if (c.state == TcpState.SYN_SENT && fromOrig && c.challengeAckSeen) {
            c.origRstAfterChallenge = true;
            return;
        }
        if (c.rstSide != 0) {
            return;
        }
        c.rstSide = fromOrig ? 1 : 2;
        c.rstNs = s.tsNanos;
        // data the peer had sent beyond what this RST acknowledges crossed it on the wire
        Side peer = c.to(fromOrig);
        if (s.has(TcpFlags.ACK) && peer.nextKnown && after(peer.nextSeq, s.ack) && peer.bytes > 0) {
            c.dataAfterRstNs = peer.lastNs;
        }
        // after a FIN exchange a RST changes neither endpoint's state (Zeek: still SF; the history has r/R)
        boolean finExchanged = c.orig.endpoint == Endpoint.CLOSED && c.resp.endpoint == Endpoint.CLOSED;
        if (!finExchanged) {
            c.from(fromOrig).endpoint = Endpoint.RESET;
        }
    }

    /**
     * What the sender sent: packets, bytes, segments at its peer's MSS, retransmitted payload (an
     * RST's sequence number says nothing of data), its MSS and TTL, the first byte of an answer.
     */
    private static void sent(Connection c, Side from, Side to, Segment s, boolean fromOrig) {
        boolean rst = s.has(TcpFlags.RST);
        boolean syn = s.has(TcpFlags.SYN);
        long seqEnd = (s.seq + s.payloadLen + (syn ? 1 : 0) + (s.has(TcpFlags.FIN) ? 1 : 0)) & 0xFFFFFFFFL;
        int segments = segments(s.payloadLen, to.mss);
        c.dataSegments += segments;
        if (syn && s.mss > 0) {
            from.mss = s.mss;
        }
        if (!fromOrig && s.payloadLen > 0 && c.requestNs != 0 && c.firstResponseNs == 0) {
            c.firstResponseNs = s.tsNanos; // the answer begins: time to first byte
        }
        from.pkts++;
        from.bytes += s.payloadLen;
        if (!rst && s.payloadLen > 0 && from.nextKnown && !after(seqEnd, from.nextSeq)) {
            c.history = History.scaled(c.history, fromOrig, 't', ++from.retransmits);
            c.retransmittedSegments += segments;
        }
        if (!rst && (!from.nextKnown || after(seqEnd, from.nextSeq))) {
            from.nextSeq = seqEnd;
            from.nextKnown = true;
        }
        if (from.ttl < 0 && !rst) {
            from.ttl = s.ttl;
        }
    }

    /** The handshake's facts: SYNs and their retransmissions, the SYN/ACK and its repeats, a challenge ACK. */
    private void handshakeFacts(Connection c, Segment s, boolean fromOrig, Event event, TrackerOutput out) {
        long now = s.tsNanos;
        if (event == Event.SYN && fromOrig) {
            if (c.firstSynNs == 0) {
                c.firstSynNs = now;
                c.orig.isn = s.seq;
                c.orig.endpoint = Endpoint.SYN_SENT;
            } else if (s.seq == c.orig.isn) {
                c.synRetransmits++;
            }
            c.lastSynNs = now;
        } else if (event == Event.SYN_ACK && !fromOrig && c.synAckNs != 0 && s.seq == c.resp.isn) {
            c.synAckRetransmits++; // the server keeps state for this handshake: no SYN cookie
            if (c.establishedNs != 0) {
                c.handshakeAckIgnored = true; // the client's ACK did not complete it: the accept queue was full
            }
        } else if (event == Event.SYN_ACK && !fromOrig && c.synAckNs == 0) {
            c.synAckNs = now;
            c.resp.isn = s.seq;
            c.resp.endpoint = Endpoint.SYN_ACK_SENT;
            if (c.state == TcpState.SYN_SENT) { // the handshake is answered: what did it cost?
                ask(Moment.HANDSHAKE_ANSWERED, c, now, s, false, out);
            }
        } else if (event == Event.ACK && !fromOrig && c.state == TcpState.SYN_SENT
                && s.ack != ((c.orig.isn + 1) & 0xFFFFFFFFL) && !c.challengeAckSeen) {
            c.challengeAckSeen = true; // an ACK for another incarnation: TIME_WAIT or RFC 5961 challenge
            c.challengeAck = s.ack;
            c.challengeAckNs = now;
        }
    }

    /** A FIN: its time, which side closed first, and the sender's endpoint closed (unless reset). */
    private static void fin(Connection c, Side from, int side, boolean rst, long now) {
        if (from.finNs == 0) {
            from.finNs = now;
        }
        if (c.firstFinSide == 0) {
            c.firstFinSide = side;
        }
        if (!rst && from.endpoint != Endpoint.RESET) {
            from.endpoint = Endpoint.CLOSED;
        }
    }

    /** The state machine moves; the close and the establishment are stamped when they happen. */
    private static void transition(Connection c, Event event, boolean fromOrig, boolean secondFin, boolean acksLastFin,
                                   boolean finToSilentPeer, long now) {
        TcpState before = c.state;
        c.state = c.state.next(event, fromOrig, secondFin, acksLastFin);
        if (c.closedNs == 0 && (c.state.isOver() || finToSilentPeer)) {
            c.closedNs = now;
        }
        if (before == TcpState.SYN_RECEIVED && c.state != TcpState.SYN_RECEIVED && c.establishedNs == 0) {
            c.establishedNs = now;
            if (c.orig.endpoint == Endpoint.SYN_SENT) {
                c.orig.endpoint = Endpoint.ESTABLISHED;
            }
            if (c.resp.endpoint == Endpoint.SYN_ACK_SENT) {
                c.resp.endpoint = Endpoint.ESTABLISHED;
            }
        }
    }

    /**
     * The originator's request: its first byte, the moment the responder's stack acknowledged all of
     * it, and whether the originator sent more after that (then it was not waiting for an answer).
     */
    private static void request(Connection c, Segment s, boolean fromOrig, long now) {
        if (s.has(TcpFlags.RST) || s.has(TcpFlags.SYN) || c.requestMore) {
            return;
        }
        boolean responderBytesUnseen = c.resp.nextKnown && (fromOrig ? s.has(TcpFlags.ACK) && after(s.ack, c.resp.nextSeq)
                : after(s.seq, c.resp.nextSeq));
        if (responderBytesUnseen) { // the responder sent bytes the capture missed: it answered
            c.requestMore = true;
            return;
        }
        if (fromOrig && s.payloadLen > 0) {
            if (c.requestAckedNs != 0) {
                c.requestMore = true; // a stream, or a second request: not one unanswered request
            } else if (c.requestNs == 0) {
                c.requestNs = now;
            }
        } else if (!fromOrig && c.requestNs != 0 && c.requestAckedNs == 0 && s.has(TcpFlags.ACK) && c.orig.nextKnown
                && !after(c.orig.nextSeq, s.ack)) {
            c.requestAckedNs = now;
        }
    }

    /** Opens, counts and closes zero-window stalls; reports one when the window reopens. */
    private void zeroWindow(Connection c, Segment s, int side, TrackerOutput out) {
        if (s.has(TcpFlags.RST) || s.has(TcpFlags.SYN)) {
            return;
        }
        if (c.zeroWindowSide == 0) {
            if (s.window == 0) {
                c.zeroWindowSide = side;
                c.zeroWindowStartNs = s.tsNanos;
                c.zeroWindowProbes = 0;
            }
        } else if (side != c.zeroWindowSide) {
            c.zeroWindowProbes++;
        } else if (s.window > 0) {
            ask(Moment.WINDOW_REOPENED, c, s.tsNanos, s, side == 1, out);
            c.zeroWindowSide = 0;
        }
    }

    private static void history(Connection c, Segment s, boolean fromOrig, Event event) {
        boolean syn = s.has(TcpFlags.SYN);
        if (s.window == 0 && !s.has(TcpFlags.RST) && c.to(fromOrig).endpoint != Endpoint.CLOSED
                && c.from(fromOrig).endpoint != Endpoint.RESET) {
            int zeroWindows = ++c.from(fromOrig).zeroWindows;
            c.history = History.scaled(c.history, fromOrig, 'w', zeroWindows);
        }
        if (syn && (s.has(TcpFlags.FIN) || s.has(TcpFlags.RST))) {
            c.history = History.add(c.history, fromOrig, 'q');
        }
        switch (event) {
            case SYN -> c.history = History.add(c.history, fromOrig, 's');
            case SYN_ACK -> c.history = History.add(c.history, fromOrig, 'h');
            case RST -> c.history = History.add(c.history, fromOrig, 'r');
            default -> {
                if (s.payloadLen > 0) {
                    c.history = History.add(c.history, fromOrig, 'd');
                } else if (event == Event.ACK) {
                    c.history = History.add(c.history, fromOrig, 'a');
                }
                if (s.has(TcpFlags.FIN)) {
                    c.history = History.add(c.history, fromOrig, 'f');
                }
            }
        }
    }

    /**
     * One timer per incarnation: handshake timeout, close linger or idle expiry, whichever applies.
     * Timers move lazily: a timer already due before the new deadline stays (it re-checks when it
     * fires), so a busy connection costs no timer-service work per segment.
     */
    private void schedule(Connection c, Timers timers) {
        long dueMs = dueMs(c);
        if (c.timerAtMs != 0 && c.timerAtMs <= dueMs) {
            return;
        }
        if (c.timerAtMs != 0) {
            timers.cancel(c.timerAtMs);
        }
        timers.schedule(dueMs);
        c.timerAtMs = dueMs;
    }

    /** When the incarnation's story must be looked at again, in event-time milliseconds. */
    private long dueMs(Connection c) {
        long dueNs;
        if (verdictPending(c)) {
            dueNs = c.firstSynNs + cfg.handshakeVerdict.toNanos();
        } else if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED) {
            dueNs = c.firstSynNs + cfg.handshakeTimeout.toNanos();
        } else if (c.closedNs != 0) {
            dueNs = c.closedNs + cfg.closeLinger.toNanos();
        } else if (oneSided(c)) {
            dueNs = c.firstSynNs + cfg.oneSidedAttempt.toNanos();
        } else {
            dueNs = c.lastNs + cfg.idleExpiry.toNanos();
        }
        return Math.floorDiv(dueNs, 1_000_000L) + 1;
    }

    /** The originator went on past its SYN while nothing of the responder was ever seen: one direction only. */
    private static boolean oneSided(Connection c) {
        return c.state != TcpState.SYN_SENT && c.orig.endpoint == Endpoint.SYN_SENT && c.resp.endpoint == Endpoint.INACTIVE;
    }

    /** Ends an incarnation: last detections, its conn.log record, TIME_WAIT if it closed with FINs. */
    private void finish(Connection c, long nowNs, String cause, Timers timers, TrackerOutput out) {
        ask(Moment.END, c, nowNs, null, false, out);
        out.connection(ConnectionRecords.of(c, cause));
        if (!c.closedEventSent) {
            closedEvent(c, nowNs, out);
        }
        if (c.timerAtMs != 0) {
            timers.cancel(c.timerAtMs);
        }
        conn.clear();
        openConnections--;
        TimeWait tw = c.state == TcpState.CLOSED || (c.orig.finNs != 0 && c.resp.finNs != 0 && c.rstSide == 0)
                ? timeWait(c) : null;
        excerpts.ended(c, tw);
        if (tw != null) {
            timeWait.set(tw);
            timers.schedule(Math.floorDiv(tw.expiresNs, 1_000_000L) + 1);
        }
    }

    /** What a FIN close leaves: the active closer's TIME_WAIT on the 4-tuple. */
    private TimeWait timeWait(Connection c) {
        TimeWait tw = new TimeWait();
        long closeNs = Math.max(c.orig.finNs, c.resp.finNs);
        tw.closedNs = closeNs;
        tw.responderHolds = c.firstFinSide == 2;
        int holderTtl = tw.responderHolds ? c.resp.ttl : c.orig.ttl;
        tw.expiresNs = closeNs + cfg.timeWaitFor(holderTtl).toNanos();
        int order = Arrays.compareUnsigned(c.orig.addr, c.resp.addr);
        tw.origIsLow = order < 0 || (order == 0 && c.orig.port <= c.resp.port);
        return tw;
    }

    private static String closeCause(Connection c) {
        if (c.rstSide != 0) {
            return c.rstSide == 1 ? "RST by originator" : "RST by responder";
        }
        return "FIN";
    }

    /** Asks the rules of {@code moment}; what they find is reported and marked on the connection. */
    private void ask(Moment moment, Connection c, long nowNs, Segment s, boolean fromOrig, TrackerOutput out) {
        ConnectionRule.At at = new ConnectionRule.At(moment, nowNs, s, fromOrig, cfg);
        for (ConnectionRule rule : RULES_AT.get(moment)) {
            Detection d = rule.evaluate(c, at);
            if (d != null) {
                marked(c, d);
                d.packets = excerpts.of(c);
                out.detection(d);
            }
        }
    }

    /** What the fleet stage is told of a connection's findings: its first RST's cause, a half-open, a collision, a stall. */
    private static void marked(Connection c, Detection d) {
        switch (DetectionType.of(d.type)) {
            case RST -> {
                if (c.rstCause == null) {
                    c.rstCause = d.cause;
                    c.rstOrigin = d.origin;
                }
            }
            case HALF_OPEN -> c.halfOpen = true;
            case PORT_REUSE_COLLISION -> c.portReuseCollision = true;
            case ZERO_WINDOW_STALL -> c.zeroWindowStall = true;
            default -> { }
        }
    }

    /** Tells the fleet stage the incarnation ended, at {@code nowNs} (event time), and how. */
    private void closedEvent(Connection c, long nowNs, TrackerOutput out) {
        ConnectionEvent closed = event(c, ConnectionEvent.Kind.CLOSED, nowNs);
        closed.wasEstablished = c.establishedNs != 0;
        closed.connState = ZeekConnState.of(c.orig.endpoint, c.resp.endpoint, c.history, c.orig.bytes, c.resp.bytes);
        closed.rstCause = c.rstCause;
        closed.rstOrigin = c.rstOrigin;
        closed.halfOpen = c.halfOpen;
        closed.portReuseCollision = c.portReuseCollision;
        closed.clientTtl = c.orig.ttl;
        if (c.orig.finNs != 0 && c.resp.finNs != 0 && c.rstSide == 0) { // the active closer holds the port
            closed.timeWaitNs = cfg.timeWaitFor(c.firstFinSide == 2 ? c.resp.ttl : c.orig.ttl).toNanos();
        }
        closed.zeroWindowStall = c.zeroWindowStall;
        closed.synRetransmits = c.synRetransmits;
        closed.handshakeAckIgnored = c.handshakeAckIgnored;
        closed.responseNs = c.firstResponseNs != 0 ? c.firstResponseNs - c.requestNs : -1;
        closed.retransmissions = c.retransmittedSegments;
        closed.dataSegments = c.dataSegments;
        out.event(closed);
        c.closedEventSent = true;
    }

    private static ConnectionEvent event(Connection c, ConnectionEvent.Kind kind, long tsNs) {
        ConnectionEvent e = new ConnectionEvent();
        e.kind = kind;
        e.tsNs = tsNs;
        e.observer = c.observer;
        e.server = c.server();
        e.client = c.client();
        e.isn = c.orig.isn;
        return e;
    }

    /** Segments of {@code payload} bytes at the sender's size {@code peerMss} (unknown: an Ethernet MSS). */
    static int segments(int payload, int peerMss) {
        int mss = peerMss > 0 ? peerMss : 1460;
        return (payload + mss - 1) / mss;
    }

    /** Sequence-space comparison: a is after b (RFC 1982 serial arithmetic on 32 bits). */
    static boolean after(long a, long b) {
        return (int) (a - b) > 0;
    }
}

package io.tcpwatch.core.rules;

import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.Evidence;
import io.tcpwatch.core.record.RstCause;
import io.tcpwatch.core.record.RstOrigin;
import io.tcpwatch.core.record.Severity;
import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.TcpState;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Set;

/**
 * {@code RST} with its {@code cause} and {@code origin}:
 *
 * <ul>
 *   <li>{@code REFUSED} — RST answering a SYN;
 *   <li>{@code REJECTED_AFTER_HANDSHAKE} — the responder RSTs within {@code rejectWindow} of the
 *       handshake, before sending data;
 *   <li>{@code ABORTIVE_CLOSE} — RST instead of FIN after data;
 *   <li>{@code RST_AFTER_FIN} — RST answering the peer's FIN (its window 0 is normal);
 *   <li>{@code IDLE_TIMEOUT} — RST after an idle gap; reports the gap and whether it matches a round timer;
 *   <li>{@code CHALLENGE_ACK_REPLY} — RST answering an unacceptable ACK (a SYN's challenge or TIME_WAIT ACK);
 *   <li>{@code DATA_AFTER_RST} — the peer keeps sending and gets a second RST.
 * </ul>
 * Origin: {@code ENDPOINT_STACK} (immediate reply to an incoming segment), {@code ENDPOINT_APP}
 * (after a delay, no trigger segment), {@code MIDDLEBOX_SUSPECT} (IP TTL inconsistent with the
 * sender's other packets in the connection) — "who sent the RST?".
 */
public final class RstRule implements ConnectionRule {

    private static final long[] ROUND_TIMERS_S = {5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600};

    @Override
    public DetectionType type() {
        return DetectionType.RST;
    }

    @Override
    public Set<Moment> moments() {
        return Set.of(Moment.RST);
    }

    @Override
    public Detection evaluate(Connection c, At at) {
        return classify(c, at.segment(), at.fromOrig(), at.cfg());
    }

    /**
     * Classifies {@code rst}, sent by the originator when {@code fromOrig}; the connection is as it
     * was before the RST. Returns null for an RST that is not a finding of its own (a repeat).
     */
    static Detection classify(Connection c, Segment rst, boolean fromOrig, TrackerConfig cfg) {
        long now = rst.tsNanos;
        long peerLast = c.to(fromOrig).lastNs;
        long sinceTrigger = peerLast == 0 ? Long.MAX_VALUE : now - peerLast;
        boolean immediate = sinceTrigger <= cfg.stackReply.toNanos();
        boolean peerFin = c.to(fromOrig).finNs != 0;
        boolean ownFin = c.from(fromOrig).finNs != 0;
        boolean respSentData = c.resp.bytes > 0;
        long idleGap = now - c.lastNs;

        RstCause cause;
        RstOrigin origin;
        String explanation;
        Severity severity = Severity.WARNING;
        boolean anomaly = true;
        Evidence ev = new Evidence();
        if (c.rstSide == (fromOrig ? 1 : 2) && c.dataAfterRstNs != 0) {
            cause = RstCause.DATA_AFTER_RST;
            origin = RstOrigin.ENDPOINT_STACK;
            String peer = fromOrig ? "The server" : "The client";
            String resetter = fromOrig ? "the client" : "the server";
            explanation = c.dataAfterRstNs >= c.rstNs
                    ? String.format("%s kept sending %.1f ms after %s reset the connection, and got a second RST.",
                            peer, (c.dataAfterRstNs - c.rstNs) / 1e6, resetter)
                    : String.format("%s had data in flight when %s reset the connection; the data crossed the RST"
                            + " and was answered with a second RST.", peer, resetter);
            ev.time("first_rst", c.rstNs).time("data_after_rst", c.dataAfterRstNs);
        } else if (c.rstSide != 0) {
            return null; // a repeated RST without new data: nothing new to say
        } else if (c.state == TcpState.SYN_SENT && !fromOrig) {
            cause = RstCause.REFUSED;
            origin = RstOrigin.ENDPOINT_STACK;
            explanation = "The server refused the connection: its SYN was answered with RST (no listener on the port, or a firewall rejecting it).";
            ev.time("syn", c.firstSynNs).put("syn_seq", c.orig.isn);
        } else if (c.state == TcpState.SYN_SENT && fromOrig && c.challengeAckSeen) {
            cause = RstCause.CHALLENGE_ACK_REPLY;
            origin = RstOrigin.ENDPOINT_STACK;
            severity = Severity.INFO;
            explanation = "The client answered the server's unexpected ACK (ack " + c.challengeAck
                    + " instead of " + ((c.orig.isn + 1) & 0xFFFFFFFFL) + ") with RST, as TCP requires; it then retries its SYN.";
            ev.time("challenge_ack_time", c.challengeAckNs).put("challenge_ack", c.challengeAck);
        } else if (peerFin && !ownFin) {
            cause = RstCause.RST_AFTER_FIN;
            origin = RstOrigin.ENDPOINT_APP;
            severity = Severity.INFO;
            anomaly = false;
            explanation = String.format("%s answered %s FIN with RST (an abortive close after reading end of file, e.g."
                            + " SO_LINGER 0 to skip TIME_WAIT). The RST's window of %d is normal, not a sign of overload.",
                    fromOrig ? "The client" : "The server", fromOrig ? "the server's" : "the client's", rst.window);
            ev.time("peer_fin", c.to(fromOrig).finNs).put("rst_window", rst.window);
        } else if (!fromOrig && c.establishedNs != 0 && !respSentData
                && now - c.establishedNs <= cfg.rejectWindow.toNanos()) {
            cause = RstCause.REJECTED_AFTER_HANDSHAKE;
            origin = RstOrigin.ENDPOINT_APP;
            explanation = String.format("The server accepted the connection and reset it %.1f ms after the handshake,"
                    + " before sending anything: the application rejected the client (a connection limit, an"
                    + " access rule, or an overloaded accept loop).", (now - c.establishedNs) / 1e6);
            ev.time("established", c.establishedNs).put("ms_after_handshake", (now - c.establishedNs) / 1e6);
        } else if (c.establishedNs != 0 && idleGap >= cfg.idleRstGap.toNanos()) {
            cause = RstCause.IDLE_TIMEOUT;
            origin = RstOrigin.ENDPOINT_APP;
            double gapS = idleGap / 1e9;
            long round = roundTimer(gapS);
            explanation = String.format("%s reset the connection after %.2f s of silence%s: an idle timeout.",
                    fromOrig ? "The client" : "The server", gapS,
                    round > 0 ? " — a round " + round + " s timer" : "");
            ev.time("last_segment", c.lastNs).put("idle_seconds", gapS);
            if (round > 0) {
                ev.put("round_timer_seconds", round);
            }
        } else {
            cause = RstCause.ABORTIVE_CLOSE;
            origin = immediate ? RstOrigin.ENDPOINT_STACK : RstOrigin.ENDPOINT_APP;
            explanation = String.format("%s closed the connection with RST instead of FIN%s.",
                    fromOrig ? "The client" : "The server",
                    c.orig.bytes + c.resp.bytes > 0 ? " after exchanging data" : "");
        }
        int ownTtl = c.from(fromOrig).ttl;
        if (ownTtl >= 0 && rst.ttl != ownTtl) {
            origin = RstOrigin.MIDDLEBOX_SUSPECT;
            ev.put("rst_ttl", rst.ttl).put("sender_ttl", ownTtl);
        }
        ev.put("rst_seq", rst.seq).put("rst_flags", TcpFlags.describe(rst.flags)).put("anomaly", anomaly)
                .put("display_filter", Detections.displayFilter(c, "tcp.flags.reset == 1"));
        Detection d = Detections.of(DetectionType.RST, severity, c, Math.min(c.lastNs == 0 ? now : c.lastNs, now), now, explanation);
        d.cause = cause.name();
        d.origin = origin.name();
        d.evidenceJson = ev.toJson();
        return Detections.withId(d, c);
    }

    /** The round timer (s) within 3% of {@code gapSeconds}, or 0. */
    static long roundTimer(double gapSeconds) {
        for (long t : ROUND_TIMERS_S) {
            if (Math.abs(gapSeconds - t) <= 0.03 * t) {
                return t;
            }
        }
        return 0;
    }
}

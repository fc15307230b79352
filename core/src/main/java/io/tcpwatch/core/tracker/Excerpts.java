package io.tcpwatch.core.tracker;

import io.tcpwatch.core.connection.Connection;
import io.tcpwatch.core.connection.Side;
import io.tcpwatch.core.connection.TcpState;
import io.tcpwatch.core.connection.TimeWait;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.core.state.ListCell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * The packets behind a connection's findings: the headers of its telling segments, in a list beside
 * the connection's state that a segment adds to without reading it (read only when a finding is
 * made). Telling are the handshake (every segment until it completes: SYNs, SYN/ACKs, a stray ACK),
 * SYN, FIN and RST segments anywhere, each side's first data, a zero window, the segments while it
 * lasts (the probes) and the one reopening it.
 *
 * <p>Bounded: the first {@value #HEAD} and the latest {@value #TAIL} telling segments of an
 * incarnation (a longer story drops the oldest after the head, and rewrites the list). When a FIN
 * close leaves the server in TIME_WAIT, the list stays with the 4-tuple; a SYN that comes into it
 * starts the next incarnation's list after it, so a port-reuse collision carries the old FIN/ACKs:
 * the last {@value #PREVIOUS} of the previous incarnation.
 */
final class Excerpts {

    static final int HEAD = 8;
    static final int TAIL = 8;
    static final int PREVIOUS = 4;

    private final ListCell<SegmentHeader> packets;

    Excerpts(StateStore store) {
        this.packets = store.list("packets", SegmentHeader.class);
    }

    /** Before {@code s} is stepped: its header is kept when it tells. */
    void offer(Connection c, Segment s, boolean fromOrig) {
        if (!telling(c, s, c.from(fromOrig))) {
            return;
        }
        SegmentHeader h = header(c, s, fromOrig);
        if (c.excerptSize < HEAD + TAIL) {
            packets.add(h);
            c.excerptSize++;
        } else {
            List<SegmentHeader> kept = packets.get();
            if (kept.size() > c.excerptPrevious + HEAD) {
                kept.remove(c.excerptPrevious + HEAD); // the oldest after the head
            }
            kept.add(h);
            packets.update(kept);
        }
    }

    /** What a finding carries: the previous incarnation's last headers (marked), then this one's. */
    List<SegmentHeader> of(Connection c) {
        List<SegmentHeader> kept = packets.get();
        int previous = Math.min(c.excerptPrevious, kept.size());
        List<SegmentHeader> out = new ArrayList<>(kept.size());
        for (int i = Math.max(0, previous - PREVIOUS); i < previous; i++) {
            out.add(kept.get(i).asPrevious());
        }
        out.addAll(kept.subList(previous, kept.size()));
        return out;
    }

    /** A new incarnation: a SYN into the previous one's TIME_WAIT keeps its headers; otherwise they go. */
    void opened(Connection c, TimeWait tw, boolean withinTimeWait) {
        if (tw == null) {
            return;
        }
        if (withinTimeWait) {
            c.excerptPrevious = tw.excerpt;
        } else if (tw.excerpt > 0) {
            packets.clear();
        }
    }

    /**
     * The incarnation ends: when the server holds TIME_WAIT ({@code tw}), its headers stay for a SYN
     * that may collide with it; otherwise (no TIME_WAIT, or the client's, which a new SYN from the
     * client does not run into) they go.
     */
    void ended(Connection c, TimeWait tw) {
        if (tw == null || !tw.responderHolds) {
            if (c.excerptPrevious + c.excerptSize > 0) {
                packets.clear();
            }
            return;
        }
        if (c.excerptPrevious > 0) { // what came before this incarnation is no one's story now
            List<SegmentHeader> kept = packets.get();
            packets.update(new ArrayList<>(kept.subList(Math.min(c.excerptPrevious, kept.size()), kept.size())));
        }
        tw.excerpt = c.excerptSize;
    }

    /** TIME_WAIT ran out with no new incarnation: its headers go. */
    void expired(TimeWait tw) {
        if (tw.excerpt > 0) {
            packets.clear();
        }
    }

    private static boolean telling(Connection c, Segment s, Side from) {
        return (s.flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) != 0
                || c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECEIVED
                || (s.payloadLen > 0 && from.bytes == 0)
                || s.window == 0 || c.zeroWindowSide != 0;
    }

    private static SegmentHeader header(Connection c, Segment s, boolean fromOrig) {
        SegmentHeader h = new SegmentHeader();
        h.n = (int) Math.min(Integer.MAX_VALUE, c.orig.pkts + c.resp.pkts + 1);
        h.tsNs = s.tsNanos;
        h.fromClient = fromOrig;
        h.flags = s.flags;
        h.seq = s.seq;
        h.ack = s.ack;
        h.window = s.window;
        h.len = s.payloadLen;
        return h;
    }
}

package io.tcpwatch.core.ladder;

import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.schema.TcpFlags;
import java.util.List;
import java.util.StringJoiner;

/**
 * A ladder diagram as people draw it in these threads, in SVG with its own style: the client's line
 * on the left, the server's on the right, one arrow per segment going down in time, labelled with
 * its flags, sequence and acknowledgement numbers (relative to each side's ISN, or its first number in
 * the ladder, per connection, as Wireshark shows them), window, payload and the time since the first; RSTs in red;
 * segments left out between two drawn ones said in one line, and where the previous connection on
 * the 4-tuple ends and this one begins.
 */
public final class LadderSvg {

    private static final int WIDTH = 760;
    private static final int LEFT = 150;
    private static final int RIGHT = 610;
    private static final int TOP = 40;
    private static final int STEP = 30;
    private static final String STYLE = "<style>svg.ladder{font:12px ui-monospace,monospace}"
            + " svg.ladder .side{stroke:#57606a;stroke-width:2} svg.ladder line.rung{stroke-width:1.5}"
            + " svg.ladder .c2s{stroke:#0550ae;fill:#0550ae} svg.ladder .s2c{stroke:#7d4e00;fill:#7d4e00}"
            + " svg.ladder .rst{stroke:#cf222e;fill:#cf222e} svg.ladder text{stroke:none;fill:currentColor}</style>\n";

    private LadderSvg() {}

    /** The diagram as one SVG element. */
    public static String svg(Ladder ladder) {
        StringBuilder h = new StringBuilder(4096);
        append(h, ladder);
        return h.toString();
    }

    public static void append(StringBuilder h, Ladder ladder) {
        List<SegmentHeader> rungs = ladder.rungs();
        int rows = rungs.size() + (int) ladder.leftOutBefore().stream().filter(n -> n > 0).count() + boundaries(rungs);
        int height = TOP + rows * STEP + 10;
        h.append("<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"ladder diagram\">\n").append(STYLE);
        label(h, LEFT, 16, "client " + ladder.client());
        label(h, RIGHT, 16, "server " + ladder.server());
        h.append("<line class=\"side\" x1=\"").append(LEFT).append("\" y1=\"24\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(height).append("\"/><line class=\"side\" x1=\"").append(RIGHT).append("\" y1=\"24\" x2=\"")
                .append(RIGHT).append("\" y2=\"").append(height).append("\"/>\n");
        if (rungs.isEmpty()) {
            h.append("</svg>\n");
            return;
        }
        long t0 = rungs.get(0).tsNs;
        long[] bases = bases(rungs);
        int y = TOP;
        for (int i = 0; i < rungs.size(); i++) {
            SegmentHeader r = rungs.get(i);
            if (i > 0 && rungs.get(i - 1).previous && !r.previous) {
                label(h, (LEFT + RIGHT) / 2, y + 4, "— the previous connection above, this one below —");
                y += STEP;
            }
            int leftOut = ladder.leftOutBefore().get(i);
            if (leftOut > 0) {
                label(h, (LEFT + RIGHT) / 2, y + 4, "… " + leftOut + " segment" + (leftOut == 1 ? "" : "s") + " not drawn …");
                y += STEP;
            }
            rung(h, r, y, t0, bases[base(r.fromClient, r.previous)], bases[base(!r.fromClient, r.previous)]);
            y += STEP;
        }
        h.append("</svg>\n");
    }

    /** Wireshark's way of naming the flags: {@code [SYN, ACK]}. */
    private static String flagNames(int flags) {
        StringJoiner names = new StringJoiner(", ", "[", "]");
        name(names, flags, TcpFlags.SYN, "SYN");
        name(names, flags, TcpFlags.FIN, "FIN");
        name(names, flags, TcpFlags.RST, "RST");
        name(names, flags, TcpFlags.PSH, "PSH");
        name(names, flags, TcpFlags.ACK, "ACK");
        return names.toString();
    }

    private static void name(StringJoiner names, int flags, int flag, String name) {
        if ((flags & flag) != 0) {
            names.add(name);
        }
    }

    private static int boundaries(List<SegmentHeader> rungs) {
        int n = 0;
        for (int i = 1; i < rungs.size(); i++) {
            n += rungs.get(i - 1).previous && !rungs.get(i).previous ? 1 : 0;
        }
        return n;
    }

    private static void rung(StringBuilder h, SegmentHeader r, int y, long t0, long ownIsn, long peerIsn) {
        String kind = r.has(TcpFlags.RST) ? "rst" : r.fromClient ? "c2s" : "s2c";
        int from = r.fromClient ? LEFT : RIGHT;
        int to = r.fromClient ? RIGHT : LEFT;
        int tip = r.fromClient ? to - 8 : to + 8;
        h.append("<g class=\"rung ").append(kind).append("\"><line class=\"rung ").append(kind).append("\" x1=\"")
                .append(from).append("\" y1=\"").append(y).append("\" x2=\"").append(to).append("\" y2=\"").append(y + 12)
                .append("\"/><polygon points=\"").append(to).append(',').append(y + 12).append(' ').append(tip).append(',')
                .append(y + 7).append(' ').append(tip).append(',').append(y + 15).append("\"/>");
        String text = flagNames(r.flags) + " seq=" + relative(r.seq, ownIsn)
                + (r.has(TcpFlags.ACK) ? " ack=" + relative(r.ack, peerIsn) : "")
                + " win=" + r.window + (r.len > 0 ? " len=" + r.len : "");
        label(h, (LEFT + RIGHT) / 2, y + 2, text);
        h.append("<text x=\"").append(LEFT - 10).append("\" y=\"").append(y + 14).append("\" text-anchor=\"end\">")
                .append(String.format("+%.3f ms", (r.tsNs - t0) / 1e6)).append("</text></g>\n");
    }

    /**
     * Each side's base for relative numbers, per connection ({@link #base}): its ISN when its SYN is
     * drawn, else its first sequence number in the ladder; -1 when it sent nothing drawn.
     */
    private static long[] bases(List<SegmentHeader> rungs) {
        long[] bases = {-1, -1, -1, -1};
        boolean[] fromSyn = new boolean[4];
        for (SegmentHeader r : rungs) {
            int b = base(r.fromClient, r.previous);
            boolean syn = r.has(TcpFlags.SYN);
            if (bases[b] < 0 || (syn && !fromSyn[b])) {
                bases[b] = r.seq;
                fromSyn[b] = syn;
            }
        }
        return bases;
    }

    /** Where a side's base is in {@link #bases}: client or server, this connection or the previous one. */
    private static int base(boolean client, boolean previous) {
        return (client ? 0 : 1) + (previous ? 2 : 0);
    }

    /** A sequence number relative to the side's first in the ladder, as Wireshark shows them. */
    private static long relative(long n, long base) {
        return base < 0 ? n : (n - base) & 0xFFFFFFFFL;
    }

    private static void label(StringBuilder h, int x, int y, String text) {
        h.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"middle\">")
                .append(esc(text)).append("</text>\n");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

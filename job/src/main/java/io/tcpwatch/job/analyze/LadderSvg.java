package io.tcpwatch.job.analyze;

import io.tcpwatch.job.analyze.Ladders.Ladder;
import io.tcpwatch.job.analyze.Ladders.Rung;
import io.tcpwatch.schema.TcpFlags;
import java.util.List;

/**
 * A ladder diagram as people draw it in these threads, in SVG: the client's line on the left, the
 * server's on the right, one arrow per segment going down in time, labelled with its flags,
 * sequence and acknowledgement numbers (relative to each side's first), window, payload and the
 * time since the first; RSTs in red; segments left out between two drawn ones said in one line.
 */
final class LadderSvg {

    private static final int WIDTH = 760;
    private static final int LEFT = 150;
    private static final int RIGHT = 610;
    private static final int TOP = 40;
    private static final int STEP = 30;

    private LadderSvg() {}

    static void append(StringBuilder h, Ladder ladder) {
        List<Rung> rungs = ladder.rungs();
        int rows = rungs.size() + (int) ladder.leftOutBefore().stream().filter(n -> n > 0).count();
        int height = TOP + rows * STEP + 10;
        h.append("<svg class=\"ladder\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" role=\"img\" aria-label=\"ladder diagram\">\n");
        label(h, LEFT, 16, "client " + ladder.client());
        label(h, RIGHT, 16, "server " + ladder.server());
        h.append("<line class=\"side\" x1=\"").append(LEFT).append("\" y1=\"24\" x2=\"").append(LEFT).append("\" y2=\"")
                .append(height).append("\"/><line class=\"side\" x1=\"").append(RIGHT).append("\" y1=\"24\" x2=\"")
                .append(RIGHT).append("\" y2=\"").append(height).append("\"/>\n");
        long t0 = rungs.get(0).tsNs();
        long clientIsn = firstSeq(rungs, true);
        long serverIsn = firstSeq(rungs, false);
        int y = TOP;
        for (int i = 0; i < rungs.size(); i++) {
            int leftOut = ladder.leftOutBefore().get(i);
            if (leftOut > 0) {
                label(h, (LEFT + RIGHT) / 2, y + 4, "… " + leftOut + " segment" + (leftOut == 1 ? "" : "s") + " not drawn …");
                y += STEP;
            }
            rung(h, rungs.get(i), y, t0, clientIsn, serverIsn);
            y += STEP;
        }
        h.append("</svg>\n");
    }

    private static void rung(StringBuilder h, Rung r, int y, long t0, long clientIsn, long serverIsn) {
        String kind = (r.flags() & TcpFlags.RST) != 0 ? "rst" : r.fromClient() ? "c2s" : "s2c";
        int from = r.fromClient() ? LEFT : RIGHT;
        int to = r.fromClient() ? RIGHT : LEFT;
        int tip = r.fromClient() ? to - 8 : to + 8;
        h.append("<g class=\"rung ").append(kind).append("\"><line class=\"rung ").append(kind).append("\" x1=\"")
                .append(from).append("\" y1=\"").append(y).append("\" x2=\"").append(to).append("\" y2=\"").append(y + 12)
                .append("\"/><polygon points=\"").append(to).append(',').append(y + 12).append(' ').append(tip).append(',')
                .append(y + 7).append(' ').append(tip).append(',').append(y + 15).append("\"/>");
        long ownIsn = r.fromClient() ? clientIsn : serverIsn;
        long peerIsn = r.fromClient() ? serverIsn : clientIsn;
        String text = r.flagNames() + " seq=" + relative(r.seq(), ownIsn)
                + ((r.flags() & TcpFlags.ACK) != 0 ? " ack=" + relative(r.ack(), peerIsn) : "")
                + " win=" + r.window() + (r.payload() > 0 ? " len=" + r.payload() : "");
        label(h, (LEFT + RIGHT) / 2, y + 2, text);
        h.append("<text x=\"").append(LEFT - 10).append("\" y=\"").append(y + 14).append("\" text-anchor=\"end\">")
                .append(String.format("+%.3f ms", (r.tsNs() - t0) / 1e6)).append("</text></g>\n");
    }

    /** The first sequence number a side sent in the ladder (its ISN when the SYN is in it), or -1. */
    private static long firstSeq(List<Rung> rungs, boolean client) {
        return rungs.stream().filter(r -> r.fromClient() == client).mapToLong(Rung::seq).findFirst().orElse(-1);
    }

    /** A sequence number relative to the side's first in the ladder, as Wireshark shows them. */
    private static long relative(long n, long base) {
        return base < 0 ? n : (n - base) & 0xFFFFFFFFL;
    }

    private static void label(StringBuilder h, int x, int y, String text) {
        h.append("<text x=\"").append(x).append("\" y=\"").append(y).append("\" text-anchor=\"middle\">")
                .append(HtmlReport.esc(text)).append("</text>\n");
    }
}

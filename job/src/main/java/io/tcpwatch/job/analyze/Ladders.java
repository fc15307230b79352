package io.tcpwatch.job.analyze;

import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.core.ladder.Ladder;
import io.tcpwatch.core.record.Endpoints;
import io.tcpwatch.core.record.SegmentHeader;
import io.tcpwatch.job.analyze.AnalyzeReport.Item;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The packets behind each per-connection finding of the report, for its ladder diagram, read again
 * from the capture files: the segments between the finding's client and server endpoints from
 * {@value #MARGIN_MS} ms before the finding began to as long after it ended. At most {@value #RUNGS}
 * are drawn: the telling ones first (SYN, FIN, RST, a zero window and the window reopening), then
 * those nearest the finding; how many lie between two drawn ones is said.
 */
final class Ladders {

    static final int RUNGS = 24;
    static final int MARGIN_MS = 200;
    private static final long MARGIN_NS = MARGIN_MS * 1_000_000L;
    /** Segments looked at per finding, at most (beyond, the nearest are kept anyway: they come first in time). */
    private static final int SEEN = 4_096;

    private Ladders() {}

    /** The ladders of {@code items} with a client, read from {@code files} once more. */
    static Map<Item, Ladder> collect(List<Path> files, String observer, TunnelPorts tunnelPorts, List<Item> items)
            throws CaptureFileException {
        List<Collector> collectors = items.stream().filter(i -> i.client() != null).map(Collector::new).toList();
        Set<Integer> ports = new HashSet<>();
        collectors.forEach(c -> {
            ports.add(port(c.item.client()));
            ports.add(port(c.item.server()));
        });
        try (CaptureInputs in = CaptureInputs.open(files, observer, tunnelPorts)) {
            in.forEach(s -> {
                if (ports.contains(s.srcPort) && ports.contains(s.dstPort)) { // cheap first: both ports of some finding
                    String src = Endpoints.endpoint(s.srcAddr, s.srcPort);
                    String dst = Endpoints.endpoint(s.dstAddr, s.dstPort);
                    collectors.forEach(c -> c.offer(s, src, dst));
                }
            });
        }
        Map<Item, Ladder> ladders = new HashMap<>();
        collectors.forEach(c -> ladders.put(c.item, c.ladder()));
        return ladders;
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    /** The rungs of one finding as the segments go by, and the choice of those drawn. */
    private static final class Collector {
        final Item item;
        final List<SegmentHeader> seen = new ArrayList<>();

        Collector(Item item) {
            this.item = item;
        }

        void offer(Segment s, String src, String dst) {
            boolean fromClient = src.equals(item.client()) && dst.equals(item.server());
            boolean toClient = src.equals(item.server()) && dst.equals(item.client());
            if ((fromClient || toClient) && seen.size() < SEEN && s.tsNanos >= item.startNs() - MARGIN_NS
                    && s.tsNanos <= item.endNs() + MARGIN_NS) {
                SegmentHeader h = new SegmentHeader();
                h.n = seen.size() + 1;
                h.tsNs = s.tsNanos;
                h.fromClient = fromClient;
                h.flags = s.flags;
                h.seq = s.seq;
                h.ack = s.ack;
                h.window = s.window;
                h.len = s.payloadLen;
                seen.add(h);
            }
        }

        Ladder ladder() {
            boolean[] telling = telling();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < seen.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparing((Integer i) -> !telling[i]).thenComparingLong(i -> distance(seen.get(i))));
            List<Integer> drawn = new ArrayList<>(order.subList(0, Math.min(RUNGS, order.size())));
            drawn.sort(Comparator.naturalOrder());
            List<SegmentHeader> rungs = new ArrayList<>();
            List<Integer> leftOut = new ArrayList<>();
            int previous = -1;
            for (int i : drawn) {
                rungs.add(seen.get(i));
                leftOut.add(previous < 0 ? 0 : i - previous - 1);
                previous = i;
            }
            return new Ladder(item.client(), item.server(), rungs, leftOut);
        }

        /** SYN, FIN, RST, a zero window, and the first segment of a side whose window reopened. */
        private boolean[] telling() {
            boolean[] t = new boolean[seen.size()];
            int[] lastWindow = {-1, -1};
            for (int i = 0; i < seen.size(); i++) {
                SegmentHeader r = seen.get(i);
                int side = r.fromClient ? 0 : 1;
                boolean reopened = lastWindow[side] == 0 && r.window > 0;
                t[i] = r.has(TcpFlags.SYN) || r.has(TcpFlags.FIN) || r.has(TcpFlags.RST) || r.window == 0 || reopened;
                if (!r.has(TcpFlags.RST)) {
                    lastWindow[side] = r.window;
                }
            }
            return t;
        }

        /** How far a segment lies from the finding's span (0 inside it). */
        private long distance(SegmentHeader r) {
            return r.tsNs < item.startNs() ? item.startNs() - r.tsNs : Math.max(0, r.tsNs - item.endNs());
        }
    }
}

package io.tcpwatch.core.ladder;

import io.tcpwatch.core.record.SegmentHeader;
import java.util.ArrayList;
import java.util.List;

/**
 * A finding's packets as a ladder diagram draws them: the client and the server, the segments drawn
 * in time order, and before each how many of the connection's segments were left out since the one
 * drawn before it.
 */
public record Ladder(String client, String server, List<SegmentHeader> rungs, List<Integer> leftOutBefore) {

    /**
     * The ladder of a detection's {@code packets}: what was left out between two of one connection is
     * the gap in their numbers ({@link SegmentHeader#n}).
     */
    public static Ladder of(String client, String server, List<SegmentHeader> packets) {
        List<Integer> leftOut = new ArrayList<>(packets.size());
        SegmentHeader before = null;
        for (SegmentHeader p : packets) {
            boolean sameConnection = before != null && before.previous == p.previous && p.n > before.n;
            leftOut.add(sameConnection ? p.n - before.n - 1 : 0);
            before = p;
        }
        return new Ladder(client, server, List.copyOf(packets), leftOut);
    }
}

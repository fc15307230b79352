package io.tcpwatch.capture.parse;

import io.tcpwatch.schema.Segment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One segment, one record, when a capture sees every interface of a host (Linux {@code any}, whose
 * cooked v2 header names the interface of each frame). A packet that crosses the host is captured
 * once per interface it passes — a pod's veth, the bridge, the node's uplink — and, where the node
 * rewrites addresses (a Service's DNAT, SNAT towards the outside), under another 4-tuple on each
 * side of the rewrite. Each such copy would count as a retransmission of its own connection, or
 * as a second, broken connection.
 *
 * <p>Copies are told by content, not by addresses: sequence and acknowledgement numbers, flags,
 * payload length, window, IPv4 identification and TCP timestamp value are what neither routing
 * (TTL, checksum) nor NAT (addresses, ports) changes, and together they do not repeat by chance
 * within {@link #COPY_WINDOW_NS}. A retransmission differs (a new IP id, a new timestamp), and a
 * copy on the same interface is never suppressed.
 *
 * <p>Each flow is kept whole from one interface: the first interface on which a flow (interface,
 * 4-tuple, tunnel) is seen decides. If its first segment was seen moments before on another
 * interface, the flow is that one's copy, and every segment of it is suppressed in both
 * directions; otherwise it is a flow of its own. So a connection through a DNAT is recorded as the
 * client saw it (client → Service address, in both directions), not as a SYN to the Service and a
 * SYN/ACK from a pod. Flows idle for {@link #FLOW_IDLE_NS} are forgotten; at most
 * {@link #MAX_FLOWS} are remembered (the least recently seen go first, counted).
 *
 * <p>Plain Java, time from the segments' capture timestamps; one instance per capture thread.
 */
final class InterfaceCopies {

    /** How long after a segment its copies on other interfaces may be captured. */
    static final long COPY_WINDOW_NS = 200_000_000L;
    /** A flow silent this long is decided afresh at its next segment. */
    static final long FLOW_IDLE_NS = 300_000_000_000L;
    static final int MAX_FLOWS = 1 << 18;

    private record Seen(long content, int ifindex, long tsNs) {}

    private static final class Flow {
        final boolean copy;
        long lastNs;

        Flow(boolean copy, long lastNs) {
            this.copy = copy;
            this.lastNs = lastNs;
        }
    }

    private final Map<Long, Flow> flows = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Flow> eldest) {
            boolean full = size() > MAX_FLOWS;
            if (full) {
                flowsEvicted++;
            }
            return full;
        }
    };
    private final Map<Long, Seen> recent = new HashMap<>();
    private final ArrayDeque<Seen> recentInOrder = new ArrayDeque<>();
    private long flowsEvicted;

    /** Whether {@code s}, captured on interface {@code ifindex}, is a copy of a segment already kept. */
    boolean isCopy(int ifindex, Segment s) {
        long now = s.tsNanos;
        forgetOlderThan(now - COPY_WINDOW_NS);
        long content = content(s);
        long flowKey = flow(ifindex, s);
        Flow f = flows.get(flowKey);
        if (f == null || now - f.lastNs > FLOW_IDLE_NS) {
            Seen before = recent.get(content);
            f = new Flow(before != null && before.ifindex() != ifindex, now);
            flows.put(flowKey, f);
        }
        f.lastNs = Math.max(f.lastNs, now);
        if (!f.copy && !recent.containsKey(content)) {
            Seen seen = new Seen(content, ifindex, now);
            recent.put(content, seen);
            recentInOrder.addLast(seen);
        }
        return f.copy;
    }

    /** Flows forgotten because {@link #MAX_FLOWS} were remembered. */
    long flowsEvicted() {
        return flowsEvicted;
    }

    private void forgetOlderThan(long ns) {
        while (!recentInOrder.isEmpty() && recentInOrder.peekFirst().tsNs() < ns) {
            Seen old = recentInOrder.pollFirst();
            recent.remove(old.content(), old);
        }
    }

    /** What routing and NAT leave unchanged. */
    private static long content(Segment s) {
        long h = mix(s.seq * 0x9E3779B97F4A7C15L ^ s.ack);
        h = mix(h ^ ((long) s.flags << 48 | (long) s.window << 32 | s.payloadLen));
        h = mix(h ^ ((long) (s.ipId & 0xFFFFFFFFL) << 32 | (s.hasTimestamps ? s.tsVal : 0x1_0000_0000L)));
        return h;
    }

    /** The interface and the flow's endpoints, in either direction, and its tunnel. */
    private static long flow(int ifindex, Segment s) {
        long a = endpoint(s.srcAddr, s.srcPort);
        long b = endpoint(s.dstAddr, s.dstPort);
        long h = mix(Math.min(a, b) * 31 + Math.max(a, b));
        h = mix(h ^ ifindex ^ (s.tunnel == null ? 0 : (long) s.tunnel.hashCode() << 32));
        return h;
    }

    private static long endpoint(byte[] addr, int port) {
        long h = port;
        for (byte x : addr) {
            h = h * 0x100000001B3L ^ (x & 0xFF);
        }
        return mix(h);
    }

    /** A 64-bit finaliser (MurmurHash3's fmix64). */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}

package io.tcpwatch.core.connection;

import io.tcpwatch.schema.FlowKey;
import io.tcpwatch.schema.Segment;
import java.util.Objects;

/**
 * The tracker's key: observer + canonical 4-tuple (lower endpoint first) + the tunnel's tenant
 * identity, when the segment came through one. Addresses are held as
 * two longs each, so the key hashes and serializes cheaply (it is touched for every segment) and
 * both directions of a connection seen by one observer meet in one keyed state.
 */
public final class ConnKey {
    public String observer;
    public int ipVersion;
    public long lowHi;
    public long lowLo;
    public int lowPort;
    public long highHi;
    public long highLo;
    public int highPort;
    /** {@link Segment#tunnel}: null outside tunnels. */
    public String tunnel;

    public ConnKey() {}

    public static ConnKey of(Segment s) {
        return new ConnKey().set(s);
    }

    /** This key made {@code s}'s, for a look-up that need not allocate; returns this. */
    public ConnKey set(Segment s) {
        observer = s.observer;
        ipVersion = s.ipVersion;
        boolean srcLow = FlowKey.isForward(s);
        byte[] low = srcLow ? s.srcAddr : s.dstAddr;
        byte[] high = srcLow ? s.dstAddr : s.srcAddr;
        lowHi = word(low, 0);
        lowLo = word(low, 8);
        lowPort = srcLow ? s.srcPort : s.dstPort;
        highHi = word(high, 0);
        highLo = word(high, 8);
        highPort = srcLow ? s.dstPort : s.srcPort;
        tunnel = s.tunnel;
        return this;
    }

    public ConnKey copy() {
        ConnKey k = new ConnKey();
        k.observer = observer;
        k.ipVersion = ipVersion;
        k.lowHi = lowHi;
        k.lowLo = lowLo;
        k.lowPort = lowPort;
        k.highHi = highHi;
        k.highLo = highLo;
        k.highPort = highPort;
        k.tunnel = tunnel;
        return k;
    }

    /** Bytes {@code [from, from+8)} of an address, big-endian; IPv4 addresses live in the low word. */
    private static long word(byte[] a, int from) {
        if (a.length == 4) {
            return from == 0 ? 0 : ((a[0] & 0xFFL) << 24) | ((a[1] & 0xFF) << 16) | ((a[2] & 0xFF) << 8) | (a[3] & 0xFF);
        }
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (a[i] & 0xFF);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnKey k && k.ipVersion == ipVersion && k.lowHi == lowHi && k.lowLo == lowLo
                && k.lowPort == lowPort && k.highHi == highHi && k.highLo == highLo && k.highPort == highPort
                && Objects.equals(k.observer, observer) && Objects.equals(k.tunnel, tunnel);
    }

    @Override
    public int hashCode() {
        long h = lowLo * 31 + highLo;
        h = h * 31 + lowHi;
        h = h * 31 + highHi;
        h = h * 31 + ((long) lowPort << 16 | highPort);
        return ((int) (h ^ (h >>> 32)) * 31 + Objects.hashCode(observer)) * 31 + Objects.hashCode(tunnel);
    }

    @Override
    public String toString() {
        return observer + "/" + lowPort + "-" + highPort + (tunnel == null ? "" : "/" + tunnel);
    }
}

package io.tcpwatch.capture.parse;

import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.capture.parse.SkipReason;
import static io.tcpwatch.agent.testing.Frames.addr4;
import static io.tcpwatch.agent.testing.Frames.ipv4;
import static io.tcpwatch.agent.testing.Frames.options;
import static io.tcpwatch.agent.testing.Frames.sll;
import static io.tcpwatch.agent.testing.Frames.sll2;
import static io.tcpwatch.agent.testing.Frames.tcp;
import static io.tcpwatch.agent.testing.Frames.timestamps;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A capture on {@code any} sees a packet once per interface it crosses, and on both sides of a
 * NAT: one segment is kept, the copies are counted, and each connection is kept whole from one
 * interface.
 */
class InterfaceCopiesTest {

    private static final int VETH_A = 3;
    private static final int BRIDGE = 2;
    private static final int VETH_B = 4;
    private static final int UPLINK = 5;
    private static final byte[] POD_A = addr4(10, 244, 0, 2);
    private static final byte[] POD_B = addr4(10, 244, 0, 3);
    private static final byte[] SERVICE = addr4(10, 96, 0, 10);
    private static final int SYN = TcpFlags.SYN;
    private static final int SYN_ACK = TcpFlags.SYN | TcpFlags.ACK;
    private static final int ACK = TcpFlags.ACK;

    private final FrameParser parser = new FrameParser("node-1");
    private final List<String> kept = new ArrayList<>();
    private long now = 1_800_000_000_000_000_000L;

    @Test
    void aBridgedPacketSeenOnThreeInterfacesIsOneSegment() {
        // pod A → pod B through the bridge: host side of A's veth, the bridge, host side of B's veth
        for (int ifindex : new int[] {VETH_A, BRIDGE, VETH_B}) {
            frame(ifindex, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 7);
        }
        for (int ifindex : new int[] {VETH_B, BRIDGE, VETH_A}) {
            frame(ifindex, POD_B, 80, POD_A, 40000, 5000, 1001, SYN_ACK, 64, 9);
        }
        for (int ifindex : new int[] {VETH_A, BRIDGE, VETH_B}) {
            frame(ifindex, POD_A, 40000, POD_B, 80, 1001, 5001, ACK, 64, 8);
        }
        assertThat(kept).containsExactly("3 10.244.0.2:40000>10.244.0.3:80 SYN", "3 10.244.0.3:80>10.244.0.2:40000 SYN,ACK",
                "3 10.244.0.2:40000>10.244.0.3:80 ACK");
        assertThat(parser.counters().skipped(SkipReason.COPY_ON_ANOTHER_INTERFACE)).isEqualTo(6);
        assertThat(parser.counters().frames()).isEqualTo(9);
    }

    @Test
    void aRoutedPacketWhoseTtlDropsIsStillACopy() {
        // Calico-style: no bridge, the node routes between the pods' veths and decrements the TTL
        frame(VETH_A, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 7);
        frame(VETH_B, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 63, 7);
        frame(VETH_B, POD_B, 80, POD_A, 40000, 5000, 1001, SYN_ACK, 64, 9);
        frame(VETH_A, POD_B, 80, POD_A, 40000, 5000, 1001, SYN_ACK, 63, 9);
        assertThat(kept).containsExactly("3 10.244.0.2:40000>10.244.0.3:80 SYN", "3 10.244.0.3:80>10.244.0.2:40000 SYN,ACK");
    }

    @Test
    void aConnectionThroughAServiceDnatIsKeptAsTheClientSawIt() {
        // the client connects to the Service address; the node rewrites it to pod B, and back
        frame(VETH_A, POD_A, 40000, SERVICE, 80, 1000, 0, SYN, 64, 7);
        frame(VETH_B, POD_A, 40000, POD_B, 8080, 1000, 0, SYN, 63, 7);
        frame(VETH_B, POD_B, 8080, POD_A, 40000, 5000, 1001, SYN_ACK, 64, 9);
        frame(VETH_A, SERVICE, 80, POD_A, 40000, 5000, 1001, SYN_ACK, 63, 9);
        frame(VETH_A, POD_A, 40000, SERVICE, 80, 1001, 5001, ACK, 64, 8);
        frame(VETH_B, POD_A, 40000, POD_B, 8080, 1001, 5001, ACK, 63, 8);
        assertThat(kept).containsExactly("3 10.244.0.2:40000>10.96.0.10:80 SYN", "3 10.96.0.10:80>10.244.0.2:40000 SYN,ACK",
                "3 10.244.0.2:40000>10.96.0.10:80 ACK");
        assertThat(parser.counters().skipped(SkipReason.COPY_ON_ANOTHER_INTERFACE)).isEqualTo(3);
    }

    @Test
    void aRetransmissionIsKeptAndItsCopiesAreNot() {
        frame(VETH_A, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 7);
        frame(UPLINK, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 63, 7);
        now += 1_000_000_000L;
        frame(VETH_A, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 8); // the retransmitted SYN: a new IP id
        frame(UPLINK, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 63, 8);
        frame(VETH_A, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 8); // the same frame twice on one interface
        assertThat(kept).hasSize(3).allMatch(k -> k.startsWith("3 "));
    }

    @Test
    void anotherConnectionOnAnotherInterfaceIsItsOwn() {
        frame(VETH_A, POD_A, 40000, POD_B, 80, 1000, 0, SYN, 64, 7);
        frame(UPLINK, addr4(192, 0, 2, 7), 51000, addr4(192, 0, 2, 1), 22, 777, 0, SYN, 64, 7);
        assertThat(kept).containsExactly("3 10.244.0.2:40000>10.244.0.3:80 SYN", "5 192.0.2.7:51000>192.0.2.1:22 SYN");
    }

    @Test
    void withoutInterfaceIndexesNothingIsTakenForACopy() {
        for (int i = 0; i < 3; i++) {
            byte[] ip = ipv4(POD_A, POD_B, 64, 7, 6, new byte[0], tcp(40000, 80, 1000, 0, SYN, 64240, new byte[0], 0));
            assertThat(parser.parse(LinkType.LINUX_SLL, now, sll(0x0800, ip), 0, 16 + ip.length)).isNotNull();
        }
        assertThat(parser.counters().skipped(SkipReason.COPY_ON_ANOTHER_INTERFACE)).isZero();
    }

    @Test
    void ipv6CopiesAreToldByTheirTcpTimestamp() {
        byte[] a = io.tcpwatch.agent.testing.Frames.addr6(2);
        byte[] b = io.tcpwatch.agent.testing.Frames.addr6(3);
        for (int ifindex : new int[] {VETH_A, VETH_B}) {
            byte[] ip = io.tcpwatch.agent.testing.Frames.ipv6(a, b,
                    tcp(40000, 80, 1000, 0, SYN, 64240, options(timestamps(100, 0)), 0));
            parse(ifindex, ip, 0x86DD);
        }
        now += 1_000_000L;
        byte[] retransmit = io.tcpwatch.agent.testing.Frames.ipv6(a, b,
                tcp(40000, 80, 1000, 0, SYN, 64240, options(timestamps(1100, 0)), 0));
        parse(VETH_A, retransmit, 0x86DD);
        parse(VETH_B, retransmit, 0x86DD);
        assertThat(kept).hasSize(2);
        assertThat(parser.counters().skipped(SkipReason.COPY_ON_ANOTHER_INTERFACE)).isEqualTo(2);
    }

    private void frame(int ifindex, byte[] src, int srcPort, byte[] dst, int dstPort, long seq, long ack, int flags,
                       int ttl, int ipId) {
        byte[] ip = ipv4(src, dst, ttl, ipId, 6, new byte[0], tcp(srcPort, dstPort, seq, ack, flags, 64240, new byte[0], 0));
        parse(ifindex, ip, 0x0800);
        now += 20_000L; // 20 µs between copies
    }

    private void parse(int ifindex, byte[] ip, int ethertype) {
        byte[] f = sll2(ethertype, ifindex, ip);
        Segment s = parser.parse(LinkType.LINUX_SLL2, now, f, 0, f.length);
        if (s != null) {
            kept.add(ifindex + " " + host(s.srcAddr) + ":" + s.srcPort + ">" + host(s.dstAddr) + ":" + s.dstPort + " "
                    + TcpFlags.describe(s.flags));
        }
    }

    private static String host(byte[] a) {
        return (a[0] & 0xFF) + "." + (a[1] & 0xFF) + "." + (a[2] & 0xFF) + "." + (a[3] & 0xFF);
    }
}

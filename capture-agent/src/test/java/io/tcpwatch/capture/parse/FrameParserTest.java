package io.tcpwatch.capture.parse;

import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.capture.parse.ParseCounters;
import io.tcpwatch.capture.parse.SkipReason;
import static io.tcpwatch.agent.testing.Frames.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameParserTest {

    private static final byte[] CLIENT = addr4(10, 0, 0, 2);
    private static final byte[] SERVER = addr4(10, 0, 0, 1);
    private static final byte[] SYN_OPTIONS = options(mss(1460), sackPermitted(), timestamps(1000, 0), wscale(7));
    private static final byte[] SYN = tcp(40000, 80, 0xFFFFFFF0L, 0, TcpFlags.SYN, 64240, SYN_OPTIONS, 0);

    private final FrameParser parser = new FrameParser("obs-1");

    private Segment parse(int linkType, byte[] frame) {
        return parser.parse(linkType, 1_700_000_000_123_456_789L, frame, 0, frame.length);
    }

    @Test
    void readsEveryHeaderFieldOfASynOverEthernet() {
        Segment s = parse(LinkType.ETHERNET, ethernet(0x0800, ipv4(CLIENT, SERVER, 63, 4242, 6, new byte[0], SYN)));

        assertThat(s).isNotNull();
        assertThat(s.observer).isEqualTo("obs-1");
        assertThat(s.tsNanos).isEqualTo(1_700_000_000_123_456_789L);
        assertThat(s.ipVersion).isEqualTo(4);
        assertThat(s.srcAddr).containsExactly(CLIENT);
        assertThat(s.dstAddr).containsExactly(SERVER);
        assertThat(s.srcPort).isEqualTo(40000);
        assertThat(s.dstPort).isEqualTo(80);
        assertThat(s.seq).isEqualTo(0xFFFFFFF0L);
        assertThat(s.flags).isEqualTo(TcpFlags.SYN);
        assertThat(s.window).isEqualTo(64240);
        assertThat(s.ttl).isEqualTo(63);
        assertThat(s.ipId).isEqualTo(4242);
        assertThat(s.mss).isEqualTo(1460);
        assertThat(s.windowScale).isEqualTo(7);
        assertThat(s.sackPermitted).isTrue();
        assertThat(s.hasTimestamps).isTrue();
        assertThat(s.tsVal).isEqualTo(1000);
        assertThat(s.tsEcr).isZero();
        assertThat(s.payloadLen).isZero();
        assertThat(parser.counters().segments()).isEqualTo(1);
    }

    @Test
    void payloadLengthComesFromIpNotFromTheSnapLength() {
        byte[] data = tcp(80, 40000, 1, 2, TcpFlags.ACK | TcpFlags.PSH, 501, timestamps(5, 6), 1400);
        byte[] frame = ethernet(0x0800, ipv4(SERVER, CLIENT, data));
        Segment s = parser.parse(LinkType.ETHERNET, 1, frame, 0, 96); // snaplen 96 cut the payload
        assertThat(s.payloadLen).isEqualTo(1400);
        assertThat(s.tsVal).isEqualTo(5);
        assertThat(s.tsEcr).isEqualTo(6);
    }

    @Test
    void ethernetPaddingDoesNotCountAsPayload() {
        byte[] ack = tcp(80, 40000, 1, 2, TcpFlags.ACK, 501, new byte[0], 0);
        byte[] frame = Arrays.copyOf(ethernet(0x0800, ipv4(SERVER, CLIENT, ack)), 60); // padded to 60 bytes
        assertThat(parse(LinkType.ETHERNET, frame).payloadLen).isZero();
    }

    @Test
    void sackBlocksAreReadAsEdgePairs() {
        byte[] t = tcp(80, 40000, 1, 2, TcpFlags.ACK, 501, options(timestamps(1, 2), sack(100, 200, 300, 400)), 0);
        Segment s = parse(LinkType.RAW, ipv4(SERVER, CLIENT, t));
        assertThat(s.sackBlocks).containsExactly(100, 200, 300, 400);
        assertThat(parser.counters().optionsIncomplete()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8100, 0x88A8, 0x9100})
    void vlanTagsAreSteppedOver(int tpid) {
        assertThat(parse(LinkType.ETHERNET, ethernet(0x0800, ipv4(CLIENT, SERVER, SYN), tpid))).isNotNull();
        assertThat(parse(LinkType.ETHERNET, ethernet(0x86DD, ipv6(addr6(2), addr6(1), SYN), 0x88A8, 0x8100)).srcAddr)
                .containsExactly(addr6(2));
    }

    @Test
    void linuxCookedCapturesV1AndV2() {
        assertThat(parse(LinkType.LINUX_SLL, sll(0x0800, ipv4(CLIENT, SERVER, SYN))).srcPort).isEqualTo(40000);
        assertThat(parse(LinkType.LINUX_SLL2, sll2(0x86DD, ipv6(addr6(2), addr6(1), SYN))).ipVersion).isEqualTo(6);
        assertThat(parse(LinkType.LINUX_SLL, sll(0x0806, new byte[28]))).isNull();
        assertThat(parser.counters().skipped(SkipReason.NOT_IP)).isEqualTo(1);
    }

    @Test
    void bsdLoopbackInBothByteOrdersAndEveryInet6Family() {
        assertThat(parse(LinkType.NULL, bsdLoopback(2, true, ipv4(CLIENT, SERVER, SYN)))).isNotNull();
        assertThat(parse(LinkType.NULL, bsdLoopback(2, false, ipv4(CLIENT, SERVER, SYN)))).isNotNull();
        for (int af6 : new int[] {10, 24, 28, 30}) {
            assertThat(parse(LinkType.NULL, bsdLoopback(af6, true, ipv6(addr6(2), addr6(1), SYN)))).isNotNull();
        }
        assertThat(parse(LinkType.LOOP, bsdLoopback(24, false, ipv6(addr6(2), addr6(1), SYN)))).isNotNull();
        assertThat(parser.counters().segments()).isEqualTo(7);
    }

    @Test
    void rawIpLinkTypes() {
        for (int lt : new int[] {LinkType.RAW, LinkType.DLT_RAW, LinkType.DLT_RAW_OPENBSD}) {
            assertThat(parse(lt, ipv4(CLIENT, SERVER, SYN))).isNotNull();
            assertThat(parse(lt, ipv6(addr6(2), addr6(1), SYN))).isNotNull();
        }
        assertThat(parse(LinkType.IPV4, ipv4(CLIENT, SERVER, SYN))).isNotNull();
        assertThat(parse(LinkType.IPV6, ipv6(addr6(2), addr6(1), SYN))).isNotNull();
    }

    @Test
    void ipv4OptionsAreSkipped() {
        byte[] routerAlert = {(byte) 0x94, 4, 0, 0};
        Segment s = parse(LinkType.RAW, ipv4(CLIENT, SERVER, 64, 1, 6, routerAlert, SYN));
        assertThat(s.srcPort).isEqualTo(40000);
        assertThat(s.mss).isEqualTo(1460);
    }

    @Test
    void ipv6ExtensionHeadersAreWalked() {
        byte[] hopByHop = new byte[8];
        byte[] routing = new byte[24];
        routing[1] = 2; // (2 + 1) * 8 = 24 bytes
        byte[] destOpts = new byte[8];
        byte[] firstFragment = new byte[8];
        firstFragment[3] = 1; // offset 0, more fragments
        byte[] frame = ipv6(addr6(2), addr6(1), 57, 0, new byte[][] {hopByHop, routing, destOpts, firstFragment},
                new int[] {0, 43, 60, 44}, tcp(40000, 443, 7, 0, TcpFlags.SYN, 1000, new byte[0], 20));
        Segment s = parse(LinkType.RAW, frame);
        assertThat(s).isNotNull();
        assertThat(s.dstPort).isEqualTo(443);
        assertThat(s.ttl).isEqualTo(57);
        assertThat(s.ipId).isEqualTo(Segment.ABSENT);
        assertThat(s.payloadLen).isEqualTo(20);
    }

    @Test
    void nonFirstFragmentsAreSkippedAndCounted() {
        byte[] v4 = ipv4(CLIENT, SERVER, SYN);
        put16(v4, 6, 0x0010); // fragment offset 16 * 8 bytes
        assertThat(parse(LinkType.RAW, v4)).isNull();

        byte[] frag = new byte[8];
        put16(frag, 2, 0x00A8); // offset 21 * 8
        assertThat(parse(LinkType.RAW, ipv6(addr6(2), addr6(1), 64, 0, new byte[][] {frag}, new int[] {44}, SYN))).isNull();
        assertThat(parser.counters().skipped(SkipReason.IP_FRAGMENT)).isEqualTo(2);
    }

    @Test
    void everyFrameIsASegmentOrExactlyOneSkipReason() {
        byte[] udp = ipv4(CLIENT, SERVER, 64, 1, 17, new byte[0], new byte[8]);
        byte[] badVersion = ipv4(CLIENT, SERVER, SYN);
        badVersion[0] = 0x55;
        byte[] badOffset = ipv4(CLIENT, SERVER, SYN);
        badOffset[20 + 12] = 0x40; // data offset 4 words
        byte[] icmp6 = ipv6(addr6(2), addr6(1), 64, 58, new byte[0][], new int[0], new byte[8]);
        byte[] full = ethernet(0x0800, ipv4(CLIENT, SERVER, SYN));

        parse(LinkType.RAW, udp);
        parse(LinkType.RAW, icmp6);
        parse(LinkType.IPV4, badVersion);
        parse(LinkType.RAW, badOffset);
        parse(147, full); // a DLT_USER type
        parser.parse(LinkType.ETHERNET, 0, full, 0, 10);
        parser.parse(LinkType.ETHERNET, 0, full, 0, 14 + 19);
        parser.parse(LinkType.ETHERNET, 0, full, 0, 14 + 20 + 19);
        parse(LinkType.ETHERNET, full);

        ParseCounters c = parser.counters();
        assertThat(c.skipped(SkipReason.NOT_TCP)).isEqualTo(2);
        assertThat(c.skipped(SkipReason.BAD_IP_HEADER)).isEqualTo(1);
        assertThat(c.skipped(SkipReason.BAD_TCP_HEADER)).isEqualTo(1);
        assertThat(c.skipped(SkipReason.UNSUPPORTED_LINK_TYPE)).isEqualTo(1);
        assertThat(c.skipped(SkipReason.TRUNCATED_LINK)).isEqualTo(1);
        assertThat(c.skipped(SkipReason.TRUNCATED_IP)).isEqualTo(1);
        assertThat(c.skipped(SkipReason.TRUNCATED_TCP)).isEqualTo(1);
        assertThat(c.segments()).isEqualTo(1);
        assertThat(c.frames()).isEqualTo(9);
    }

    @Test
    void optionsCutByTheSnapLengthKeepTheSegmentAndAreCounted() {
        byte[] frame = ethernet(0x0800, ipv4(CLIENT, SERVER, SYN));
        Segment s = parser.parse(LinkType.ETHERNET, 0, frame, 0, 14 + 20 + 20 + 6); // MSS + SACK-perm only
        assertThat(s).isNotNull();
        assertThat(s.mss).isEqualTo(1460);
        assertThat(s.sackPermitted).isTrue();
        assertThat(s.hasTimestamps).isFalse();
        assertThat(s.windowScale).isEqualTo(Segment.ABSENT);
        assertThat(parser.counters().optionsIncomplete()).isEqualTo(1);
    }

    @Test
    void malformedOptionLengthsStopOptionParsingButNotTheSegment() {
        byte[] zeroLength = {2, 0, 0, 0};
        Segment s = parse(LinkType.RAW, ipv4(CLIENT, SERVER, tcp(1, 2, 3, 4, TcpFlags.SYN, 5, zeroLength, 0)));
        assertThat(s).isNotNull();
        assertThat(s.mss).isEqualTo(Segment.ABSENT);
        assertThat(parser.counters().optionsIncomplete()).isEqualTo(1);
    }

    @Test
    void theReusedSegmentIsResetBetweenFrames() {
        parse(LinkType.RAW, ipv4(CLIENT, SERVER, tcp(1, 2, 3, 4, TcpFlags.ACK, 5, options(sack(1, 2)), 0)));
        Segment s = parse(LinkType.RAW, ipv6(addr6(2), addr6(1), tcp(1, 2, 3, 4, TcpFlags.ACK, 5, new byte[0], 0)));
        assertThat(s.sackBlocks).isEmpty();
        assertThat(s.ipId).isEqualTo(Segment.ABSENT);
        assertThat(s.hasTimestamps).isFalse();
        assertThat(s.mss).isEqualTo(Segment.ABSENT);
        assertThat(s.srcAddr).hasSize(16);
    }
}

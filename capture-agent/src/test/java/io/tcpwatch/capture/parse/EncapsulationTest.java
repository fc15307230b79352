package io.tcpwatch.capture.parse;

import io.tcpwatch.capture.parse.Decapsulator;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.capture.parse.SkipReason;
import io.tcpwatch.capture.parse.TunnelPorts;
import static io.tcpwatch.agent.testing.Frames.*;
import static io.tcpwatch.agent.testing.TunnelFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every encapsulation the parser reads, in frames built here from the protocols' specifications:
 * the innermost TCP segment comes out with the inner addresses, and the tenant identity (VNI, GRE
 * key, I-SID) in {@code tunnel}; what cannot be followed is one skip reason.
 */
class EncapsulationTest {

    private static final byte[] CLIENT = addr4(192, 168, 7, 2);
    private static final byte[] SERVER = addr4(192, 168, 7, 1);
    private static final byte[] OUTER_A = addr4(10, 1, 0, 1);
    private static final byte[] OUTER_B = addr4(10, 1, 0, 2);
    private static final byte[] SYN = tcp(40000, 443, 1000, 0, TcpFlags.SYN, 64240, options(mss(1400)), 0);
    private static final byte[] INNER4 = ipv4(CLIENT, SERVER, SYN);
    private static final byte[] INNER6 = ipv6(addr6(2), addr6(1), SYN);
    private static final byte[] INNER_ETHERNET = ethernet(0x0800, INNER4);

    private final FrameParser parser = new FrameParser("node-1");

    private Segment parse(byte[] frame) {
        return parser.parse(LinkType.ETHERNET, 1, frame, 0, frame.length);
    }

    /** The inner SYN, IPv4, with {@code tunnel}. */
    private void assertInner4(Segment s, String tunnel) {
        assertThat(s).as("a segment; skipped: %s", parser.counters().skippedByReason()).isNotNull();
        assertThat(s.srcAddr).containsExactly(CLIENT);
        assertThat(s.dstAddr).containsExactly(SERVER);
        assertThat(s.srcPort).isEqualTo(40000);
        assertThat(s.dstPort).isEqualTo(443);
        assertThat(s.mss).isEqualTo(1400);
        assertThat(s.tunnel).isEqualTo(tunnel);
    }

    private void assertInner6(Segment s) {
        assertThat(s).as("a segment; skipped: %s", parser.counters().skippedByReason()).isNotNull();
        assertThat(s.ipVersion).isEqualTo(6);
        assertThat(s.srcAddr).containsExactly(addr6(2));
        assertThat(s.dstPort).isEqualTo(443);
    }

    private void assertSkipped(byte[] frame, SkipReason reason) {
        long before = parser.counters().skipped(reason);
        assertThat(parse(frame)).isNull();
        assertThat(parser.counters().skipped(reason)).as("skipped as %s", reason).isEqualTo(before + 1);
    }

    // ---- link-layer tags and labels ------------------------------------------------------------

    @Test
    void mplsLabelStacksInAVlanThenIpOrAPseudowire() {
        byte[] twoLabels = concat(label(16, false), label(17, true), INNER4);
        assertInner4(parse(ethernet(0x8847, twoLabels, 0x8100)), null);
        assertInner6(parse(ethernet(0x8847, concat(label(3, true), INNER6))));
        byte[] pseudowire = concat(label(100, true), new byte[4], INNER_ETHERNET); // control word, then Ethernet
        assertInner4(parse(ethernet(0x8847, pseudowire)), null);
        assertSkipped(ethernet(0x8847, label(16, false)), SkipReason.TRUNCATED_TUNNEL);
    }

    @Test
    void providerBackboneBridgingKeepsTheServiceInstance() {
        byte[] itag = new byte[4];
        put32(itag, 0, 0x123456);
        assertInner4(parse(ethernet(0x88E7, concat(itag, INNER_ETHERNET))), "pbb:" + 0x123456);
    }

    @Test
    void vnTagETagAndFabricPathAreSteppedOver() {
        byte[] vnTag = concat(new byte[4], u16(0x0800), INNER4);
        assertInner4(parse(ethernet(0x8926, vnTag)), null);
        byte[] eTag = concat(new byte[6], u16(0x0800), INNER4);
        assertInner4(parse(ethernet(0x893F, eTag)), null);
        byte[] fabricPath = concat(new byte[2], INNER_ETHERNET); // FTag and TTL, then the classical frame
        assertInner4(parse(ethernet(0x8903, fabricPath)), null);
    }

    @Test
    void pppoeSessionsOverQinQ() {
        assertInner4(parse(ethernet(0x8864, pppoe(0x0021, INNER4), 0x88A8, 0x8100)), null);
        assertInner6(parse(ethernet(0x8864, pppoe(0x0057, INNER6))));
        assertSkipped(ethernet(0x8864, pppoe(0xC021, new byte[20])), SkipReason.NOT_IP); // LCP
    }

    // ---- IP in IP ---------------------------------------------------------------------------------

    @Test
    void ipInIpSixInFourFourInSix() {
        assertInner4(parse(ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 64, 1, 4, new byte[0], INNER4))), null);
        assertInner6(parse(ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 64, 1, 41, new byte[0], INNER6))));
        assertInner4(parse(ethernet(0x86DD, ipv6(addr6(9), addr6(8), 64, 4, new byte[0][], new int[0], INNER4))), null);
        assertInner6(parse(ethernet(0x86DD, ipv6(addr6(9), addr6(8), 64, 41, new byte[0][], new int[0], INNER6))));
    }

    @Test
    void nestingBeyondTheLayerLimitStopsWithAReason() {
        byte[] packet = INNER4;
        for (int i = 0; i < Decapsulator.MAX_LAYERS + 1; i++) {
            packet = ipv4(OUTER_A, OUTER_B, 64, i, 4, new byte[0], packet);
        }
        assertSkipped(ethernet(0x0800, packet), SkipReason.TOO_MANY_LAYERS);
    }

    // ---- GRE ----------------------------------------------------------------------------------------

    @Test
    void greWithAndWithoutKeyChecksumAndSequence() {
        assertInner4(parse(outer4(47, gre(0, 0x0800, null, false, false, INNER4))), null);
        assertInner4(parse(outer4(47, gre(0, 0x0800, 42L, true, true, INNER4))), "gre:42");
        assertInner6(parse(outer4(47, gre(0, 0x86DD, null, false, true, INNER6))));
        assertInner4(parse(outer4(47, gre(0, 0x6558, 7L, false, false, INNER_ETHERNET))), "gre:7"); // bridging
        assertInner4(parse(outer4(47, gre(0, 0x8847, null, false, false, concat(label(5, true), INNER4)))), null);
        byte[] routing = gre(0, 0x0800, null, false, false, INNER4);
        routing[0] |= 0x40;
        assertSkipped(outer4(47, routing), SkipReason.BAD_TUNNEL_HEADER);
    }

    @Test
    void erspanTypesOneTwoAndThree() {
        assertInner4(parse(outer4(47, gre(0, 0x88BE, null, false, false, INNER_ETHERNET))), null); // type I
        assertInner4(parse(outer4(47, gre(0, 0x88BE, null, false, true, concat(new byte[8], INNER_ETHERNET)))), null);
        byte[] type3 = new byte[12];
        assertInner4(parse(outer4(47, gre(0, 0x22EB, null, false, true, concat(type3, INNER_ETHERNET)))), null);
        byte[] type3WithSubheader = new byte[20];
        type3WithSubheader[11] = 0x01; // O bit: an 8-byte platform sub-header follows
        assertInner4(parse(outer4(47, gre(0, 0x22EB, null, false, true, concat(type3WithSubheader, INNER_ETHERNET)))), null);
    }

    @Test
    void pptpEnhancedGreCarriesPpp() {
        byte[] header = new byte[12]; // flags K S, version 1, PPP; payload length; call id; sequence
        put16(header, 0, 0x3001);
        put16(header, 2, 0x880B);
        put16(header, 6, 77);
        assertInner4(parse(outer4(47, concat(header, new byte[] {(byte) 0xFF, 0x03, 0x00, 0x21}, INNER4))), null); // call ids differ per direction
        assertInner4(parse(outer4(47, concat(header, new byte[] {0x21}, INNER4))), null); // compressed fields
    }

    // ---- UDP tunnels --------------------------------------------------------------------------------

    @Test
    void vxlanKeepsTheVniSoTwoOverlaysAreTwoFlows() {
        Segment a = parse(outer4(17, udp(51000, 4789, vxlan(5001, INNER_ETHERNET)))).copy();
        assertInner4(a, "vxlan:5001");
        Segment b = parse(outer4(17, udp(51000, 4789, vxlan(5002, INNER_ETHERNET))));
        assertInner4(b, "vxlan:5002");
        assertThat(io.tcpwatch.schema.FlowKey.of(a)).isNotEqualTo(io.tcpwatch.schema.FlowKey.of(b));
        assertInner4(parse(outer4(17, udp(51000, 8472, vxlan(1, INNER_ETHERNET)))), "vxlan:1"); // Linux, flannel
        byte[] noVni = vxlan(9, INNER_ETHERNET);
        noVni[0] = 0;
        assertSkipped(outer4(17, udp(51000, 4789, noVni)), SkipReason.BAD_TUNNEL_HEADER);
        assertSkipped(outer4(17, udp(51000, 4789, Arrays.copyOf(vxlan(9, INNER_ETHERNET), 6))), SkipReason.TRUNCATED_TUNNEL);
    }

    @Test
    void geneveWithOptionsAndEitherPayload() {
        byte[] options = new byte[8]; // one option: class, type, length 1 word, data
        options[3] = 1;
        assertInner4(parse(outer4(17, udp(51000, 6081, geneve(77, 0x6558, options, INNER_ETHERNET)))), "geneve:77");
        assertInner4(parse(outer4(17, udp(51000, 6081, geneve(78, 0x0800, new byte[0], INNER4)))), "geneve:78");
    }

    @Test
    void gtpUserPlaneWithExtensionHeadersAndNestedTunnels() {
        // each end chooses the TEID it receives on: uplink and downlink differ, so it is not the flow's identity
        assertInner4(parse(outer4(17, udp(2152, 2152, gtpu(0x1A2B3C4DL, null, INNER4)))), null);
        byte[] pduSession = {1, 0x10, 0x05, 0x00}; // length 1 word, PDU session container, next: none
        assertInner4(parse(outer4(17, udp(2152, 2152, gtpu(0xABL, pduSession, INNER4)))), null);
        byte[] innerVxlan = outer4(17, udp(50000, 4789, vxlan(9, INNER_ETHERNET)));
        assertInner4(parse(outer4(17, udp(2152, 2152, gtpu(0xABL, null, Arrays.copyOfRange(innerVxlan, 14, innerVxlan.length))))),
                "vxlan:9");
        byte[] echo = gtpu(0, null, new byte[0]);
        echo[1] = 1;
        assertSkipped(outer4(17, udp(2152, 2152, echo)), SkipReason.NOT_IP);
    }

    @Test
    void teredoWithOriginIndicationAndAuthentication() {
        assertInner6(parse(outer4(17, udp(3544, 40001, INNER6))));
        byte[] origin = new byte[8];
        assertInner6(parse(outer4(17, udp(40001, 3544, concat(origin, INNER6)))));
        byte[] auth = new byte[4 + 2 + 3 + 8 + 1]; // id length 2, auth length 3, nonce, confirmation
        put16(auth, 0, 1);
        auth[2] = 2;
        auth[3] = 3;
        assertInner6(parse(outer4(17, udp(3544, 40001, concat(auth, origin, INNER6)))));
    }

    @Test
    void teredoBetweenAClientAndItsRelayIsRecognisedByItsContent() {
        byte[] teredoClient = addr6(2);
        teredoClient[2] = 0;
        teredoClient[3] = 0; // 2001:0::/32
        byte[] packet = ipv6(teredoClient, addr6(1), SYN);
        assertInner6Of(parse(outer4(17, udp(3797, 32900, packet))), teredoClient);
        assertSkipped(outer4(17, udp(3797, 32900, INNER6)), SkipReason.NOT_TCP); // no Teredo address: not Teredo
        assertSkipped(outer4(17, udp(3797, 32900, Arrays.copyOf(packet, packet.length + 1))), SkipReason.NOT_TCP);
    }

    private void assertInner6Of(Segment s, byte[] src) {
        assertThat(s).as("a segment; skipped: %s", parser.counters().skippedByReason()).isNotNull();
        assertThat(s.srcAddr).containsExactly(src);
    }

    @Test
    void ayiyaForwardsIpv6AndSkipsHeartbeats() {
        byte[] header = new byte[8 + 16 + 20]; // identity 2^4 bytes, signature 5 words
        header[0] = 0x41;
        header[1] = 0x52;
        header[2] = 0x11; // authentication method, opcode 1 (forward)
        header[3] = 41;
        assertInner6(parse(outer4(17, udp(5072, 5072, concat(header, INNER6)))));
        byte[] heartbeat = header.clone();
        heartbeat[2] = 0x10;
        assertSkipped(outer4(17, udp(5072, 5072, concat(heartbeat, INNER6))), SkipReason.NOT_IP);
    }

    @Test
    void udpPortsAreConfigurable() {
        byte[] frame = outer4(17, udp(51000, 9999, vxlan(3, INNER_ETHERNET)));
        assertSkipped(frame, SkipReason.NOT_TCP);
        FrameParser custom = new FrameParser("node-1", TunnelPorts.DEFAULTS.with("vxlan=9999"));
        assertThat(custom.parse(LinkType.ETHERNET, 1, frame, 0, frame.length).tunnel).isEqualTo("vxlan:3");
        byte[] standard = outer4(17, udp(51000, 4789, vxlan(3, INNER_ETHERNET)));
        assertThat(custom.parse(LinkType.ETHERNET, 1, standard, 0, standard.length)).isNull();
    }

    // ---- fragments ---------------------------------------------------------------------------------

    @Test
    void outerFragmentsOfATunnelAreCountedWithTheirOwnReason() {
        byte[] first = outer4(17, udp(51000, 4789, vxlan(5001, INNER_ETHERNET)));
        put16(first, 14 + 6, 0x2000); // more fragments
        assertSkipped(first, SkipReason.TUNNEL_FRAGMENT);
        byte[] later = outer4(17, udp(51000, 4789, vxlan(5001, INNER_ETHERNET)));
        put16(later, 14 + 6, 0x0010);
        assertSkipped(later, SkipReason.NOT_TCP);
        byte[] plainUdp = outer4(17, udp(51000, 53, new byte[40]));
        put16(plainUdp, 14 + 6, 0x2000);
        assertSkipped(plainUdp, SkipReason.NOT_TCP);
    }

    @Test
    void ethernetPaddingAfterTheOuterPacketIsNotReadAsTunnelBytes() {
        byte[] cut = Arrays.copyOf(vxlan(5001, INNER_ETHERNET), 6);
        byte[] frame = Arrays.copyOf(outer4(17, udp(51000, 4789, cut)), 14 + 20 + 8 + 6 + 40); // zero padding
        assertSkipped(frame, SkipReason.TRUNCATED_TUNNEL);
    }

    private static byte[] outer4(int protocol, byte[] payload) {
        return ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 64, 9, protocol, new byte[0], payload));
    }
}

package io.tcpwatch.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlowKeyTest {

    @Test
    void bothDirectionsShareOneKeyWithTheLowerEndpointFirst() {
        Segment out = segment(new byte[] {10, 0, 0, 2}, 40000, new byte[] {10, 0, 0, 1}, 80);
        Segment back = segment(new byte[] {10, 0, 0, 1}, 80, new byte[] {10, 0, 0, 2}, 40000);

        assertThat(FlowKey.of(out)).isEqualTo(FlowKey.of(back))
                .containsExactly(4, 10, 0, 0, 1, 0, 80, 10, 0, 0, 2, (byte) 0x9C, 0x40);
        assertThat(FlowKey.isForward(back)).isTrue();
        assertThat(FlowKey.isForward(out)).isFalse();
    }

    @Test
    void addressesCompareUnsignedAndPortsBreakTies() {
        Segment high = segment(new byte[] {(byte) 200, 0, 0, 1}, 1, new byte[] {10, 0, 0, 1}, 2);
        assertThat(FlowKey.of(high)[1]).isEqualTo((byte) 10);

        Segment samehost = segment(new byte[] {127, 0, 0, 1}, 5000, new byte[] {127, 0, 0, 1}, 4000);
        byte[] k = FlowKey.of(samehost);
        assertThat(((k[5] & 0xFF) << 8) | (k[6] & 0xFF)).isEqualTo(4000);
        assertThat(k).hasSize(13);
    }

    @Test
    void equalFourTuplesOfTwoOverlaysHaveTwoKeys() {
        Segment a = segment(new byte[] {10, 0, 0, 2}, 40000, new byte[] {10, 0, 0, 1}, 80);
        Segment b = segment(new byte[] {10, 0, 0, 2}, 40000, new byte[] {10, 0, 0, 1}, 80);
        a.tunnel = "vxlan:100";
        b.tunnel = "vxlan:200";
        assertThat(FlowKey.of(a)).hasSize(17).isNotEqualTo(FlowKey.of(b));
        Segment back = segment(new byte[] {10, 0, 0, 1}, 80, new byte[] {10, 0, 0, 2}, 40000);
        back.tunnel = "vxlan:100";
        assertThat(FlowKey.of(back)).isEqualTo(FlowKey.of(a));
    }

    @Test
    void ipv6KeysAre37Bytes() {
        byte[] a = new byte[16];
        byte[] b = new byte[16];
        a[15] = 1;
        b[15] = 2;
        assertThat(FlowKey.of(segment6(a, b))).hasSize(37);
    }

    private static Segment segment(byte[] src, int sp, byte[] dst, int dp) {
        Segment s = new Segment();
        s.ipVersion = 4;
        s.srcAddr = src;
        s.srcPort = sp;
        s.dstAddr = dst;
        s.dstPort = dp;
        return s;
    }

    private static Segment segment6(byte[] src, byte[] dst) {
        Segment s = segment(src, 1, dst, 2);
        s.ipVersion = 6;
        return s;
    }
}

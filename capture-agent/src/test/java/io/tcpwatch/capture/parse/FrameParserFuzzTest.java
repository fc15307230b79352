package io.tcpwatch.capture.parse;

import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.capture.parse.ParseCounters;
import static io.tcpwatch.agent.testing.Frames.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Mutated and truncated frames: nothing escapes, and every frame is accounted for exactly once. */
class FrameParserFuzzTest {

    private static final int FRAMES = 200_000;

    @Test
    void mutatedAndTruncatedFramesNeverThrowAndCountersAddUp() {
        byte[] opts = options(timestamps(1, 2), sack(1, 2, 3, 4, 5, 6));
        byte[] tcp = tcp(1234, 80, 1, 2, TcpFlags.SYN | TcpFlags.ACK, 1000, opts, 30);
        byte[] hop = new byte[8];
        List<int[]> linkTypes = List.of(new int[] {LinkType.ETHERNET}, new int[] {LinkType.LINUX_SLL},
                new int[] {LinkType.LINUX_SLL2}, new int[] {LinkType.NULL}, new int[] {LinkType.RAW}, new int[] {LinkType.LOOP});
        byte[][] seeds = {
            ethernet(0x0800, ipv4(addr4(1, 2, 3, 4), addr4(5, 6, 7, 8), tcp), 0x8100),
            sll(0x86DD, ipv6(addr6(1), addr6(2), 64, 0, new byte[][] {hop}, new int[] {0}, tcp)),
            sll2(0x0800, ipv4(addr4(1, 2, 3, 4), addr4(5, 6, 7, 8), tcp)),
            bsdLoopback(30, true, ipv6(addr6(1), addr6(2), tcp)),
            ipv4(addr4(1, 2, 3, 4), addr4(5, 6, 7, 8), 64, 9, 6, new byte[] {1, 1, 1, 1}, tcp),
            bsdLoopback(2, false, ipv4(addr4(1, 2, 3, 4), addr4(5, 6, 7, 8), tcp)),
        };
        FrameParser parser = new FrameParser("fuzz");
        Random rnd = new Random(20261122);
        long segments = 0;
        for (int i = 0; i < FRAMES; i++) {
            int k = rnd.nextInt(seeds.length);
            byte[] f = seeds[k].clone();
            int flips = rnd.nextInt(6);
            for (int j = 0; j < flips; j++) {
                f[rnd.nextInt(f.length)] = (byte) rnd.nextInt(256);
            }
            int capLen = rnd.nextInt(4) == 0 ? rnd.nextInt(f.length + 1) : f.length;
            int off = rnd.nextInt(3);
            byte[] buf = new byte[off + f.length];
            System.arraycopy(f, 0, buf, off, f.length);
            Arrays.fill(buf, 0, off, (byte) 0xEE);
            int linkType = rnd.nextInt(20) == 0 ? rnd.nextInt(300) : linkTypes.get(k)[0];
            Segment s = parser.parse(linkType, i, buf, off, capLen);
            if (s != null) {
                segments++;
                assertThat(s.srcAddr.length).isIn(4, 16);
                assertThat(s.payloadLen).isBetween(0, 65535);
                assertThat(s.sackBlocks.length % 2).isZero();
            }
        }
        ParseCounters c = parser.counters();
        assertThat(c.frames()).isEqualTo(FRAMES);
        assertThat(c.segments()).isEqualTo(segments);
        assertThat(c.segments() + c.skippedTotal()).isEqualTo(FRAMES);
        // the mutations must reach both outcomes, or the test proves nothing
        assertThat(segments).isBetween(FRAMES / 10L, FRAMES - FRAMES / 10L);
        assertThat(c.skippedByReason()).hasSizeGreaterThanOrEqualTo(6);
    }
}

package io.tcpwatch.capture;

import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.CaptureFileReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.agent.testing.CaptureFileWriter;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

class CaptureFileReaderTest {

    @TempDir
    Path dir;

    /** One frame as a reader delivered it. */
    record Frame(int linkType, String iface, long tsNanos, byte[] bytes, int origLen) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && f.linkType == linkType && java.util.Objects.equals(f.iface, iface)
                    && f.tsNanos == tsNanos && Arrays.equals(f.bytes, bytes) && f.origLen == origLen;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(tsNanos);
        }
    }

    static List<Frame> readAll(CaptureFileReader r) throws CaptureFileException {
        List<Frame> out = new ArrayList<>();
        r.read((iface, ts, buf, off, cap, orig) ->
                out.add(new Frame(iface.linkType(), iface.name(), ts, Arrays.copyOfRange(buf, off, off + cap), orig)));
        return out;
    }

    /** The same file through libpcap (pcap4j, nanosecond precision): the reference reader. */
    static List<long[]> libpcapTimestampsAndLengths(Path f) throws Exception {
        List<long[]> out = new ArrayList<>();
        try (PcapHandle h = Pcaps.openOffline(f.toString(), PcapHandle.TimestampPrecision.NANO)) {
            while (true) {
                byte[] p;
                try {
                    p = h.getNextRawPacketEx();
                } catch (EOFException e) {
                    break;
                }
                Timestamp ts = h.getTimestamp();
                out.add(new long[] {Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos(), p.length});
            }
        }
        return out;
    }

    private static List<long[]> ours(List<Frame> frames) {
        List<long[]> out = new ArrayList<>();
        for (Frame f : frames) {
            out.add(new long[] {f.tsNanos, f.bytes.length});
        }
        return out;
    }

    @Test
    void pcapInEveryResolutionAndByteOrderMatchesLibpcap() throws Exception {
        Random rnd = new Random(3);
        for (boolean nanos : new boolean[] {false, true}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                Path f = dir.resolve("t-" + nanos + "-" + order + ".pcap");
                List<Long> written = new ArrayList<>();
                try (CaptureFileWriter.Pcap w = CaptureFileWriter.pcap(f, LinkType.ETHERNET, nanos, order)) {
                    for (int i = 0; i < 500; i++) {
                        long ts = 1_795_000_000_000_000_000L + i * 1_234_567_891L + rnd.nextInt(1_000_000_000);
                        byte[] frame = new byte[14 + rnd.nextInt(200)];
                        rnd.nextBytes(frame);
                        w.frame(ts, frame, frame.length, frame.length + rnd.nextInt(2));
                        written.add(nanos ? ts : ts / 1000 * 1000);
                    }
                }
                try (CaptureFileReader r = CaptureFileReader.open(f)) {
                    List<Frame> frames = readAll(r);
                    assertThat(frames).extracting(Frame::tsNanos).containsExactlyElementsOf(written);
                    assertThat(ours(frames)).usingRecursiveFieldByFieldElementComparator()
                            .isEqualTo(libpcapTimestampsAndLengths(f));
                    assertThat(r.damage()).isNull();
                    assertThat(r.format()).isEqualTo(nanos ? "pcap (ns)" : "pcap (µs)");
                }
            }
        }
    }

    @Test
    void pcapngSectionsInterfacesAndTimestampResolutionsMatchLibpcap() throws Exception {
        Path f = dir.resolve("multi.pcapng");
        byte[] frame = new byte[60];
        new Random(5).nextBytes(frame);
        List<Frame> expected = new ArrayList<>();
        try (CaptureFileWriter.PcapNg w = CaptureFileWriter.pcapng(f, ByteOrder.LITTLE_ENDIAN)) {
            int us = w.iface(LinkType.ETHERNET, "eth0", -1, 0); // default: microseconds
            int ns = w.iface(LinkType.LINUX_SLL, "any", 9, 0);
            int bin = w.iface(LinkType.RAW, "tun0", 0x80 | 20, 0); // 2^-20 s
            w.frame(us, 1_795_000_000_123_456L, frame, 60, 60);
            expected.add(new Frame(LinkType.ETHERNET, "eth0", 1_795_000_000_123_456_000L, frame, 60));
            w.customBlock(13);
            w.frame(ns, 1_795_000_000_123_456_789L, frame, 40, 1500);
            expected.add(new Frame(LinkType.LINUX_SLL, "any", 1_795_000_000_123_456_789L, Arrays.copyOf(frame, 40), 1500));
            w.frame(bin, (1_795_000_001L << 20) | (1 << 19), frame, 20, 20); // + 0.5 s
            expected.add(new Frame(LinkType.RAW, "tun0", 1_795_000_001_500_000_000L, Arrays.copyOf(frame, 20), 20));
            w.simplePacket(frame);
            w.section(); // interface ids restart
            int again = w.iface(LinkType.ETHERNET, null, 9, 0);
            w.frame(again, 1_795_000_002_000_000_001L, frame, 33, 33);
            expected.add(new Frame(LinkType.ETHERNET, null, 1_795_000_002_000_000_001L, Arrays.copyOf(frame, 33), 33));
        }
        try (CaptureFileReader r = CaptureFileReader.open(f)) {
            List<Frame> frames = readAll(r);
            assertThat(frames).containsExactlyElementsOf(expected);
            assertThat(r.framesWithoutTimestamp()).isEqualTo(1);
            assertThat(r.damage()).isNull();
        }
    }

    @Test
    void pcapngBigEndianWithTimestampOffsetMatchesLibpcap() throws Exception {
        Path f = dir.resolve("be.pcapng");
        byte[] frame = new byte[54];
        try (CaptureFileWriter.PcapNg w = CaptureFileWriter.pcapng(f, ByteOrder.BIG_ENDIAN)) {
            int id = w.iface(LinkType.ETHERNET, "en0", 6, 1_795_000_000L);
            for (int i = 0; i < 10; i++) {
                w.frame(id, 1_000_000L * i + 7, frame, 54, 54);
            }
        }
        try (CaptureFileReader r = CaptureFileReader.open(f)) {
            List<Frame> frames = readAll(r);
            assertThat(frames).hasSize(10);
            assertThat(frames.get(3).tsNanos()).isEqualTo(1_795_000_003_000_007_000L);
            assertThat(ours(frames)).usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(libpcapTimestampsAndLengths(f));
        }
    }

    @Test
    void aTruncatedFileDeliversEveryCompleteFrameThenReportsTheDamage() throws Exception {
        Path f = dir.resolve("cut.pcap");
        try (CaptureFileWriter.Pcap w = CaptureFileWriter.pcap(f, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            for (int i = 0; i < 100; i++) {
                w.frame(i, new byte[100]);
            }
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(24 + 99 * 116 + 50); // half of the last record
        }
        try (CaptureFileReader r = CaptureFileReader.open(f)) {
            assertThat(readAll(r)).hasSize(99);
            assertThat(r.damage()).contains("truncated record").contains("after 99 frames");
        }
    }

    @Test
    void anAbsurdLengthStopsReadingWithoutAllocatingIt() throws Exception {
        Path f = dir.resolve("absurd.pcapng");
        try (CaptureFileWriter.PcapNg w = CaptureFileWriter.pcapng(f, ByteOrder.LITTLE_ENDIAN)) {
            int id = w.iface(LinkType.ETHERNET, "eth0", 9, 0);
            w.frame(id, 1, new byte[60], 60, 60);
            w.frame(id, 2, new byte[60], 60, 60);
        }
        byte[] b = Files.readAllBytes(f);
        int second = b.length - (28 + 60 + 4);
        b[second + 4] = (byte) 0xF0; // block length 0x...F0: not a multiple that fits
        b[second + 7] = (byte) 0x7F;
        Files.write(f, b);
        try (CaptureFileReader r = CaptureFileReader.open(f)) {
            assertThat(readAll(r)).hasSize(1);
            assertThat(r.damage()).contains("impossible length");
        }
    }

    @Test
    void filesThatAreNotCapturesAreRefusedWithASentence() throws IOException {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a capture");
        assertThatThrownBy(() -> CaptureFileReader.open(text))
                .isInstanceOf(CaptureFileException.class).hasMessageContaining("is not a pcap or pcapng file");

        assertThatThrownBy(() -> CaptureFileReader.open(dir.resolve("missing.pcap")))
                .isInstanceOf(CaptureFileException.class).hasMessageContaining("does not exist");

        Path empty = Files.createFile(dir.resolve("empty.pcap"));
        assertThatThrownBy(() -> CaptureFileReader.open(empty))
                .isInstanceOf(CaptureFileException.class).hasMessageContaining("too short");

        assertThatThrownBy(() -> CaptureFileReader.open(dir))
                .isInstanceOf(CaptureFileException.class).hasMessageContaining("is a directory");
    }
}

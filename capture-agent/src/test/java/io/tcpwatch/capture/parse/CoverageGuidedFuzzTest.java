package io.tcpwatch.capture.parse;

import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.capture.parse.ParseCounters;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.schema.Segment;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing (Jazzer) of what reads untrusted bytes: the frame parser, and the
 * pcap/pcapng reader with the parser behind it. In a normal test run these replay their seeds and
 * the corpus found so far; with {@code JAZZER_FUZZ=1} (the `fuzz` executions of this module's
 * build) each is fuzzed for up to 10^6 executions or 60 s. Nothing may escape but a
 * CaptureFileException, and every frame is counted exactly once.
 */
class CoverageGuidedFuzzTest {

    private static final int[] LINK_TYPES = {LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL,
            LinkType.LOOP, LinkType.RAW, 999};

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void frames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        FrameParser parser = new FrameParser("fuzz");
        int linkType = LINK_TYPES[(input[0] & 0xff) % LINK_TYPES.length];
        Segment s = parser.parse(linkType, 1L, input, 1, input.length - 1);
        ParseCounters c = parser.counters();
        assertThat(c.frames()).isEqualTo(1);
        assertThat(c.segments() + c.skippedTotal()).isEqualTo(1);
        if (s != null) {
            assertThat(s.payloadLen).isGreaterThanOrEqualTo(0);
            assertThat(s.srcPort).isBetween(0, 65535);
        }
    }

    @FuzzTest(maxDuration = "60s", maxExecutions = 1_000_000)
    void captureFiles(byte[] input) {
        FrameParser parser = new FrameParser("fuzz");
        try (CaptureFileReader r = CaptureFileReader.open(new ByteArrayInputStream(input), input.length, Path.of("fuzz.pcap"))) {
            long[] frames = {0};
            long read = r.read((iface, ts, buf, off, cap, orig) -> {
                frames[0]++;
                assertThat(cap).isBetween(0, buf.length - off);
                parser.parse(iface.linkType(), ts, buf, off, cap);
            });
            assertThat(read).isEqualTo(frames[0]);
            assertThat(parser.counters().segments() + parser.counters().skippedTotal()).isEqualTo(frames[0]);
        } catch (CaptureFileException e) {
            assertThat(e.getMessage()).isNotBlank(); // a clear sentence, as the CLI prints it
        }
    }
}

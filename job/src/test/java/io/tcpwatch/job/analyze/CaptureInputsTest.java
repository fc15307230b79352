package io.tcpwatch.job.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.schema.Segment;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Capture files, and standard input, read as one stream of segments in capture-time order. */
class CaptureInputsTest {

    private static final Path SERVER = AnalyzeCommandTest.CORPUS.resolve("backlog-and-flood.server.pcap");
    private static final Path CLIENT = AnalyzeCommandTest.CORPUS.resolve("backlog-and-flood.client.pcap");

    @Test
    void twoFilesMergeByTimeAndEverySegmentStaysAsItWasRead() throws Exception {
        List<Segment> server = read(List.of(SERVER));
        List<Segment> client = read(List.of(CLIENT));
        List<Segment> merged = read(List.of(SERVER, CLIENT));

        assertThat(merged).hasSize(server.size() + client.size());
        assertThat(merged).isSortedAccordingTo(Comparator.comparingLong(s -> s.tsNanos));
        List<Segment> expected = new ArrayList<>(server);
        expected.addAll(client);
        // each input's parser reuses its own segment, handed over while the other inputs wait ahead
        assertThat(merged).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void standardInputReadsAsTheFileDoes() throws Exception {
        InputStream stdin = System.in;
        try (InputStream capture = Files.newInputStream(SERVER)) {
            System.setIn(capture);
            assertThat(read(List.of(Path.of("-")))).containsExactlyElementsOf(read(List.of(SERVER)));
        } finally {
            System.setIn(stdin);
        }
    }

    private static List<Segment> read(List<Path> files) throws Exception {
        List<Segment> segments = new ArrayList<>();
        try (CaptureInputs in = CaptureInputs.open(files, "capture", TunnelPorts.DEFAULTS)) {
            long n = in.forEach(s -> segments.add(s.copy()));
            assertThat(n).isEqualTo(segments.size());
        }
        assertThat(segments).isNotEmpty();
        return segments;
    }
}

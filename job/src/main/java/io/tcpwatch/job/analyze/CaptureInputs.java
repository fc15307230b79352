package io.tcpwatch.job.analyze;

import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.schema.Segment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Capture files (or standard input, named {@code -}) as one stream of TCP segments in capture-time
 * order: each file in its own order, the files merged by time as mergecap does, so captures taken
 * side by side at two vantage points, or one after another, read as one.
 */
final class CaptureInputs implements AutoCloseable {

    /** One open capture and its next segment. */
    private static final class Input {
        final CaptureFileReader reader;
        final FrameParser parser;
        Segment next;

        Input(CaptureFileReader reader, String observer, TunnelPorts tunnelPorts) {
            this.reader = reader;
            this.parser = new FrameParser(observer, tunnelPorts);
        }

        /** Reads up to the next TCP segment; false at the end of the file or at damage. */
        boolean advance() throws CaptureFileException {
            next = null;
            while (next == null) {
                if (!reader.next((iface, ts, buf, off, cap, orig) -> {
                    parser.setInterface(iface.name());
                    Segment s = parser.parse(iface.linkType(), ts, buf, off, cap);
                    next = s; // the parser's own segment: this input's until it advances again
                })) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Input> inputs = new ArrayList<>();
    private final PriorityQueue<Input> byTime = new PriorityQueue<>((a, b) -> Long.compare(a.next.tsNanos, b.next.tsNanos));

    private CaptureInputs() {}

    /** Opens every file, {@code -} as standard input; a file that cannot be opened closes the others. */
    static CaptureInputs open(List<Path> files, String observer, TunnelPorts tunnelPorts) throws CaptureFileException {
        CaptureInputs in = new CaptureInputs();
        try {
            for (Path f : files) {
                CaptureFileReader r = f.toString().equals("-")
                        ? CaptureFileReader.open(System.in, 0, Path.of("standard input"))
                        : CaptureFileReader.open(f);
                in.inputs.add(new Input(r, observer, tunnelPorts));
            }
        } catch (CaptureFileException e) {
            in.close();
            throw e;
        }
        return in;
    }

    /**
     * Every segment of every input, in time order across the inputs. A segment is its parser's, valid
     * during the call only ({@link Segment#copy()} keeps one).
     */
    long forEach(Consumer<Segment> segments) throws CaptureFileException {
        for (Input in : inputs) {
            if (in.advance()) {
                byTime.add(in);
            }
        }
        long n = 0;
        Input in;
        while ((in = byTime.poll()) != null) {
            segments.accept(in.next);
            n++;
            if (in.advance()) {
                byTime.add(in);
            }
        }
        return n;
    }

    /** Frames read so far, TCP or not. */
    long frames() {
        return inputs.stream().mapToLong(i -> i.reader.frames()).sum();
    }

    /** Bytes read so far. */
    long position() {
        return inputs.stream().mapToLong(i -> i.reader.position()).sum();
    }

    /** Why reading stopped early, file by file. */
    List<String> damage() {
        return inputs.stream().map(i -> i.reader.damage()).filter(d -> d != null).toList();
    }

    @Override
    public void close() {
        inputs.forEach(i -> i.reader.close());
    }
}

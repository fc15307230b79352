package io.tcpwatch.job.source;

import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.schema.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pcap and pcapng files as a Flink {@code FileSource} format: one {@link Segment} per TCP segment,
 * read with the agent's own reader and header parser, straight from the file (no Kafka). A file
 * is one split; damage part-way ends the file with a warning, after everything readable.
 */
public final class CaptureFileFormat implements StreamFormat<Segment> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CaptureFileFormat.class);

    /**
     * Bytes and frames read by every reader in this JVM: the progress of a local run ({@code tcpwatch
     * analyze}), where the source runs in the same process as the command.
     */
    public static final AtomicLong LOCAL_BYTES_READ = new AtomicLong();
    public static final AtomicLong LOCAL_FRAMES_READ = new AtomicLong();
    private static final int PROGRESS_EVERY = 4096;

    private final String observer;
    private final TunnelPorts tunnelPorts;

    public CaptureFileFormat(String observer) {
        this(observer, TunnelPorts.DEFAULTS);
    }

    public CaptureFileFormat(String observer, TunnelPorts tunnelPorts) {
        this.observer = observer;
        this.tunnelPorts = tunnelPorts;
    }

    @Override
    public Reader<Segment> createReader(Configuration config, FSDataInputStream stream, long fileLen, long splitEnd)
            throws IOException {
        try {
            return new SegmentReader(CaptureFileReader.open(stream, fileLen, Path.of("capture")), observer, tunnelPorts);
        } catch (CaptureFileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Reader<Segment> restoreReader(Configuration config, FSDataInputStream stream, long restoredOffset,
                                         long fileLen, long splitEnd) throws IOException {
        // not splittable: a restored reader starts at the file's beginning, the source skips what was read
        return createReader(config, stream, fileLen, splitEnd);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Segment> getProducedType() {
        return TypeInformation.of(Segment.class);
    }

    private static final class SegmentReader implements StreamFormat.Reader<Segment> {
        private final CaptureFileReader reader;
        private final FrameParser parser;
        private Segment next;
        private long reportedBytes;
        private int unreportedFrames;

        SegmentReader(CaptureFileReader reader, String observer, TunnelPorts tunnelPorts) {
            this.reader = reader;
            this.parser = new FrameParser(observer, tunnelPorts);
        }

        @Override
        public Segment read() throws IOException {
            next = null;
            try {
                while (next == null) {
                    boolean more = reader.next((iface, ts, buf, off, cap, orig) -> {
                        parser.setInterface(iface.name());
                        Segment s = parser.parse(iface.linkType(), ts, buf, off, cap);
                        if (s != null) {
                            next = s.copy();
                        }
                    });
                    if (!more) {
                        progress();
                        if (reader.damage() != null) {
                            LOG.warn("{}", reader.damage());
                        }
                        return null;
                    }
                    if (++unreportedFrames == PROGRESS_EVERY) {
                        progress();
                    }
                }
            } catch (CaptureFileException e) {
                throw new IOException(e.getMessage(), e);
            }
            return next;
        }

        private void progress() {
            long position = reader.position();
            LOCAL_BYTES_READ.addAndGet(position - reportedBytes);
            LOCAL_FRAMES_READ.addAndGet(unreportedFrames);
            reportedBytes = position;
            unreportedFrames = 0;
        }

        @Override
        public void close() {
            reader.close();
        }
    }
}

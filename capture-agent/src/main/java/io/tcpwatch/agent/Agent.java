package io.tcpwatch.agent;

import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.CaptureInterface;
import io.tcpwatch.capture.FrameHandler;
import io.tcpwatch.agent.capture.LiveCapture;
import io.tcpwatch.agent.capture.Pacer;
import io.tcpwatch.agent.kafka.SegmentPublisher;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.capture.parse.FrameParser;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.capture.parse.ParseCounters;
import io.tcpwatch.agent.stats.AgentStats;
import io.tcpwatch.schema.Segment;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The agent's pipeline, on one thread: frames (live or from files) → header parser → sink.
 *
 * <pre>
 *   libpcap / pcap, pcapng ──frames──▶ FrameParser ──segments──▶ SegmentSink (Kafka | JSON | discard)
 * </pre>
 */
public final class Agent implements FrameHandler {

    /** What a replay did; {@code exitCode} is {@link ExitCode#OK} unless a file was unreadable or damaged. */
    public record ReplayOutcome(int files, long frames, long bytes, List<String> problems, int exitCode) {}

    private final String observer;
    private final FrameParser parser;
    private final SegmentSink sink;
    private final Pacer pacer;

    private volatile boolean stopping;
    private volatile Runnable stopCurrent = () -> {};
    private volatile LiveCapture live;
    private volatile CaptureFileReader currentFile;
    private volatile long bytesOfFinishedFiles;
    private CaptureInterface lastIface;
    private String sinkFailure;

    /** @param pacer replay pacing, or null for live capture */
    public Agent(String observer, SegmentSink sink, Pacer pacer) {
        this(observer, sink, pacer, TunnelPorts.DEFAULTS);
    }

    /** The same, looking for UDP tunnels on {@code tunnelPorts}. */
    public Agent(String observer, SegmentSink sink, Pacer pacer, TunnelPorts tunnelPorts) {
        this.observer = observer;
        this.parser = new FrameParser(observer, tunnelPorts);
        this.sink = sink;
        this.pacer = pacer;
    }

    @Override
    public void onFrame(CaptureInterface iface, long tsNanos, byte[] buf, int off, int capLen, int origLen) {
        if (iface != lastIface) {
            parser.setInterface(iface.name());
            lastIface = iface;
        }
        if (pacer != null) {
            pacer.await(tsNanos);
        }
        Segment s = parser.parse(iface.linkType(), tsNanos, buf, off, capLen);
        if (s == null) {
            return;
        }
        try {
            sink.accept(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
        } catch (UncheckedIOException e) { // stdout closed, e.g. piped into head: stop quietly
            sinkFailure = e.getMessage();
            requestStop();
        }
    }

    @Override
    public void onIdle(long wallNanos) {
        try {
            sink.tick(wallNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop();
        }
    }

    /** Reads the files in order; unreadable or damaged files are reported, the rest still read. */
    public ReplayOutcome replay(List<Path> files, Consumer<String> say) {
        List<String> problems = new ArrayList<>();
        int exit = ExitCode.OK;
        int done = 0;
        for (Path f : files) {
            if (stopping) {
                break;
            }
            try (CaptureFileReader reader = CaptureFileReader.open(f)) {
                currentFile = reader;
                stopCurrent = reader::stop;
                if (stopping) {
                    reader.stop();
                }
                reader.read(this);
                done++;
                if (reader.framesWithoutTimestamp() > 0) {
                    say.accept(String.format("%s: %,d simple packet blocks carry no timestamp and were skipped.",
                            f.getFileName(), reader.framesWithoutTimestamp()));
                }
                if (reader.damage() != null) {
                    problems.add(reader.damage());
                    exit = exit == ExitCode.OK ? ExitCode.CAPTURE_FILE_DAMAGED : exit;
                }
                bytesOfFinishedFiles += reader.size();
                currentFile = null;
            } catch (CaptureFileException e) {
                problems.add(e.getMessage());
                exit = ExitCode.CAPTURE_FILE_UNREADABLE;
            }
        }
        return new ReplayOutcome(done, parser.counters().frames(), bytesOfFinishedFiles, problems, exit);
    }

    /** Captures live until {@link #requestStop()}. */
    public void capture(LiveCapture capture) throws TcpwatchException {
        this.live = capture;
        stopCurrent = capture::stop;
        if (stopping) {
            return;
        }
        capture.run(this);
    }

    /** Ends the capture or replay after the current frame; callable from any thread (signal handlers). */
    public void requestStop() {
        stopping = true;
        stopCurrent.run();
    }

    public boolean stopping() {
        return stopping;
    }

    /** Why the sink gave up (broken stdout), or null. */
    public String sinkFailure() {
        return sinkFailure;
    }

    public ParseCounters counters() {
        return parser.counters();
    }

    /** Bytes of capture files consumed so far, for progress. */
    public long bytesRead() {
        CaptureFileReader r = currentFile;
        return bytesOfFinishedFiles + (r == null ? 0 : r.position());
    }

    /** A snapshot of every counter; {@code publisher} is null when not sending to Kafka. */
    public AgentStats stats(String source, SegmentPublisher publisher) {
        ParseCounters c = parser.counters();
        LiveCapture l = live;
        LiveCapture.Stats ps = l == null ? null : l.stats();
        return new AgentStats(observer, Instant.now(), source, c.frames(),
                ps == null ? null : ps.received(), ps == null ? null : ps.dropped(), ps == null ? null : ps.ifDropped(),
                c.segments(), c.skippedByReason(), c.optionsIncomplete(),
                publisher == null ? 0 : publisher.queued() + sink.pending(),
                publisher == null ? 0 : publisher.sent(),
                publisher == null ? 0 : publisher.droppedQueueFull(),
                publisher == null ? 0 : publisher.sendErrors(),
                publisher == null ? 0 : publisher.unsentAtClose());
    }
}

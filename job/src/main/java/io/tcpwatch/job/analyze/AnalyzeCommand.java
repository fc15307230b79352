package io.tcpwatch.job.analyze;

import io.tcpwatch.capture.CaptureFileException;
import io.tcpwatch.capture.parse.TunnelPorts;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.ProgressBar;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.FleetStatsJson;
import io.tcpwatch.core.local.LocalPipeline;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.core.record.RecordJson;
import io.tcpwatch.job.fleet.FleetOptions;
import io.tcpwatch.job.tracker.TrackerOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tcpwatch analyze}: the job's logic on capture files ({@link LocalPipeline}: the same steps,
 * in one thread, without a cluster), streaming, with a report that answers "why are these connections
 * resetting?".
 */
@Command(name = "analyze",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Why are these connections resetting? Diagnose pcap/pcapng files.",
            "%nThe tcpwatch job's logic runs on the files in this process; the report gives the diagnosis, a"
                + " summary per server, and the detections with evidence and Wireshark filters."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done",
            "  2  usage error",
            "  5  a capture file is missing, unreadable or not pcap/pcapng",
            "  6  a capture file is damaged part-way (the readable part was analyzed)",
            "  12 the --html file cannot be written"})
public final class AnalyzeCommand implements Callable<Integer> {

    /** How far segments may come out of capture-time order, as in the job. */
    static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(2);

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "pcap or pcapng files (µs or ns), merged by time; - reads standard input.")
    List<Path> files;

    @Option(names = "--observer", paramLabel = "ID", defaultValue = "capture",
            description = "Name of the vantage point the files were captured at (default: ${DEFAULT-VALUE}).")
    String observer;

    @Option(names = "--json", description = "Print detection records as JSON lines instead of the report.")
    boolean json;

    @Option(names = "--connections", description = "Print connection records (Zeek conn.log fields) as JSON lines.")
    boolean connections;

    @Option(names = "--fleet-stats", description = "Print fleet statistics (per server and window) as JSON lines.")
    boolean fleetStats;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write the report as one self-contained web page: the diagnosis with the ladder diagram"
                    + " of each finding's packets, filters to copy, a timeline per server.")
    Path html;

    @Mixin
    TrackerOptions trackerOptions;

    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--tunnel-port", paramLabel = "KIND=PORT[,PORT]",
            description = "UDP ports of a tunnel to look into (repeatable; KIND: vxlan, geneve, gtpu, teredo, ayiya; "
                    + "an empty list turns one off). Defaults: vxlan=4789,8472 geneve=6081 gtpu=2152 teredo=3544 ayiya=5072.")
    List<String> tunnelPortSpecs;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    private boolean showProgress() {
        return !noProgress && System.console() != null;
    }

    @Override
    public Integer call() {
        PrintStream out = System.out;
        PrintStream err = System.err;
        TunnelPorts tunnelPorts;
        try {
            tunnelPorts = TunnelPorts.of(tunnelPortSpecs);
        } catch (IllegalArgumentException e) {
            err.println("tcpwatch analyze: --tunnel-port " + e.getMessage() + ".");
            return 2;
        }
        boolean lines = json || connections || fleetStats;
        AnalyzeReport report = new AnalyzeReport(html != null);
        List<LocalPipeline.Sink> sinks = new ArrayList<>();
        if (lines) {
            sinks.add(jsonLines(out));
        }
        if (!lines || html != null) {
            sinks.add(report);
        }
        Span span = new Span();
        LocalPipeline pipeline = new LocalPipeline(trackerOptions.config(), fleetOptions.config(), OUT_OF_ORDERNESS,
                true, new Counting(sinks, span)); // every input is read as one observer's
        List<String> damage;
        long frames;
        try (CaptureInputs in = CaptureInputs.open(files, observer, tunnelPorts);
             ProgressBar bar = showProgress() ? new ProgressBar(err, totalBytes(), in::position, in::frames) : null) {
            in.forEach(s -> {
                span.add(s.tsNanos);
                pipeline.accept(s);
            });
            pipeline.finish();
            damage = in.damage();
            frames = in.frames();
        } catch (CaptureFileException e) {
            err.println("tcpwatch analyze: " + e.getMessage() + ".");
            return 5;
        }
        String header = header(frames, report.connections(), span);
        AnalyzeReport.Diagnosis diagnosis = report.diagnosis();
        if (!lines) {
            out.print(report.render(header, diagnosis));
        }
        out.flush();
        if (html != null) {
            try {
                Files.writeString(html, HtmlReport.render(header, diagnosis, report.serverRows(), report.timelines()));
            } catch (IOException e) {
                String why = e instanceof NoSuchFileException ? "no such directory"
                        : e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
                err.println("tcpwatch analyze: cannot write the report to " + html + " (" + why + ").");
                return ExitCode.OUTPUT_UNWRITABLE;
            }
            err.println("tcpwatch analyze: the report is in " + html + ".");
        }
        if (span.late > 0) {
            err.printf("tcpwatch analyze: %,d segments came more than %d s out of capture-time order and were left out.%n",
                    span.late, OUT_OF_ORDERNESS.toSeconds());
        }
        for (String d : damage) {
            err.println("tcpwatch analyze: " + d + ".");
        }
        return damage.isEmpty() ? 0 : 6;
    }

    private String header(long frames, long records, Span span) {
        boolean none = span.first == Long.MAX_VALUE;
        return String.format("tcpwatch analyze: %d file%s, %,d packets, %,d connections, %s → %s (%.1f s), observer '%s'",
                files.size(), files.size() == 1 ? "" : "s", frames, records,
                none ? "-" : Instant.ofEpochSecond(0, span.first), none ? "-" : Instant.ofEpochSecond(0, span.last),
                none ? 0.0 : (span.last - span.first) / 1e9, observer);
    }

    private long totalBytes() {
        return files.stream().filter(f -> !f.toString().equals("-")).mapToLong(f -> f.toFile().length()).sum();
    }

    /** The records asked for, one JSON line each, as they are made. */
    private LocalPipeline.Sink jsonLines(PrintStream out) {
        return new LocalPipeline.Sink() {
            @Override
            public void detection(Detection d) {
                if (json) {
                    out.println(RecordJson.detection(d));
                }
            }

            @Override
            public void connection(ConnectionRecord r) {
                if (connections) {
                    out.println(RecordJson.connection(r));
                }
            }

            @Override
            public void fleetStats(FleetStats w) {
                if (fleetStats) {
                    out.println(FleetStatsJson.of(w));
                }
            }

            @Override
            public void late(LateSegment l) {
                // counted
            }
        };
    }

    /** The capture's first and last segment time, and the segments that came too late to be applied. */
    private static final class Span {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long late;

        void add(long tsNs) {
            first = Math.min(first, tsNs);
            last = Math.max(last, tsNs);
        }
    }

    /** Passes everything on to each of {@code sinks}, counting late segments. */
    private record Counting(List<LocalPipeline.Sink> sinks, Span span) implements LocalPipeline.Sink {
        @Override
        public void detection(Detection d) {
            sinks.forEach(s -> s.detection(d));
        }

        @Override
        public void connection(ConnectionRecord r) {
            sinks.forEach(s -> s.connection(r));
        }

        @Override
        public void fleetStats(FleetStats w) {
            sinks.forEach(s -> s.fleetStats(w));
        }

        @Override
        public void late(LateSegment l) {
            span.late++;
            sinks.forEach(s -> s.late(l));
        }
    }
}

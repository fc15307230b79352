package io.tcpwatch.job.analyze;

import io.tcpwatch.agent.capture.CaptureFileException;
import io.tcpwatch.agent.capture.CaptureFileReader;
import io.tcpwatch.agent.cli.ProgressBar;
import io.tcpwatch.agent.parse.TunnelPorts;
import io.tcpwatch.job.fleet.FleetConfig;
import io.tcpwatch.job.fleet.FleetOptions;
import io.tcpwatch.job.record.ConnectionRecord;
import io.tcpwatch.job.record.Detection;
import io.tcpwatch.job.record.RecordJson;
import io.tcpwatch.job.source.CaptureFileFormat;
import io.tcpwatch.job.tracker.TrackerConfig;
import io.tcpwatch.job.tracker.TrackerOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tcpwatch analyze}: the job graph on capture files, in a local Flink environment, with a
 * report that answers "why are these connections resetting?".
 */
@Command(name = "analyze",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Why are these connections resetting? Diagnose pcap/pcapng files.",
            "%nThe tcpwatch job runs on the files in a local Flink environment; the report gives the",
            "diagnosis, a summary per server, and the detections with evidence and Wireshark filters."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  done",
            "  2  usage error",
            "  5  a capture file is missing, unreadable or not pcap/pcapng",
            "  6  a capture file is damaged part-way (the readable part was analyzed)"})
public final class AnalyzeCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "pcap or pcapng files (µs or ns).")
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

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2",
            description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    private boolean showProgress() {
        return !noProgress && System.console() != null;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        // read every file once first: unreadable files stop here, damage is reported with the results
        List<String> damage = new ArrayList<>();
        long frames = 0;
        long firstNs = Long.MAX_VALUE;
        long lastNs = Long.MIN_VALUE;
        for (Path f : files) {
            long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
            try (CaptureFileReader r = CaptureFileReader.open(f)) {
                frames += r.read((iface, ts, buf, off, cap, orig) -> {
                    span[0] = Math.min(span[0], ts);
                    span[1] = Math.max(span[1], ts);
                });
                if (r.damage() != null) {
                    damage.add(r.damage());
                }
            } catch (CaptureFileException e) {
                err.println("tcpwatch analyze: " + e.getMessage() + ".");
                return 5;
            }
            firstNs = Math.min(firstNs, span[0]);
            lastNs = Math.max(lastNs, span[1]);
        }
        if (parallelism < 1) {
            err.println("tcpwatch analyze: --parallelism must be at least 1.");
            return 2;
        }
        TunnelPorts tunnelPorts;
        try {
            tunnelPorts = TunnelPorts.of(tunnelPortSpecs);
        } catch (IllegalArgumentException e) {
            err.println("tcpwatch analyze: --tunnel-port " + e.getMessage() + ".");
            return 2;
        }

        TrackerConfig config = trackerOptions.config();
        FleetConfig fleet = fleetOptions.config();
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        // Flink unpacks its RPC system (a 21 MB jar) into its temporary directory and leaves it there:
        // give it one of this run's own, removed when the run ends
        Path flinkTmp = Files.createTempDirectory("tcpwatch-analyze-");
        conf.set(CoreOptions.TMP_DIRS, flinkTmp.toString());
        long totalBytes = 0;
        for (Path f : files) {
            totalBytes += Files.size(f);
        }
        LocalAnalysis.Result result;
        try (ProgressBar bar = showProgress() ? new ProgressBar(err, totalBytes,
                CaptureFileFormat.LOCAL_BYTES_READ::get, CaptureFileFormat.LOCAL_FRAMES_READ::get) : null) {
            result = LocalAnalysis.run(StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf),
                    files, observer, config, fleet, tunnelPorts);
        } finally {
            FileUtils.deleteDirectory(flinkTmp.toFile());
        }
        List<Detection> detections = result.detections();
        List<ConnectionRecord> records = result.connections();

        if (json || connections || fleetStats) {
            if (json) {
                detections.forEach(d -> out.println(RecordJson.detection(d)));
            }
            if (connections) {
                records.forEach(r -> out.println(RecordJson.connection(r)));
            }
            if (fleetStats) {
                result.fleetStats().forEach(w -> out.println(RecordJson.fleetStats(w)));
            }
        } else {
            String header = String.format("tcpwatch analyze: %d file%s, %,d packets, %,d connections, %s → %s (%.1f s), observer '%s'",
                    files.size(), files.size() == 1 ? "" : "s", frames, records.size(),
                    frames == 0 ? "-" : Instant.ofEpochSecond(0, firstNs), frames == 0 ? "-" : Instant.ofEpochSecond(0, lastNs),
                    frames == 0 ? 0.0 : (lastNs - firstNs) / 1e9, observer);
            out.print(AnalyzeReport.render(header, detections, records, result.fleetStats()));
        }
        out.flush();
        for (String d : damage) {
            err.println("tcpwatch analyze: " + d + ".");
        }
        return damage.isEmpty() ? 0 : 6;
    }
}

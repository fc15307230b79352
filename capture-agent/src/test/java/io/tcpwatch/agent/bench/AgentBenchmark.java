package io.tcpwatch.agent.bench;

import io.tcpwatch.agent.testing.KafkaBroker;
import io.tcpwatch.agent.testing.SyntheticTraffic;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * The agent benchmark (see BENCHMARKS.md): one generated capture, measured side by side in one
 * run — tcpdump's raw read, pcap4j's loop, the agent's dry run (parse + encode), --print, and
 * publishing into a local broker (flow batches or one record per segment, zstd or lz4), with bytes per
 * segment on the broker's disk.
 *
 * <p>Usage: {@code AgentBenchmark <tcpwatch launcher> <work dir> [packets] [runs]}
 */
public final class AgentBenchmark {

    /** Agent settings compared into the broker: the default first, then one record per segment, other batch bounds, lz4. */
    private static final List<List<String>> KAFKA_VARIANTS = List.of(
            List.of("--compression", "zstd"),
            List.of("--compression", "zstd", "--batch-segments", "1"),
            List.of("--compression", "zstd", "--batch-segments", "16", "--batch-window", "100"),
            List.of("--compression", "zstd", "--batch-segments", "256", "--batch-window", "2000"),
            List.of("--compression", "lz4"),
            List.of("--compression", "lz4", "--batch-segments", "1"));

    private static final Pattern RATE = Pattern.compile("([\\d,]+) TCP segments in ([\\d.]+) s");

    public static void main(String[] args) throws Exception {
        Path launcher = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        long packets = args.length > 2 ? Long.parseLong(args[2]) : 2_000_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Files.createDirectories(work);
        Path pcap = work.resolve("synthetic-" + packets + ".pcap");
        if (!Files.exists(pcap)) {
            System.out.printf("generating %s …%n", pcap);
            SyntheticTraffic.write(pcap, packets, 2_000, 42);
        }
        long frames = countFrames(pcap);
        System.out.printf("capture: %s, %,d packets, %,d bytes%n%n", pcap.getFileName(), frames, Files.size(pcap));

        List<String[]> rows = new ArrayList<>();
        rows.add(row("tcpdump -r F -w /dev/null (libpcap raw read, reference)", frames,
                median(runs, () -> wall(List.of("tcpdump", "-r", pcap.toString(), "-w", "/dev/null")))));
        rows.add(row("pcap4j handle.loop over F (frames only, no parsing)", frames,
                median(runs, () -> pcap4jLoop(pcap))));
        rows.add(row("tcpwatch agent --dry-run (parse + encode, one core)", frames,
                median(runs, () -> agent(launcher, List.of("--read", pcap.toString(), "--dry-run")))));
        String f = pcap.toString();
        rows.add(row("tcpwatch agent --dry-run, the file 5× in one run (JIT warmed up, one core)", 5 * frames,
                median(runs, () -> agent(launcher, List.of("--read", f, f, f, f, f, "--dry-run")))));
        rows.add(row("tcpwatch agent --print > /dev/null (one core)", frames,
                median(runs, () -> agent(launcher, List.of("--read", pcap.toString(), "--print")))));

        try (KafkaBroker broker = new KafkaBroker(work.resolve("kafka-" + System.nanoTime()))) {
            int[] topics = {0};
            for (List<String> settings : KAFKA_VARIANTS) {
                List<Long> onDisk = new ArrayList<>();
                double secs = median(runs, () -> { // each run into a topic of its own
                    String topic = "bench-" + topics[0]++;
                    broker.createTopic(topic, 4);
                    List<String> agentArgs = new ArrayList<>(List.of("--read", pcap.toString(),
                            "--bootstrap", broker.bootstrap(), "--topic", topic));
                    agentArgs.addAll(settings);
                    double s = agent(launcher, agentArgs);
                    onDisk.add(topicBytes(work, topic));
                    return s;
                });
                Collections.sort(onDisk);
                String[] r = row("tcpwatch agent → local broker, `" + String.join(" ", settings) + "`", frames, secs);
                rows.add(new String[] {r[0], r[1], r[2],
                        String.format(Locale.ROOT, "%.1f", (double) onDisk.get(onDisk.size() / 2) / frames)});
            }
        }

        System.out.println("| what | seconds | packets/s | bytes/segment on Kafka |");
        System.out.println("|---|---:|---:|---:|");
        for (String[] r : rows) {
            System.out.printf("| %s | %s | %s | %s |%n", r[0], r[1], r[2], r.length > 3 ? r[3] : "");
        }
    }

    interface Measure {
        double seconds() throws Exception;
    }

    static double median(int runs, Measure m) throws Exception {
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            xs.add(m.seconds());
        }
        Collections.sort(xs);
        return xs.get(xs.size() / 2);
    }

    private static String[] row(String what, long frames, double seconds) {
        return new String[] {what, String.format(Locale.ROOT, "%.2f", seconds),
                String.format(Locale.ROOT, "%,.0f", frames / seconds)};
    }

    /** Wall time of a command, pinned to CPU 0. */
    static double wall(List<String> cmd) throws Exception {
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", "0"));
        pinned.addAll(cmd);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(pinned).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + " failed");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The agent pinned to CPU 0; its own timer (capture to last segment handed over), not JVM start-up. */
    static double agent(Path launcher, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", "0", launcher.toString(), "agent"));
        cmd.addAll(args);
        cmd.add("--no-progress");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("agent failed: " + err);
        }
        Matcher m = RATE.matcher(err);
        if (!m.find()) {
            throw new IllegalStateException("no summary in: " + err);
        }
        return Double.parseDouble(m.group(2));
    }

    private static double pcap4jLoop(Path pcap) throws Exception {
        long t0 = System.nanoTime();
        long[] n = {0};
        try (PcapHandle h = Pcaps.openOffline(pcap.toString(), PcapHandle.TimestampPrecision.NANO)) {
            RawPacketListener l = b -> n[0] += b.length;
            try {
                h.loop(-1, l);
            } catch (Exception e) {
                if (!(e instanceof EOFException)) {
                    throw e;
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static long countFrames(Path pcap) throws Exception {
        try (io.tcpwatch.capture.CaptureFileReader r = io.tcpwatch.capture.CaptureFileReader.open(pcap)) {
            return r.read((iface, ts, buf, off, cap, orig) -> { });
        }
    }

    private static long topicBytes(Path work, String topic) throws IOException {
        try (Stream<Path> files = Files.walk(work)) {
            return files.filter(f -> f.getParent() != null && f.getParent().getFileName().toString().startsWith(topic + "-")
                            && f.getFileName().toString().endsWith(".log"))
                    .mapToLong(f -> {
                        try {
                            return Files.size(f);
                        } catch (IOException e) {
                            return 0;
                        }
                    }).sum();
        }
    }
}

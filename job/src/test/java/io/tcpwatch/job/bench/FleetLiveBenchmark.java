package io.tcpwatch.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.agent.testing.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A fleet on one machine, live (see BENCHMARKS.md): a local KRaft broker; the job as {@code tcpwatch
 * job} in its own JVM (parallelism 1, heap state, checkpoints every {@code checkpoint} seconds,
 * exactly-once sinks); a simulated fleet published by {@code tcpwatch simulate --speed realtime} in
 * another JVM (capture times are the wall clock, segments in flow batches as agents send them).
 * Measured here: the job's lag on the segments topic (its committed offsets, so in steps of
 * checkpoints), its resident memory, and for every detection a reader sees committed (read
 * committed) the time from the capture time it reports (its end) to the moment it is read, by type:
 * an RST's detection can be made at its segment, a half-open connection's only when its handshake
 * has timed out, a fleet episode's when its window has closed.
 *
 * <p>Usage: {@code FleetLiveBenchmark <tcpwatch.jar> <work dir> <servers> <seconds> <connections/s per server> <checkpoint s>}
 * (at least 11 servers and 40 seconds: one of each fleet incident is injected).
 */
public final class FleetLiveBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEGMENTS = "tcp.segments";
    private static final int SEGMENTS_PARTITIONS = 4;
    /** One of each kind, spread over the run (their seconds are filled in). */
    private static final String[] INCIDENTS = {"rst-storm@%d:1", "syn-flood@%d:2", "backlog@%d:3", "connection-limit@%d:4",
        "port-exhaustion@%d:10"};

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int servers = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        String rate = args[4];
        int checkpointS = Integer.parseInt(args[5]);
        Files.createDirectories(work);
        try (KafkaBroker broker = new KafkaBroker(work.resolve("kafka-" + System.nanoTime()))) {
            broker.createTopic(SEGMENTS, SEGMENTS_PARTITIONS);
            for (String t : List.of("tcp.detections", "tcp.connections", "tcp.fleet-stats", "tcp.segments.dlq",
                    "tcp.segments.late", "tcp.agent-stats")) {
                broker.createTopic(t, 1);
            }
            Process job = java(jar, work.resolve("job.log"), "-Xmx2g", "job", "-b", broker.bootstrap(), "--parallelism", "1",
                    "--checkpoint-interval", String.valueOf(checkpointS), "--start", "earliest", "--deployment", "bench");
            Latencies latencies = new Latencies(broker.bootstrap());
            Thread reader = new Thread(latencies, "detections reader");
            reader.start();
            Thread.sleep(10_000); // the job starts; its source is at the topic's start
            List<String> simulate = new ArrayList<>(List.of("simulate", "-b", broker.bootstrap(), "--servers",
                    String.valueOf(servers), "--rate", rate, "--seconds", String.valueOf(seconds), "--speed", "realtime"));
            for (int i = 0; i < INCIDENTS.length; i++) {
                simulate.add("--incident");
                simulate.add(String.format(Locale.ROOT, INCIDENTS[i], 10 + i * (seconds - 30) / INCIDENTS.length));
            }
            long startMs = System.currentTimeMillis();
            Process fleet = java(jar, work.resolve("simulate.log"), "-Xmx1g", simulate.toArray(String[]::new));
            List<long[]> samples = new ArrayList<>(); // seconds since start, lag (records), job RSS KB
            long segmentsBytes;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
                long caughtUpAt = 0;
                while (System.currentTimeMillis() - startMs < (seconds + 180) * 1000L) {
                    Thread.sleep(2_000);
                    long lag = lag(admin);
                    samples.add(new long[] {(System.currentTimeMillis() - startMs) / 1000, lag, rssKb(job.pid(), "VmRSS")});
                    if (!job.isAlive()) {
                        throw new IllegalStateException("the job stopped; see " + work.resolve("job.log"));
                    }
                    if (!fleet.isAlive() && lag == 0 && caughtUpAt == 0) {
                        caughtUpAt = System.currentTimeMillis();
                    }
                    if (caughtUpAt != 0 && System.currentTimeMillis() - caughtUpAt > 3L * checkpointS * 1000) {
                        break; // the last detections have had three checkpoints to commit
                    }
                }
                segmentsBytes = topicBytes(admin, SEGMENTS);
            }
            long peakRssKb = rssKb(job.pid(), "VmHWM");
            job.destroy();
            job.waitFor(30, TimeUnit.SECONDS);
            fleet.waitFor(10, TimeUnit.SECONDS);
            latencies.stop();
            if (fleet.exitValue() != 0) {
                throw new IllegalStateException("the simulator failed: " + String.join(" ",
                        Files.readAllLines(work.resolve("simulate.log"))));
            }
            reader.join();
            report(servers, seconds, rate, checkpointS, samples, peakRssKb, segmentsBytes, latencies, work);
        }
    }

    private static void report(int servers, int seconds, String rate, int checkpointS, List<long[]> samples,
                               long peakRssKb, long segmentsBytes, Latencies l, Path work) throws IOException {
        String published = Files.readAllLines(work.resolve("simulate.log")).stream()
                .filter(s -> s.contains("segments")).reduce((a, b) -> b).orElse("?");
        long maxLag = samples.stream().mapToLong(s -> s[1]).max().orElse(-1);
        long maxLagDuring = samples.stream().filter(s -> s[0] <= seconds).mapToLong(s -> s[1]).max().orElse(-1);
        System.out.printf(Locale.ROOT, "fleet: %d servers, %s new connections/s each, %d s in real time; checkpoints every %d s%n",
                servers, rate, seconds, checkpointS);
        System.out.println("simulator: " + published);
        System.out.printf(Locale.ROOT, "tcp.segments on the broker's disk: %,d bytes (%,.0f bytes/s over the %d s)%n",
                segmentsBytes, segmentsBytes / (double) seconds, seconds);
        System.out.printf(Locale.ROOT, "job lag on tcp.segments (records, committed offsets): at most %,d while the fleet"
                + " published, %,d overall; job resident memory: peak %,d MB%n", maxLagDuring, maxLag, peakRssKb / 1024);
        System.out.println("| detection type | committed | p50 s | p99 s | max s |");
        System.out.println("|---|---:|---:|---:|---:|");
        new TreeMap<>(l.byType).forEach(FleetLiveBenchmark::row);
        System.out.println();
        System.out.println("| s | lag (records) | job RSS MB |");
        System.out.println("|---:|---:|---:|");
        for (int i = 0; i < samples.size(); i += 5) {
            long[] s = samples.get(i);
            System.out.printf(Locale.ROOT, "| %d | %,d | %,d |%n", s[0], s[1], s[2] / 1024);
        }
    }

    private static void row(String what, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            System.out.printf(Locale.ROOT, "| %s | 0 | | | |%n", what);
            return;
        }
        System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f |%n", what, sorted.size(), q(sorted, 0.5) / 1e3,
                q(sorted, 0.99) / 1e3, sorted.get(sorted.size() - 1) / 1e3);
    }

    private static long q(List<Long> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /** tcpwatch in a JVM of its own, its output to {@code log}. */
    private static Process java(Path jar, Path log, String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap));
        String extra = System.getProperty("tcpwatch.bench.jvm", "");
        if (!extra.isBlank()) { // e.g. a log configuration of one's own
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Records of tcp.segments not yet committed by the job's group. */
    private static long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("bench")
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        for (int p = 0; p < SEGMENTS_PARTITIONS; p++) {
            ends.put(new TopicPartition(SEGMENTS, p), OffsetSpec.latest());
        }
        long lag = 0;
        for (var e : admin.listOffsets(ends).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    /** What the broker stores of {@code topic}, all partitions: the log segments' bytes. */
    private static long topicBytes(Admin admin, String topic) throws Exception {
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
        long bytes = 0;
        for (var dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (var dir : dirs.values()) {
                for (var replica : dir.replicaInfos().entrySet()) {
                    bytes += replica.getKey().topic().equals(topic) ? replica.getValue().size() : 0;
                }
            }
        }
        return bytes;
    }

    private static long rssKb(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** Reads tcp.detections as committed; per detection, the wall time from its end to now. */
    static final class Latencies implements Runnable {
        /** By type (fleet episodes by type and status): ms from the detection's end to when it was read. */
        final Map<String, List<Long>> byType = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Properties props = new Properties();

        Latencies(String bootstrap) {
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        }

        void stop() {
            running.set(false);
        }

        @Override
        public void run() {
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(props)) {
                c.subscribe(List.of("tcp.detections"));
                while (running.get()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        long now = System.currentTimeMillis();
                        JsonNode d = JSON.readTree(r.value());
                        long endMs = Instant.parse(d.path("end").asText()).toEpochMilli();
                        String type = d.path("type").asText() + (d.has("status") ? " " + d.path("status").asText() : "");
                        byType.computeIfAbsent(type, t -> Collections.synchronizedList(new ArrayList<>())).add(now - endMs);
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}

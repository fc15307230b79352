package io.tcpwatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.KafkaClientOptions;
import io.tcpwatch.common.Signals;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.EpisodeStatus;
import io.tcpwatch.core.record.Severity;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcpwatch detections}: the detections on the topic, from a point in time (seeking each
 * partition by record timestamp — the detection's event time — never scanning from the
 * beginning), filtered, as a table or JSON lines; {@code --follow} keeps reading.
 */
@Command(name = "detections",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Query the detections on the topic: a readable table, or JSON lines.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done (also when there are no detections)", "  2  usage error", "  7  the Kafka cluster is unreachable",
            "  11 Kafka refused the credentials or TLS handshake"})
public final class DetectionsCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", required = true, description = "The Kafka cluster.")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "tcp.detections", description = "Default: ${DEFAULT-VALUE}.")
    String topic;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only this type (e.g. RST, CONNECTION_LIMIT).")
    DetectionType type;

    @Option(names = "--severity", paramLabel = "LEVEL", description = "Only this severity or worse: ${COMPLETION-CANDIDATES}.")
    Severity severity;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "Only fleet episodes in this status: ${COMPLETION-CANDIDATES} (per-connection detections have none).")
    EpisodeStatus status;

    @Option(names = "--server", paramLabel = "IP:PORT", description = "Only this server endpoint (or a part of it).")
    String server;

    @Option(names = "--client", paramLabel = "IP", description = "Only this client (address or endpoint).")
    String client;

    static final class Range {
        @Option(names = "--since", paramLabel = "AGO", description = "From this long ago: 30s, 15m, 2h, 1d (default: 1h).")
        String since;

        @Option(names = "--from", paramLabel = "TIME", description = "From this instant (ISO-8601, e.g. 2026-11-22T03:00:00Z).")
        String from;
    }

    @ArgGroup(exclusive = true)
    Range range;

    @Option(names = "--to", paramLabel = "TIME", description = "Up to this instant (ISO-8601).")
    String to;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new detections until Ctrl-C.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object per line, as on the topic.")
    boolean json;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        Instant fromTime;
        Instant toTime;
        try {
            fromTime = range != null && range.from != null ? instant("--from", range.from)
                    : Instant.now().minus(Durations.parse(range != null && range.since != null ? range.since : "1h"));
            toTime = to == null ? null : instant("--to", to);
        } catch (IllegalArgumentException e) {
            err.println("tcpwatch detections: " + e.getMessage() + ".");
            return ExitCode.USAGE;
        }
        try {
            kafka.awaitBroker(bootstrap, "tcpwatch-detections", msg -> err.println("tcpwatch detections: " + msg));
        } catch (TcpwatchException e) {
            err.println("tcpwatch detections: " + e.getMessage());
            return e.exitCode();
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("client.id", "tcpwatch-detections");
        p.putAll(kafka.properties());
        ObjectMapper mapper = new ObjectMapper();
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            if (follow) {
                Signals.onTerminate(consumer::wakeup);
            }
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            if (parts.isEmpty()) {
                err.println("tcpwatch detections: the topic " + topic + " does not exist.");
                return ExitCode.USAGE;
            }
            consumer.assign(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            Map<TopicPartition, Long> at = new HashMap<>();
            parts.forEach(tp -> at.put(tp, fromTime.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(at);
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = start.get(tp);
                consumer.seek(tp, o == null ? end.get(tp) : o.offset()); // written since: what happened since, and more
            }
            if (!json) {
                out.printf("%-23s  %-34s  %-8s  %-8s  %-24s  %-22s  %s%n", "time", "type", "status", "severity", "server",
                        "client", "explanation");
            }
            try {
                while (follow || parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        JsonNode d = parse(mapper, r.value());
                        if (d == null || !wanted(d, fromTime, toTime)) {
                            continue;
                        }
                        printed++;
                        out.println(json ? d.toString() : row(d));
                    }
                    out.flush();
                }
            } catch (WakeupException e) {
                // Ctrl-C while following
            }
        }
        if (printed == 0 && !json) {
            out.println("no detections");
        }
        return ExitCode.OK;
    }

    private static JsonNode parse(ObjectMapper mapper, byte[] value) {
        try {
            JsonNode n = value == null ? null : mapper.readTree(value);
            return n != null && n.isObject() && n.has("type") ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The filters, and the detection's own time: records are stamped when written, which may be long after. */
    private boolean wanted(JsonNode d, Instant fromTime, Instant toTime) {
        if (type != null && !type.name().equals(d.path("type").asText())) {
            return false;
        }
        if (severity != null && Severity.rank(d.path("severity").asText()) < severity.rank()) {
            return false;
        }
        if (status != null && !status.name().equals(d.path("status").asText())) {
            return false;
        }
        if (server != null && !d.path("server").asText().contains(server)) {
            return false;
        }
        if (client != null && !(d.path("client").asText().equals(client) || d.path("client").asText().startsWith(client + ":")
                || d.path("client").asText().startsWith("[" + client + "]:"))) {
            return false;
        }
        try {
            Instant start = Instant.parse(d.path("start").asText());
            return !start.isBefore(fromTime) && (toTime == null || !start.isAfter(toTime));
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    private static String row(JsonNode d) {
        String t = d.path("type").asText() + (d.has("cause") ? " / " + d.path("cause").asText() : "");
        return String.format("%-23s  %-34s  %-8s  %-8s  %-24s  %-22s  %s", d.path("start").asText().replace('T', ' ').replace("Z", ""),
                t, d.path("status").asText("-"), d.path("severity").asText(), d.path("server").asText(),
                d.path("client").asText("-"), d.path("explanation").asText());
    }

    private static Instant instant(String option, String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " must be an ISO-8601 instant such as 2026-11-22T03:00:00Z, not '" + value + "'");
        }
    }
}

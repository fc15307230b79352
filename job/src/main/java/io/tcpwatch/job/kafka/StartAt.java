package io.tcpwatch.job.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Where a job that starts without a checkpoint or savepoint begins reading the segments topic:
 * {@code latest} (what agents publish from now on), {@code earliest} (everything retained), or an
 * instant. With {@code latest} and {@code earliest}, a consumer group's committed offsets win; an
 * instant always starts there. A restore from a checkpoint or savepoint ignores all three.
 */
public record StartAt(String spec, Instant instant) {

    public static final StartAt LATEST = new StartAt("latest", null);
    public static final StartAt EARLIEST = new StartAt("earliest", null);

    /** {@code latest}, {@code earliest} or an ISO-8601 instant; anything else is one sentence. */
    public static StartAt parse(String s) {
        switch (s) {
            case "latest":
                return LATEST;
            case "earliest":
                return EARLIEST;
            default:
                try {
                    return new StartAt(s, Instant.parse(s));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("--start takes latest, earliest or an ISO-8601 instant"
                            + " (e.g. 2026-11-22T03:00:00Z), not '" + s + "'.");
                }
        }
    }

    OffsetsInitializer offsets() {
        if (instant != null) {
            return OffsetsInitializer.timestamp(instant.toEpochMilli());
        }
        return OffsetsInitializer.committedOffsets(spec.equals("earliest")
                ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST);
    }
}

package io.tcpwatch.core.record;

/**
 * A record of {@code tcp.segments} that is not a segment, kept for inspection on the dead-letter
 * topic: where it was, why it was refused (a {@link io.tcpwatch.schema.RecordFormatException.Reason}
 * name), and its first bytes.
 */
public class DeadLetter {
    public String topic;
    public int partition;
    public long offset;
    public long timestampMs;
    public String reason;
    public String detail;
    public int valueLength;
    /** The first 256 bytes, base64. */
    public String valueHead;

    public DeadLetter() {}
}

package io.tcpwatch.job.time;

/**
 * How far one observer's clock runs ahead of the others' ({@code aheadMs}: the least lead of its
 * segments over those of other observers that arrived just before them), measured up to event time
 * {@code atMs}. About 0 or less for an agent whose clock agrees with the others, about 30,000 for
 * one 30 s ahead. A Flink POJO.
 */
public class ClockOffset {
    public String observer;
    public long aheadMs;
    public long atMs;

    public ClockOffset() {}

    public ClockOffset(String observer, long aheadMs, long atMs) {
        this.observer = observer;
        this.aheadMs = aheadMs;
        this.atMs = atMs;
    }
}

package io.tcpwatch.job.time;

/**
 * How far one observer's clock runs ahead of the other observers' ({@code aheadMs}: its newest
 * capture time's lead over the median observer's, both measured against the job's event time),
 * when event time was {@code atMs}. About 0 for an agent whose clock agrees with the others, about
 * 30,000 for one 30 s ahead. A Flink POJO.
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

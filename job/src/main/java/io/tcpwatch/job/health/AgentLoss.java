package io.tcpwatch.job.health;

/** An interval in which an agent lost packets: what it saw and what it lost, between two of its reports. */
public class AgentLoss {
    public String observer;
    public long fromMs;
    public long toMs;
    public long seen;
    public long lost;

    public AgentLoss() {}

    public AgentLoss(String observer, long fromMs, long toMs, long seen, long lost) {
        this.observer = observer;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.seen = seen;
        this.lost = lost;
    }
}

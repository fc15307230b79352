package io.tcpwatch.job.health;

/**
 * One record of {@code tcp.agent-stats}: an agent's cumulative counters at a moment (its clock).
 * {@code lost} adds up everything the agent could not deliver: frames the kernel dropped
 * (libpcap's ps_drop and ps_ifdrop), segments dropped on a full queue, and send errors.
 */
public class AgentReport {
    public String observer;
    public long tsMs;
    public long packetsSeen;
    public long lost;

    public AgentReport() {}

    public AgentReport(String observer, long tsMs, long packetsSeen, long lost) {
        this.observer = observer;
        this.tsMs = tsMs;
        this.packetsSeen = packetsSeen;
        this.lost = lost;
    }
}

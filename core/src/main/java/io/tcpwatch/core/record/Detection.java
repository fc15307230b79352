package io.tcpwatch.core.record;

import java.util.List;

/**
 * One detection on {@code tcp.detections}: what was found, why, and the evidence a person can
 * check in Wireshark. {@code id} is stable (the same finding always gets the same id) so consumers
 * can drop duplicates; {@code evidenceJson} is a JSON object rendered by {@link Evidence}. A finding on
 * one connection carries the headers of the segments that make its case ({@code packets}).
 */
public class Detection {
    public String id;
    public String type;
    /** Fleet detections only: OPEN, UPDATE or RESOLVED, under the same id. */
    public String status;
    public String severity;
    /** The vantage point; for fleet detections, all that contributed, comma-separated. */
    public String observer;
    public String server;
    public String client;
    public long startNs;
    public long endNs;
    public String explanation;
    /** RST detections only. */
    public String cause;
    public String origin;
    public double confidence = 1.0;
    public String evidenceJson = "{}";
    /** Per-connection detections: the telling segments' headers in capture order, at most 20; null otherwise. */
    public List<SegmentHeader> packets;

    public Detection() {}

    @Override
    public String toString() {
        return type + (cause == null ? "" : "/" + cause) + (status == null ? "" : " " + status) + " " + client + " → "
                + server + ": " + explanation;
    }
}

package io.tcpwatch.core.episode;

/** An open fleet detection: one id from OPEN through UPDATEs to RESOLVED. */
public class Episode {
    public String id;
    public String type;
    public String server;
    public String client;
    public String observers;
    public long startNs;
    /** End of the last window in which the rule fired. */
    public long lastFiringEndNs;
    /** Windows in which the rule fired. */
    public int windows;
    /** Magnitude and severity last published (OPEN or UPDATE). */
    public double reportedMagnitude;
    public String reportedSeverity;
    /** The worst window so far, for the RESOLVED record. */
    public double peakMagnitude;
    public String peakExplanation;
    public String peakEvidenceJson;

    public Episode() {}
}

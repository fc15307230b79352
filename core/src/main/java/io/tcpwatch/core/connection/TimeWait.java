package io.tcpwatch.core.connection;

/**
 * What remains of a closed incarnation while its active closer holds TIME_WAIT: enough to recognise
 * a new SYN on the same 4-tuple as a reuse (and a collision), and nothing more (≤ 64 bytes).
 */
public class TimeWait {
    public long closedNs;
    public long expiresNs;
    /** True when the old originator's address/port is the lower endpoint of the key. */
    public boolean origIsLow;
    /** True when the responder (the server) closed first and holds TIME_WAIT. */
    public boolean responderHolds;
    /** Segment headers the closed incarnation left in the tracker's packets list, for a SYN into this TIME_WAIT. */
    public int excerpt;

    public TimeWait() {}
}

package io.tcpwatch.core.state;

/**
 * Event time as a keyed step sees it, in milliseconds: how far the input is complete (the
 * watermark), and deadlines at which the step wants to be called again for the current key (one
 * call per key and instant however often it is asked for).
 */
public interface Timers {

    long watermark();

    void schedule(long atMs);

    void cancel(long atMs);
}

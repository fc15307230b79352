package io.tcpwatch.capture;

/** Receives captured frames. The buffer is reused: read it before returning. */
@FunctionalInterface
public interface FrameHandler {

    /**
     * @param iface where the frame was captured (same instance for every frame of an interface)
     * @param tsNanos capture timestamp, ns since the epoch
     * @param buf buffer holding the frame's captured bytes at {@code [off, off + capLen)}
     * @param origLen the frame's length on the wire
     */
    void onFrame(CaptureInterface iface, long tsNanos, byte[] buf, int off, int capLen, int origLen);

    /** A live capture between reads (at least once per read timeout): the wall clock, ns since the epoch. */
    default void onIdle(long wallNanos) {}
}

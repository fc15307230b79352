package io.tcpwatch.core.connection;

import io.tcpwatch.core.record.StackFamily;
import java.io.Serializable;
import java.time.Duration;

/** The tracker's thresholds (defaults below), all in event time. */
public final class TrackerConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long the active closer holds TIME_WAIT when it looks Linux-like (initial TTL 64): fixed 60 s. */
    public Duration timeWait = Duration.ofSeconds(60);
    /**
     * TIME_WAIT of Windows-like peers (initial TTL 128; {@code TcpTimedWaitDelay} is 120 s or 240 s
     * depending on the version).
     */
    public Duration timeWaitWindows = Duration.ofSeconds(120);
    /** A SYN not answered, or a SYN/ACK not completed, after this long is half-open. */
    public Duration handshakeTimeout = Duration.ofSeconds(20);
    /** An established connection with no segment for this long is expired (record with S1/OTH). */
    public Duration idleExpiry = Duration.ofMinutes(5);
    /**
     * Once the close is complete (a RST, both FINs acknowledged, or a FIN to a peer never heard), the incarnation
     * ends this long after (Zeek's {@code tcp_close_delay}); segments until then still belong to it
     * (data after RST, a second RST), later ones open a new record.
     */
    public Duration closeLinger = Duration.ofSeconds(5);
    /**
     * An originator that sent its SYN and then ACKs or data while nothing of the responder was ever
     * seen (a capture of one direction only) has its record closed this long after the SYN, as Zeek's
     * {@code tcp_attempt_delay} does; what follows opens a new, partial record.
     */
    public Duration oneSidedAttempt = Duration.ofSeconds(5);
    /**
     * A handshake's outcome is told to the fleet stage once: when it completes, when it is reset, or
     * this long after its SYN if neither happened. By then a Linux client has retransmitted an
     * unanswered SYN twice (after 1 s and 3 s), a Windows client once (3 s); flood tools never do.
     */
    public Duration handshakeVerdict = Duration.ofMillis(3_500);
    /**
     * A server that keeps state for a handshake sends its SYN/ACK again when no ACK came within its
     * first retransmission timeout: Linux-like servers (initial TTL 64) after 1 s …
     */
    public Duration synAckRto = Duration.ofSeconds(1);
    /** … Windows-like servers (initial TTL 128) after 3 s. A SYN/ACK not sent again by then is a SYN cookie. */
    public Duration synAckRtoWindows = Duration.ofSeconds(3);
    /** A responder RST this soon after the handshake, before any responder data, is a rejection. */
    public Duration rejectWindow = Duration.ofSeconds(1);
    /** An RST after at least this much silence is an idle timeout. */
    public Duration idleRstGap = Duration.ofSeconds(5);
    /** A reply within this time of the segment it answers comes from the peer's TCP stack. */
    public Duration stackReply = Duration.ofMillis(2);
    /** A request the server's stack acknowledged and the application left unanswered this long is reported. */
    public Duration unansweredRequest = Duration.ofSeconds(10);
    /** A zero window open at least this long is a stall. */
    public Duration zeroWindowStall = Duration.ofMillis(200);

    /** The TIME_WAIT of a peer whose packets arrive with {@code observedTtl} ({@link StackFamily}). */
    public Duration timeWaitFor(int observedTtl) {
        return StackFamily.ofObservedTtl(observedTtl) == StackFamily.WINDOWS_LIKE ? timeWaitWindows : timeWait;
    }

    /** The first SYN/ACK retransmission timeout of a server whose packets arrive with {@code observedTtl}. */
    public Duration synAckRtoFor(int observedTtl) {
        return StackFamily.ofObservedTtl(observedTtl) == StackFamily.WINDOWS_LIKE ? synAckRtoWindows : synAckRto;
    }

    /**
     * How long the fleet stage holds an event beyond the watermark: a rejection is known the reject
     * window after the handshake, and a handshake's verdict comes the verdict delay after the SYN whose
     * time it carries.
     */
    public Duration fleetDelay() {
        return rejectWindow.plus(handshakeVerdict);
    }

    public static TrackerConfig defaults() {
        return new TrackerConfig();
    }
}

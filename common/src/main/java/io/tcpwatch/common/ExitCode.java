package io.tcpwatch.common;

/**
 * Exit codes of {@code tcpwatch agent}: one per failure a user can meet, so scripts can tell them
 * apart. 2 is picocli's usage error.
 */
public final class ExitCode {
    public static final int OK = 0;
    /** A defect: something that should never happen (reported with a stack trace). */
    public static final int INTERNAL_ERROR = 1;
    public static final int USAGE = 2;
    public static final int NO_SUCH_INTERFACE = 3;
    public static final int NO_CAPTURE_PERMISSION = 4;
    /** Missing, unreadable, or not a pcap/pcapng file: nothing was read. */
    public static final int CAPTURE_FILE_UNREADABLE = 5;
    /** Truncated or corrupt part-way: what was readable was processed, then this. */
    public static final int CAPTURE_FILE_DAMAGED = 6;
    public static final int BROKER_UNREACHABLE = 7;
    public static final int BAD_FILTER = 8;
    /** libpcap failed while capturing. */
    public static final int CAPTURE_FAILED = 9;
    /** 10 is the dashboard's and the demo's "address in use". */
    /** Kafka answered but refused the credentials (SASL) or the TLS handshake. */
    public static final int BROKER_AUTH_FAILED = 11;
    /** A file the command was asked to write (a report) cannot be written. */
    public static final int OUTPUT_UNWRITABLE = 12;

    private ExitCode() {}
}

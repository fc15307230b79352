package io.tcpwatch.common;

/** An expected failure: one sentence for the user and the {@link ExitCode} to leave with. */
public final class TcpwatchException extends Exception {
    private final int exitCode;

    public TcpwatchException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

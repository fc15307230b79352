package io.tcpwatch.capture;

/** A capture file that cannot be read at all: missing, unreadable, or not pcap/pcapng. */
public final class CaptureFileException extends Exception {
    public CaptureFileException(String message) {
        super(message, null, false, false);
    }
}

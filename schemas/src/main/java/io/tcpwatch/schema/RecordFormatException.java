package io.tcpwatch.schema;

/** A record on the wire that is not a segment this schema can read; {@link #reason()} says why. */
public final class RecordFormatException extends Exception {

    /** Why a record was refused; the names are stable (counters and dead letters use them). */
    public enum Reason {
        /** Does not start with the Avro single-object marker 0xC3 0x01. */
        BAD_MAGIC,
        /** Single-object encoded, but with another schema's fingerprint. */
        UNKNOWN_FINGERPRINT,
        /** Ends before the record does. */
        TRUNCATED,
        /** A field holds a value the schema does not allow (bad union index, negative length …). */
        BAD_VALUE
    }

    private final Reason reason;

    public RecordFormatException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

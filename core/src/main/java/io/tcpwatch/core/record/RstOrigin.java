package io.tcpwatch.core.record;

/** Who sent an RST — an {@code RST} detection's {@code origin}. */
public enum RstOrigin {
    /** The peer's TCP stack, answering a segment within the stack-reply time. */
    ENDPOINT_STACK,
    /** The application: after a delay, with nothing to answer. */
    ENDPOINT_APP,
    /** Something in between: the RST's TTL differs from the sender's other packets. */
    MIDDLEBOX_SUSPECT
}

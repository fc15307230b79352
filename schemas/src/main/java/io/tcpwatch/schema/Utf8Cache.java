package io.tcpwatch.schema;

import java.nio.charset.StandardCharsets;

/** The UTF-8 bytes of the last string asked for, kept while the same instance comes again (an observer, an interface). */
final class Utf8Cache {

    private String last;
    private byte[] lastBytes;

    /** The UTF-8 bytes of {@code s}; null for null. */
    byte[] of(String s) {
        if (s != last) {
            last = s;
            lastBytes = s == null ? null : s.getBytes(StandardCharsets.UTF_8);
        }
        return lastBytes;
    }
}

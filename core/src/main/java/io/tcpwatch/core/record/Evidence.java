package io.tcpwatch.core.record;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/** Builds a detection's evidence: a flat JSON object of counts, times, sequence numbers, a display filter. */
public final class Evidence {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final StringWriter out = new StringWriter(256);
    private final JsonGenerator json;

    public Evidence() {
        try {
            json = JSON.createGenerator(out);
            json.writeStartObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Evidence put(String name, long value) {
        try {
            json.writeNumberField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Evidence put(String name, double value) {
        try {
            json.writeNumberField(name, Math.round(value * 1000) / 1000.0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Evidence put(String name, String value) {
        try {
            json.writeStringField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Evidence put(String name, boolean value) {
        try {
            json.writeBooleanField(name, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A capture time, as ISO-8601 with nanoseconds (the record keeps what the agent measured). */
    public Evidence time(String name, long tsNanos) {
        return put(name, Instant.ofEpochSecond(0, tsNanos).toString());
    }

    public String toJson() {
        try {
            json.writeEndObject();
            json.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}

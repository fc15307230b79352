package io.tcpwatch.schema;

import java.io.IOException;
import java.io.InputStream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/** The segment records' Avro schemas ({@code segment.avsc}, {@code segment-batch.avsc}) and their single-object header. */
public final class SegmentSchema {

    /** The parsed schema, as agents write it. */
    public static final Schema SCHEMA = load("segment.avsc");

    /** CRC-64-AVRO fingerprint of the schema's parsing canonical form, as readers check it. */
    public static final long FINGERPRINT = SchemaNormalization.parsingFingerprint64(SCHEMA);

    /** The first version (no {@code tunnel}), which readers still accept from older agents. */
    public static final Schema SCHEMA_V1 = load("segment-v1.avsc");

    public static final long FINGERPRINT_V1 = SchemaNormalization.parsingFingerprint64(SCHEMA_V1);

    /** Several segments of one flow in one record ({@code segment-batch.avsc}), beside the single segment. */
    public static final Schema BATCH_SCHEMA = load("segment-batch.avsc");

    public static final long BATCH_FINGERPRINT = SchemaNormalization.parsingFingerprint64(BATCH_SCHEMA);

    /** Avro single-object encoding marker. */
    static final byte MAGIC_0 = (byte) 0xC3;
    static final byte MAGIC_1 = (byte) 0x01;
    /** Marker plus 8-byte fingerprint. */
    public static final int HEADER_LENGTH = 10;

    private SegmentSchema() {}

    private static Schema load(String resource) {
        try (InputStream in = SegmentSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the classpath");
            }
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}

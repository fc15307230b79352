package io.tcpwatch.job.kafka;

import io.tcpwatch.schema.RecordFormatException;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.SegmentDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcp.segments} records → {@link Segment}s. A record that is not a segment (wrong marker,
 * another schema's fingerprint, garbage) is skipped, counted in the {@code undecodableSegments}
 * metric and logged with its reason — never silently.
 */
public final class SegmentDeserializer implements KafkaRecordDeserializationSchema<Segment> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeserializer.class);

    private transient SegmentDecoder decoder;
    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = new SegmentDecoder();
        undecodable = context.getMetricGroup().counter("undecodableSegments");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Segment> out) {
        byte[] value = record.value();
        if (value == null) {
            undecodable.inc();
            return;
        }
        try {
            Segment s = new Segment();
            decoder.decode(value, 0, value.length, s);
            out.collect(s);
        } catch (RecordFormatException e) {
            undecodable.inc();
            if (undecodable.getCount() <= 10 || Long.bitCount(undecodable.getCount()) == 1) {
                LOG.warn("skipped record {}-{}@{} ({} so far): {} ({})", record.topic(), record.partition(),
                        record.offset(), undecodable.getCount(), e.getMessage(), e.reason());
            }
        }
    }

    @Override
    public TypeInformation<Segment> getProducedType() {
        return TypeInformation.of(Segment.class);
    }
}

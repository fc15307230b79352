package io.tcpwatch.job.kafka;

import io.tcpwatch.core.record.DeadLetter;
import io.tcpwatch.job.source.SegmentRun;
import io.tcpwatch.schema.RecordFormatException;
import io.tcpwatch.schema.SegmentRecordDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import java.util.Arrays;
import java.util.Base64;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.types.Either;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tcp.segments} records → {@link SegmentRun}s (left): a single segment ({@code segment.avsc},
 * either version) or a flow's batch ({@code segment-batch.avsc}) as one run, so agents of both kinds
 * can share the topic during a rolling upgrade and the tracker takes a batch as one element. A record that is neither (wrong marker,
 * another schema's fingerprint, garbage, a damaged batch) becomes one {@link DeadLetter} with the
 * reason (right) — counted in the {@code undecodableSegments} metric and logged, never silently
 * dropped.
 */
public final class SegmentDeserializer implements KafkaRecordDeserializationSchema<Either<SegmentRun, DeadLetter>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SegmentDeserializer.class);

    private transient SegmentRecordDecoder decoder;
    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = new SegmentRecordDecoder();
        undecodable = context.getMetricGroup().counter("undecodableSegments");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<SegmentRun, DeadLetter>> out) {
        byte[] value = record.value();
        if (value == null) {
            out.collect(Either.Right(deadLetter(record, "EMPTY", "a record without a value")));
            return;
        }
        try {
            out.collect(Either.Left(SegmentRun.of(decoder.decode(value))));
        } catch (RecordFormatException e) {
            out.collect(Either.Right(deadLetter(record, e.reason().name(), e.getMessage())));
        }
    }

    private DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, String reason, String detail) {
        undecodable.inc();
        if (undecodable.getCount() <= 10 || Long.bitCount(undecodable.getCount()) == 1) {
            LOG.warn("record {}-{}@{} is not a segment ({} so far): {} ({})", record.topic(), record.partition(),
                    record.offset(), undecodable.getCount(), detail, reason);
        }
        DeadLetter d = new DeadLetter();
        d.topic = record.topic();
        d.partition = record.partition();
        d.offset = record.offset();
        d.timestampMs = record.timestamp();
        d.reason = reason;
        d.detail = detail;
        byte[] v = record.value() == null ? new byte[0] : record.value();
        d.valueLength = v.length;
        d.valueHead = Base64.getEncoder().encodeToString(Arrays.copyOf(v, Math.min(v.length, 256)));
        return d;
    }

    @Override
    public TypeInformation<Either<SegmentRun, DeadLetter>> getProducedType() {
        return new EitherTypeInfo<>(TypeInformation.of(SegmentRun.class), TypeInformation.of(DeadLetter.class));
    }
}

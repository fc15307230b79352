package io.tcpwatch.job.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A record as one JSON message on {@code topic}, keyed (server endpoint) so one server's records
 * stay in order. The Kafka timestamp is the time of writing, not the record's event time: topics
 * delete by timestamp, and findings of a capture replayed days later would be deleted as soon as
 * written (event time stays in the record's own fields: start, end, ts, window_start).
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final KeySelector<T, String> key;
    private final SerializableFunction<T, String> json;

    public JsonRecordSerializer(String topic, KeySelector<T, String> key, SerializableFunction<T, String> json) {
        this.topic = topic;
        this.key = key;
        this.json = json;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        try {
            return new ProducerRecord<>(topic, null, null, key.getKey(element).getBytes(StandardCharsets.UTF_8),
                    json.apply(element).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("cannot serialize a record for " + topic, e);
        }
    }
}

package io.tcpwatch.common;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producer configuration for segments: throughput first, idempotent, nothing blocks forever. */
public final class KafkaSettings {

    public static final String DEFAULT_SEGMENTS_TOPIC = "tcp.segments";
    public static final String DEFAULT_STATS_TOPIC = "tcp.agent-stats";

    private KafkaSettings() {}

    /**
     * @param overrides user settings ({@code -X key=value}: TLS, SASL, tuning), applied last
     */
    public static Properties producer(String bootstrap, String clientId, String compression,
                                      Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        // large batches compress well; 20 ms is invisible next to the job's 2 s out-of-orderness
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
        // send() waits at most this long for buffer space; the agent's own queue absorbs the rest
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.putAll(overrides);
        return p;
    }

    /** Admin client settings for the reachability check, with the same overrides (TLS, SASL). */
    public static Properties admin(String bootstrap, String clientId, Map<String, String> overrides) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("client.id", clientId + "-admin");
        p.put("request.timeout.ms", "5000");
        p.put("default.api.timeout.ms", "5000");
        p.putAll(overrides);
        return p;
    }
}

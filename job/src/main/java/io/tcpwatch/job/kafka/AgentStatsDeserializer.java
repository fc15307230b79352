package io.tcpwatch.job.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tcpwatch.job.health.AgentReport;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code tcp.agent-stats} JSON records → {@link AgentReport}s: what each agent lost (libpcap drops,
 * full-queue drops, send errors). A record that is not agent stats is skipped and counted in the
 * {@code undecodableAgentStats} metric.
 */
public final class AgentStatsDeserializer implements KafkaRecordDeserializationSchema<AgentReport> {
    private static final long serialVersionUID = 1L;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private transient Counter undecodable;

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        undecodable = context.getMetricGroup().counter("undecodableAgentStats");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<AgentReport> out) {
        try {
            AgentReport r = parse(record.value());
            if (r == null) {
                undecodable.inc();
            } else {
                out.collect(r);
            }
        } catch (IOException e) {
            undecodable.inc();
        }
    }

    /** The report in an agent-stats JSON document, or null when it is not one. */
    public static AgentReport parse(byte[] value) throws IOException {
        if (value == null) {
            return null;
        }
        String observer = null;
        long tsMs = -1;
        long seen = 0;
        long lost = 0;
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                switch (field) {
                    case "observer" -> observer = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "ts_ms" -> tsMs = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "packets_seen" -> seen = p.getValueAsLong(0);
                    case "pcap_dropped", "pcap_ifdropped", "dropped", "send_errors" -> lost += p.getValueAsLong(0);
                    default -> { }
                }
            }
        }
        return observer == null || tsMs < 0 ? null : new AgentReport(observer, tsMs, seen, lost);
    }

    @Override
    public TypeInformation<AgentReport> getProducedType() {
        return TypeInformation.of(AgentReport.class);
    }
}

package io.tcpwatch.agent.kafka;

import io.tcpwatch.agent.AgentException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The Kafka client options every command that talks to Kafka shares (a picocli mixin). */
public final class KafkaClientOptions {

    @Option(names = "--broker-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up when Kafka stays unreachable this long at start (default: ${DEFAULT-VALUE}).")
    int brokerTimeoutSeconds;

    @Option(names = "-X", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Kafka client property (TLS, SASL, tuning), repeatable: -X security.protocol=SASL_SSL")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The {@code -X} properties, applied last to every Kafka client. */
    public Map<String, String> properties() {
        return properties;
    }

    /** Waits, retrying with backoff, until Kafka at {@code bootstrap} answers; gives up after --broker-timeout. */
    public void awaitBroker(String bootstrap, String clientId, Consumer<String> say)
            throws AgentException, InterruptedException {
        BrokerCheck.await(KafkaSettings.admin(bootstrap, clientId, properties),
                Duration.ofSeconds(brokerTimeoutSeconds), say);
    }
}

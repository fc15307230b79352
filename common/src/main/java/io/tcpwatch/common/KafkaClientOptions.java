package io.tcpwatch.common;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The Kafka client options every command that talks to Kafka shares (a picocli mixin). */
public final class KafkaClientOptions {

    @Option(names = "--broker-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Give up when Kafka stays unreachable this long at start (default: ${DEFAULT-VALUE}).")
    int brokerTimeoutSeconds;

    @Option(names = "--kafka-config", paramLabel = "FILE", converter = PropertiesFile.class,
            description = "Kafka client properties file, as Kafka's own tools take it (security.protocol, sasl.*, ssl.*,"
                    + " config.providers): credentials stay out of the command line. -X overrides it.")
    ConfigFile configFile = new ConfigFile(Map.of());

    @Option(names = "-X", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Kafka client property (TLS, SASL, tuning), repeatable: -X security.protocol=SASL_SSL")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The properties of {@code --kafka-config}, then the {@code -X} ones: applied last to every Kafka client. */
    public Map<String, String> properties() {
        Map<String, String> all = new LinkedHashMap<>(configFile.properties());
        all.putAll(properties);
        return all;
    }

    /** The properties of a {@code --kafka-config} file, in key order. */
    record ConfigFile(Map<String, String> properties) {}

    /** Reads a {@code .properties} file at parse time: a missing or unreadable file is a usage error, in one sentence. */
    static final class PropertiesFile implements ITypeConverter<ConfigFile> {
        @Override
        public ConfigFile convert(String value) {
            Path file = Path.of(value);
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (NoSuchFileException e) {
                throw new TypeConversionException("no such file: " + file);
            } catch (IOException | IllegalArgumentException e) {
                throw new TypeConversionException("cannot read " + file + " as Kafka client properties (" + e.getMessage() + ")");
            }
            Map<String, String> out = new LinkedHashMap<>();
            p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k)));
            return new ConfigFile(out);
        }
    }

    /** Waits, retrying with backoff, until Kafka at {@code bootstrap} answers; gives up after --broker-timeout. */
    public void awaitBroker(String bootstrap, String clientId, Consumer<String> say)
            throws TcpwatchException, InterruptedException {
        BrokerCheck.await(KafkaSettings.admin(bootstrap, clientId, properties()),
                Duration.ofSeconds(brokerTimeoutSeconds), say);
    }
}

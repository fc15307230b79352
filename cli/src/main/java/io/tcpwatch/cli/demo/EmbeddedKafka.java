package io.tcpwatch.cli.demo;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node Kafka in this process, in KRaft mode (combined broker and controller), from the
 * Kafka jars on Maven Central: the storage is formatted in {@code dataDir} (unless it already holds
 * a cluster, which then restarts with its data), and the server runs until {@link #close()}. One
 * replica for everything, including the internal topics.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaRaftServer server;
    private final String bootstrap;

    public EmbeddedKafka(Path dataDir, int port, int controllerPort) throws Exception {
        this(dataDir, port, controllerPort, Map.of());
    }

    /**
     * @param overrides broker settings applied last: extra listeners (TLS, SASL) and their settings;
     *                  the PLAINTEXT listener on {@code port} stays the inter-broker one
     */
    public EmbeddedKafka(Path dataDir, int port, int controllerPort, Map<String, String> overrides) throws Exception {
        String logDir = dataDir.resolve("kafka").toAbsolutePath().toString();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir);
        p.put("num.partitions", "4");
        p.put("auto.create.topics.enable", "true");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("log.retention.hours", "2");
        p.putAll(overrides);
        KafkaConfig config = KafkaConfig.fromProps(p);
        if (!java.nio.file.Files.exists(Path.of(logDir, "meta.properties"))) { // a restart keeps its cluster
            format(logDir);
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        bootstrap = "127.0.0.1:" + port;
    }

    private static void format(String logDir) throws Exception {
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir)
                .setDirectories(Set.of(logDir))
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }

    public String bootstrap() {
        return bootstrap;
    }

    /** Creates the topics (one replica each) and waits for them. */
    public void createTopics(Map<String, Integer> partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> topics = partitions.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList();
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}

package io.tcpwatch.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** One real KRaft broker per test class: {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = …}. */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private KafkaBroker broker;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "kafka-");
        broker = new KafkaBroker(dir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (dir != null && Files.exists(dir)) { // the broker removes its own data on close
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    public KafkaBroker broker() {
        return broker;
    }
}

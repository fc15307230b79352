package io.tcpwatch.agent.kafka;

import io.tcpwatch.common.KafkaClientOptions;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code --kafka-config FILE} beside {@code -X}: the file first, -X over it; a bad file is a usage error in one sentence. */
class KafkaClientOptionsTest {

    @Command(name = "any")
    static final class AnyCommand implements Callable<Integer> {
        @Mixin
        KafkaClientOptions kafka;

        @Override
        public Integer call() {
            return 0;
        }
    }

    @Test
    void theFileComesFirstAndMinusXOverridesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, """
                # as Kafka's own tools take it
                security.protocol=SASL_SSL
                sasl.mechanism=SCRAM-SHA-512
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="agent" password="s3cret";
                """);
        AnyCommand c = new AnyCommand();
        int exit = new CommandLine(c).execute("--kafka-config", file.toString(), "-X", "sasl.mechanism=SCRAM-SHA-256");
        assertThat(exit).isZero();
        assertThat(c.kafka.properties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"agent\" password=\"s3cret\";");
    }

    @Test
    void aMissingFileIsAUsageErrorInOneSentence(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new AnyCommand()).setErr(new PrintWriter(err));
        int exit = cl.execute("--kafka-config", dir.resolve("nope.properties").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--kafka-config").contains("no such file: " + dir.resolve("nope.properties"))
                .doesNotContain("\tat ");
    }
}

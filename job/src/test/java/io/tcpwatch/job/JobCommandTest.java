package io.tcpwatch.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpwatch.job.kafka.StartAt;
import java.time.Instant;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class JobCommandTest {

    @Test
    void aFirstStartReadsFromLatestEarliestOrAnInstant() {
        assertThat(StartAt.parse("latest")).isEqualTo(StartAt.LATEST);
        assertThat(StartAt.parse("earliest")).isEqualTo(StartAt.EARLIEST);
        assertThat(StartAt.parse("2026-11-22T03:00:00Z").instant()).isEqualTo(Instant.parse("2026-11-22T03:00:00Z"));
        assertThatThrownBy(() -> StartAt.parse("yesterday")).hasMessage(
                "--start takes latest, earliest or an ISO-8601 instant (e.g. 2026-11-22T03:00:00Z), not 'yesterday'.");
        JobCommand job = parse("--bootstrap", "kafka:9092");
        assertThat(job.start).as("the default").isEqualTo("latest");
        assertThat(job.settings(StartAt.parse(job.start), "d").start()).isEqualTo(StartAt.LATEST);
    }

    @Test
    void theDeploymentNamesTheConsumerGroupAndTheTransactionalIds() {
        Configuration flink = new Configuration();
        assertThat(parse("--bootstrap", "kafka:9092").deploymentName(flink)).as("outside Kubernetes").isEqualTo("tcpwatch");
        flink.setString("kubernetes.cluster-id", "tcpwatch-job");
        flink.setString("kubernetes.namespace", "team-a");
        assertThat(parse("--bootstrap", "kafka:9092").deploymentName(flink)).as("under the operator")
                .isEqualTo("team-a.tcpwatch-job");
        assertThat(parse("--bootstrap", "kafka:9092", "--deployment", "lab").deploymentName(flink)).isEqualTo("lab");
        assertThat(parse("--bootstrap", "kafka:9092").settings(StartAt.LATEST, "team-a.tcpwatch-job").deployment())
                .isEqualTo("team-a.tcpwatch-job");
    }

    @Test
    void aLocalRunKeepsItsCheckpointsInFilesNotInTheJobManagersFiveMegabytes() {
        Configuration flink = new Configuration();
        JobCommand job = parse("--bootstrap", "kafka:9092");
        assertThat(job.checkpointDirectory(flink, true, "lab")).as("local, Flink not told")
                .startsWith("file:").endsWith("/tcpwatch-checkpoints/lab");
        assertThat(job.checkpointDirectory(flink, false, "lab")).as("on a cluster its configuration decides").isNull();
        flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://state/checkpoints");
        assertThat(job.checkpointDirectory(flink, true, "lab")).as("told already").isNull();
        assertThat(parse("--bootstrap", "kafka:9092", "--checkpoint-dir", "file:///var/tcpwatch")
                .checkpointDirectory(flink, false, "lab")).isEqualTo("file:///var/tcpwatch");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment();
        env.configure(JobCommand.checkpointStorage("file:///tmp/cp"));
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINT_STORAGE)).isEqualTo("filesystem");
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("file:///tmp/cp");
    }

    private static JobCommand parse(String... args) {
        JobCommand job = new JobCommand();
        new CommandLine(job).parseArgs(args);
        return job;
    }
}

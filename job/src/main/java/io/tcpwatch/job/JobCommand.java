package io.tcpwatch.job;

import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.common.KafkaClientOptions;
import io.tcpwatch.job.fleet.FleetOptions;
import io.tcpwatch.job.kafka.KafkaTopics;
import io.tcpwatch.job.kafka.StartAt;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.job.tracker.TrackerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tcpwatch job}: the streaming job against any Kafka. Run locally with {@code java -jar}, or
 * submit the same class to a Flink cluster: {@code flink run -c io.tcpwatch.job.JobCommand tcpwatch.jar --bootstrap …}.
 */
@Command(name = "job",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Run the streaming job: segments from Kafka in, detections and statistics out.",
            "%ntcp.segments → TCP state machines, fleet windows → tcp.detections, tcp.connections, tcp.fleet-stats.",
            "%nLocally, in a Flink environment in this process, or on a Flink cluster:",
            "  flink run -c io.tcpwatch.job.JobCommand cli/target/tcpwatch.jar --bootstrap kafka:9092"},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done (--bounded)   2  usage error   7  Kafka unreachable"})
public final class JobCommand implements Callable<Integer> {

    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", required = true, description = "Kafka cluster.")
    String bootstrap;

    @Option(names = "--segments-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.SEGMENTS, description = "Default: ${DEFAULT-VALUE}.")
    String segmentsTopic;

    @Option(names = "--detections-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.DETECTIONS, description = "Default: ${DEFAULT-VALUE}.")
    String detectionsTopic;

    @Option(names = "--connections-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.CONNECTIONS, description = "Default: ${DEFAULT-VALUE}.")
    String connectionsTopic;

    @Option(names = "--fleet-stats-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.FLEET_STATS,
            description = "Default: ${DEFAULT-VALUE}.")
    String fleetStatsTopic;

    @Option(names = "--agent-stats-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.AGENT_STATS,
            description = "The agents' reports; their losses lower confidence. Empty: none (default: ${DEFAULT-VALUE}).")
    String agentStatsTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.DEAD_LETTERS,
            description = "Records of the segments topic that are not segments, with the reason (default: ${DEFAULT-VALUE}).")
    String deadLetterTopic;

    @Option(names = "--late-topic", paramLabel = "TOPIC", defaultValue = KafkaTopics.LATE_SEGMENTS,
            description = "Segments that arrived behind the watermark, with how far behind (default: ${DEFAULT-VALUE}).")
    String lateTopic;

    @Option(names = "--deployment", paramLabel = "NAME",
            description = "Names this job among others on the same Kafka: its consumer group and the prefix of its"
                    + " transactional ids (default: the Kubernetes namespace and cluster id Flink runs under, else tcpwatch).")
    String deployment;

    @Option(names = "--start", paramLabel = "WHERE", defaultValue = "latest",
            description = "Where a first start (no checkpoint, no savepoint, no committed offsets) reads the segments"
                    + " topic from: latest, earliest or an ISO-8601 instant (default: ${DEFAULT-VALUE}).")
    String start;

    @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", defaultValue = "30",
            description = "Checkpoint interval; exactly-once into Kafka. 0 = no checkpoints, at-least-once (default: ${DEFAULT-VALUE}).")
    int checkpointSeconds;

    @Option(names = "--checkpoint-dir", paramLabel = "URI",
            description = "Where checkpoints are kept (file:// or s3://). Default: Flink's execution.checkpointing.dir; in"
                    + " a local run without one, a directory under the system's temporary directory (the JobManager's"
                    + " memory holds at most 5 MB of state, less than a busy fleet's).")
    String checkpointDir;

    @Option(names = "--out-of-orderness", paramLabel = "MILLIS", defaultValue = "2000",
            description = "Bounded out-of-orderness of capture timestamps (default: ${DEFAULT-VALUE}).")
    long outOfOrdernessMs;

    @Option(names = "--idleness", paramLabel = "SECONDS", defaultValue = "10",
            description = "A partition quiet this long stops holding back the watermark; not with --bounded (default: ${DEFAULT-VALUE}).")
    int idlenessSeconds;

    @Mixin
    TrackerOptions trackerOptions;

    @Mixin
    FleetOptions fleetOptions;

    @Option(names = "--bounded", description = "Stop at the end the segments topic has when the job starts.")
    boolean bounded;

    @Option(names = "--parallelism", paramLabel = "N", description = "Job parallelism (default: the environment's).")
    Integer parallelism;

    @Mixin
    KafkaClientOptions kafka;

    @Override
    public Integer call() throws Exception {
        StartAt startAt;
        try {
            startAt = StartAt.parse(start);
        } catch (IllegalArgumentException e) {
            System.err.println("tcpwatch job: " + e.getMessage());
            return ExitCode.USAGE;
        }
        try {
            kafka.awaitBroker(bootstrap, "tcpwatch-job", msg -> System.err.println("tcpwatch job: " + msg));
        } catch (TcpwatchException e) {
            System.err.println("tcpwatch job: " + e.getMessage());
            return e.exitCode();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        String deploymentName = deploymentName(env.getConfiguration());
        String checkpoints = checkpointDirectory(env.getConfiguration(), env instanceof LocalStreamEnvironment, deploymentName);
        if (checkpoints != null) {
            env.configure(checkpointStorage(checkpoints));
        }
        StreamingJob.attach(env, settings(startAt, deploymentName));
        env.execute("tcpwatch");
        return 0;
    }

    StreamingJob.Settings settings(StartAt startAt, String deploymentName) {
        Properties client = new Properties();
        client.putAll(kafka.properties());
        TrackerConfig tracker = trackerOptions.config();
        return new StreamingJob.Settings(bootstrap, new StreamingJob.Topics(segmentsTopic, detectionsTopic, connectionsTopic,
                fleetStatsTopic, agentStatsTopic.isBlank() ? null : agentStatsTopic, deadLetterTopic, lateTopic),
                deploymentName, startAt, Duration.ofSeconds(checkpointSeconds), Duration.ofMillis(outOfOrdernessMs),
                Duration.ofSeconds(idlenessSeconds), bounded, client, tracker, fleetOptions.config());
    }

    /**
     * Where checkpoints go, when this command must say: {@code --checkpoint-dir}; else nothing when Flink
     * is told already or runs on a cluster (its configuration decides); else, in a local run, a directory
     * of the deployment's under the temporary directory — without one, Flink keeps checkpoints in the
     * JobManager's memory, which refuses state over 5 MB, so no checkpoint of a busy fleet completes and
     * nothing is committed.
     */
    String checkpointDirectory(ReadableConfig flink, boolean local, String deploymentName) {
        if (checkpointDir != null) {
            return checkpointDir;
        }
        if (!local || flink.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isPresent()) {
            return null;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "tcpwatch-checkpoints", deploymentName).toUri().toString();
    }

    /** Checkpoints as files under {@code directory}: what a local run needs (the demo's too). */
    public static Configuration checkpointStorage(String directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory);
        return conf;
    }

    /**
     * {@code --deployment}, else what the Flink Kubernetes Operator gives every deployment:
     * {@code <namespace>.<cluster id>} (the FlinkDeployment's name), else {@code tcpwatch}.
     */
    String deploymentName(ReadableConfig flink) {
        if (deployment != null) {
            return deployment;
        }
        String clusterId = flink.get(ConfigOptions.key("kubernetes.cluster-id").stringType().noDefaultValue());
        String namespace = flink.get(ConfigOptions.key("kubernetes.namespace").stringType().defaultValue("default"));
        return clusterId == null ? "tcpwatch" : namespace + "." + clusterId;
    }

    /**
     * Entry point for {@code flink run} and the operator's application mode. It never calls
     * {@code System.exit}: in application mode this method runs inside the JobManager, and a
     * detached {@code execute()} returns as soon as the job is submitted — exiting would stop the
     * JobManager under its running job. A failure (already told in one sentence on stderr) ends
     * as an exception, which Flink reports as the job's submission failure.
     */
    public static void main(String[] args) {
        int code = new CommandLine(new JobCommand()).execute(args);
        if (code != 0) {
            throw new IllegalStateException("tcpwatch job did not start (exit code " + code + ")");
        }
    }
}

package io.tcpwatch.job.kafka;

import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Tests that run the job on a Flink MiniCluster (one TaskManager, two slots) against a real KRaft broker. */
public abstract class JobOnKafka {

    @RegisterExtension
    protected static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    protected static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
}

package io.tcpwatch.job.kafka;

import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import java.net.URI;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
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

    /** The MiniCluster's REST API, for what a running job says of itself. */
    protected static JobRest rest(JobID job) {
        Configuration c = FLINK.getClientConfiguration();
        return new JobRest(URI.create("http://" + c.get(RestOptions.ADDRESS) + ":" + c.get(RestOptions.PORT) + "/"), job);
    }
}

package io.tcpwatch.job.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.agent.simulate.FleetSimulation;
import io.tcpwatch.agent.simulate.Incident;
import io.tcpwatch.core.connection.TrackerConfig;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.local.LocalPipeline;
import io.tcpwatch.core.record.ConnectionRecord;
import io.tcpwatch.core.record.Detection;
import io.tcpwatch.core.record.LateSegment;
import io.tcpwatch.schema.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fleet rules against ordinary traffic of other rates than the fleet tests' own: simulated
 * fleets whose servers get new connections at random (a Poisson process) from 0.5 to 40 a second,
 * with one of each incident, through {@code analyze}'s driver of the core (the job's rules, no
 * cluster). The episodes opened must be exactly the incidents the simulator injected: at 2 and 4
 * new connections a second, random arrivals fall silent for 3 s now and then and bring 20 clients
 * in the rest of the window, which the reconnect-storm rule took for a herd until it counted only the
 * clients of the burst after the quiet (decisions/0019).
 */
class FleetRatesTest {

    private static final List<String> INCIDENTS = List.of("rst-storm@12:1", "syn-flood@15:2", "backlog@20:3",
            "connection-limit@25:4", "reconnect-storm@30:5", "packet-loss@35:6", "port-exhaustion@40:10");

    @ParameterizedTest(name = "{0} servers at {1} new connections/s for {2} s")
    @CsvSource({"200, 0.5, 120", "200, 2, 120", "150, 3, 120", "100, 4, 120", "50, 10, 120", "20, 40, 60"})
    void theEpisodesOpenedAreTheIncidentsInjected(int servers, double rate, int seconds) throws Exception {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = servers;
        cfg.connectionsPerSecond = rate;
        cfg.seconds = seconds;
        INCIDENTS.forEach(i -> cfg.incidents.add(Incident.parse(i)));
        FleetSimulation fleet = new FleetSimulation(cfg);

        List<FleetSimulation.Expected> opened = opened(fleet);

        assertThat(opened).as("episodes opened: each incident once, nothing on ordinary servers")
                .containsExactlyInAnyOrderElementsOf(fleet.expected());
    }

    /** The fleet episodes opened on the simulated fleet, as (type, server, client host). */
    private static List<FleetSimulation.Expected> opened(FleetSimulation fleet) throws Exception {
        List<FleetSimulation.Expected> opened = new ArrayList<>();
        LocalPipeline pipeline = new LocalPipeline(TrackerConfig.defaults(), FleetConfig.defaults(), Duration.ofSeconds(2),
                false, new LocalPipeline.Sink() {
                    @Override
                    public void detection(Detection d) {
                        if ("OPEN".equals(d.status)) {
                            opened.add(new FleetSimulation.Expected(d.type, d.server, d.client));
                        }
                    }

                    @Override
                    public void connection(ConnectionRecord r) {}

                    @Override
                    public void fleetStats(FleetStats w) {}

                    @Override
                    public void late(LateSegment l) {
                        throw new AssertionError("the simulator's segments come in order");
                    }
                });
        fleet.run(new SegmentSink() {
            @Override
            public void accept(Segment s) {
                pipeline.accept(s);
            }

            @Override
            public void close() {}
        });
        pipeline.finish();
        return opened;
    }
}

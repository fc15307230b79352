package io.tcpwatch.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The simulated fleet: deterministic, in capture-time order per agent, both ends where configured. */
class FleetSimulationTest {

    private static List<Segment> run(FleetSimulation.Config cfg) throws InterruptedException {
        List<Segment> out = new ArrayList<>();
        SegmentSink sink = new SegmentSink() {
            @Override
            public void accept(Segment segment) {
                out.add(segment.copy());
            }

            @Override
            public void close() {}
        };
        new FleetSimulation(cfg).run(sink);
        return out;
    }

    private static FleetSimulation.Config small() {
        FleetSimulation.Config cfg = new FleetSimulation.Config();
        cfg.servers = 10;
        cfg.seconds = 40;
        cfg.incidents.add(Incident.parse("syn-flood@12:3"));
        cfg.incidents.add(Incident.parse("packet-loss@15:5"));
        return cfg;
    }

    @Test
    void theSameSeedGivesTheSameSegmentsInCaptureTimeOrder() throws InterruptedException {
        List<Segment> a = run(small());
        List<Segment> b = run(small());
        assertThat(a).hasSizeGreaterThan(10_000).isEqualTo(b);
        for (int i = 1; i < a.size(); i++) {
            assertThat(a.get(i).tsNanos).isGreaterThanOrEqualTo(a.get(i - 1).tsNanos);
        }
    }

    @Test
    void clientHostsWatchEveryFifthServerAndSeeLostSegmentsTheServerNeverGot() throws InterruptedException {
        List<Segment> all = run(small());
        long clientSide = all.stream().filter(s -> s.observer.startsWith("cli-")).count();
        assertThat(clientSide).isPositive();
        assertThat(all.stream().filter(s -> s.observer.startsWith("cli-")).map(s -> s.dstPort == 443 ? s.dstHost() : s.srcHost()))
                .allMatch(h -> h.equals("10.20.0.1") || h.equals("10.20.0.6"));
        // server 5's lossy client is watched from both ends: its agent saw more data segments than the server's
        long fromClient = all.stream().filter(s -> s.observer.startsWith("cli-10.100.5.2") && s.payloadLen > 0 && s.dstPort == 443).count();
        long atServer = all.stream().filter(s -> s.observer.equals("srv-5") && s.payloadLen > 0 && s.srcHost().equals("10.100.5.2")).count();
        assertThat(fromClient).isGreaterThan(atServer);
        // the flood's SYNs come from 200 sources and are never answered with an ACK
        assertThat(all.stream().filter(s -> s.srcHost().startsWith("10.66.") && s.has(TcpFlags.SYN)).map(Segment::srcHost).distinct())
                .hasSize(200);
        assertThat(all.stream().filter(s -> s.srcHost().startsWith("10.66.") && !s.has(TcpFlags.SYN))).isEmpty();
    }

    @Test
    void aBadIncidentIsOneSentence() {
        assertThatThrownBy(() -> Incident.parse("flood@12")).hasMessage(
                "an incident is KIND@SECOND:SERVER (e.g. connection-limit@20:3), not 'flood@12'");
        assertThatThrownBy(() -> Incident.parse("flood@12:3")).hasMessage("unknown incident 'flood'");
        FleetSimulation.Config cfg = small();
        cfg.incidents.add(Incident.parse("backlog@39:3"));
        assertThatThrownBy(() -> new FleetSimulation(cfg)).hasMessage(
                "incident backlog@39:3 must name a server below 10 and start between second 10 and 20");
    }
}

package io.tcpwatch.job.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.Detection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Agent reports → loss intervals → lower confidence, with the reason, for detections made meanwhile. */
class ConfidenceTest {

    private static final long T0_MS = 1_795_000_000_000L;

    @Test
    void lossesAreTheDifferencesOfCumulativeReportsAndARestartStartsAgain() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new AgentLossFunction()),
                (AgentReport r) -> r.observer, Types.STRING)) {
            h.open();
            h.processElement(new AgentReport("srv-1", T0_MS, 1_000, 0), T0_MS);
            h.processElement(new AgentReport("srv-1", T0_MS + 10_000, 9_000, 0), T0_MS); // nothing lost
            h.processElement(new AgentReport("srv-1", T0_MS + 20_000, 19_000, 500), T0_MS);
            h.processElement(new AgentReport("srv-1", T0_MS + 30_000, 100, 0), T0_MS); // restarted
            h.processElement(new AgentReport("srv-1", T0_MS + 40_000, 5_100, 50), T0_MS);
            List<AgentLoss> out = h.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(0)).usingRecursiveComparison().isEqualTo(new AgentLoss("srv-1", T0_MS + 10_000, T0_MS + 20_000, 10_000, 500));
            assertThat(out.get(1)).usingRecursiveComparison().isEqualTo(new AgentLoss("srv-1", T0_MS + 30_000, T0_MS + 40_000, 5_000, 50));
        }
    }

    @Test
    void theAgentStatsRecordsCountKernelQueueAndSendLosses() throws Exception {
        String json = "{\"observer\":\"srv-1\",\"time\":\"x\",\"ts_ms\":1795000000000,\"source\":\"live:eth0\",\"packets_seen\":900,"
                + "\"pcap_received\":1000,\"pcap_dropped\":70,\"pcap_ifdropped\":5,\"parsed\":900,\"skipped\":{},"
                + "\"dropped\":20,\"send_errors\":5}";
        AgentReport r = io.tcpwatch.job.kafka.AgentStatsDeserializer.parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(r.lost).isEqualTo(100);
        assertThat(r.packetsSeen).isEqualTo(900);
        assertThat(io.tcpwatch.job.kafka.AgentStatsDeserializer.parse("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void detectionsOverlappingAnObserversLossCarryLowerConfidenceAndSayWhy() throws Exception {
        try (BroadcastOperatorTestHarness<Detection, AgentLoss, Detection> h = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(new ConfidenceFunction(), List.of(ConfidenceFunction.LOSSES)), 1, 1, 0)) {
            h.open();
            h.processBroadcastElement(new AgentLoss("srv-1", T0_MS + 10_000, T0_MS + 20_000, 9_000, 1_000), T0_MS);
            h.processElement(detection("srv-1,cli-a", 12_000, 13_000), T0_MS);
            h.processElement(detection("srv-2", 12_000, 13_000), T0_MS); // another agent
            h.processElement(detection("srv-1", 25_000, 26_000), T0_MS); // after the loss
            List<Detection> out = h.extractOutputValues();
            assertThat(out.get(0).confidence).isEqualTo(0.9);
            assertThat(out.get(0).explanation).endsWith("Lower confidence: srv-1 lost 1,000 packets around this time.");
            assertThat(out.get(1).confidence).isEqualTo(1.0);
            assertThat(out.get(2).confidence).isEqualTo(1.0);
        }
    }

    private static Detection detection(String observers, long fromMs, long toMs) {
        Detection d = new Detection();
        d.type = "RST_STORM";
        d.observer = observers;
        d.server = "10.0.0.1:443";
        d.startNs = (T0_MS + fromMs) * 1_000_000L;
        d.endNs = (T0_MS + toMs) * 1_000_000L;
        d.explanation = "A storm.";
        return d;
    }
}

package io.tcpwatch.job.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.core.record.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diagnosis folds a finding that another explains under it. */
class AnalyzeReportTest {

    private static final long S = 1_000_000_000L;

    private static Detection detection(String type, String status, String client, long startS, long endS) {
        Detection d = new Detection();
        d.id = type + client + startS;
        d.type = type;
        d.status = status;
        d.severity = "WARNING";
        d.server = "10.0.0.1:443";
        d.client = client;
        d.startNs = startS * S;
        d.endNs = endS * S;
        d.explanation = type + " explained";
        d.evidenceJson = "{}";
        return d;
    }

    private static String diagnosis(List<Detection> detections) {
        String report = AnalyzeReport.render("header", detections, List.of(), List.of());
        return report.substring(report.indexOf("Diagnosis"), report.indexOf("\nServers"));
    }

    @Test
    void aRetransmissionSurgeDuringAZeroWindowStallIsTheSendersProbes() {
        String folded = diagnosis(List.of(
                detection("RETRANSMISSION_SURGE", "OPEN", "10.0.0.2", 10, 20),
                detection("ZERO_WINDOW_STALL", null, "10.0.0.2:40000", 12, 15)));
        assertThat(folded).startsWith("Diagnosis\n  1. Zero-window stalls")
                .contains("Explained by the findings above:\n  - Retransmission surge (packet loss) — 10.0.0.1:443 from 10.0.0.2",
                        "the sender's zero-window probes during the stalls above, not loss");
    }

    @Test
    void aSurgeWithoutAStallOfThatClientIsItsOwnFinding() {
        String alone = diagnosis(List.of(
                detection("RETRANSMISSION_SURGE", "OPEN", "10.0.0.2", 10, 20),
                detection("ZERO_WINDOW_STALL", null, "10.0.0.3:40000", 12, 15), // another client
                detection("ZERO_WINDOW_STALL", null, "10.0.0.2:40001", 30, 33))); // later
        assertThat(alone).startsWith("Diagnosis\n  1. Retransmission surge (packet loss) — 10.0.0.1:443 from 10.0.0.2")
                .doesNotContain("Explained by");
    }
}

package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpwatch.agent.testing.CapturedOutput;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import io.tcpwatch.common.CommandLines;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** `tcpwatch detections` on a real broker holding real job output, seeking by time. */
@Timeout(300)
class DetectionsCommandTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    @BeforeAll
    static void produce() throws Exception {
        Records.produceAll(KAFKA.broker());
    }

    private int run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap";
        all[1] = KAFKA.broker().bootstrap();
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandLines.configure(new CommandLine(new DetectionsCommand())).execute(all);
    }

    /** The detections printed as JSON lines since the first record. */
    private List<JsonNode> printed(String... filter) throws Exception {
        String[] args = new String[filter.length + 3];
        args[0] = "--from";
        args[1] = "2026-11-22T00:00:00Z";
        args[2] = "--json";
        System.arraycopy(filter, 0, args, 3, filter.length);
        output.reset();
        assertThat(run(args)).isZero();
        List<JsonNode> out = new ArrayList<>();
        for (String line : output.out().lines().toList()) {
            out.add(Records.JSON.readTree(line));
        }
        return out;
    }

    @Test
    void severityKeepsThatLevelAndWorseAndStatusKeepsTheEpisodesInIt() throws Exception {
        List<JsonNode> all = Records.load("detections");
        assertThat(printed()).hasSize(all.size());
        List<JsonNode> critical = printed("--severity", "critical");
        assertThat(critical).isNotEmpty().allSatisfy(d -> assertThat(d.path("severity").asText()).isEqualTo("CRITICAL"))
                .hasSize((int) all.stream().filter(d -> d.path("severity").asText().equals("CRITICAL")).count());
        List<JsonNode> warning = printed("--severity", "WARNING");
        assertThat(warning).hasSizeGreaterThan(critical.size()).allSatisfy(d -> assertThat(d.path("severity").asText())
                .isIn("WARNING", "CRITICAL")).hasSize(all.size() - (int) all.stream()
                .filter(d -> d.path("severity").asText().equals("INFO")).count());
        List<JsonNode> open = printed("--status", "open", "--type", "connection_limit");
        assertThat(open).hasSize(1).allSatisfy(d -> assertThat(d.path("status").asText()).isEqualTo("OPEN"));
        assertThat(printed("--status", "RESOLVED")).hasSize((int) all.stream()
                .filter(d -> d.path("status").asText().equals("RESOLVED")).count());
    }

    @Test
    void anUnknownSeverityOrTypeIsAUsageErrorNamingTheChoices() {
        assertThat(run("--severity", "urgent")).isEqualTo(2);
        assertThat(output.err()).contains("--severity", "INFO, WARNING, CRITICAL").doesNotContain("\tat ");
        assertThat(run("--type", "RESETS")).isEqualTo(2);
        assertThat(output.err()).contains("--type", "PORT_REUSE_COLLISION");
    }

    @Test
    void aTimeRangeAndATypeGiveTheFleetEpisodesAsATable() {
        assertThat(run("--from", "2026-11-22T03:00:00Z", "--to", "2026-11-22T03:02:00Z", "--type", "CONNECTION_LIMIT")).isZero();
        assertThat(output.out().lines()).hasSize(3) // header, OPEN, RESOLVED
                .anySatisfy(l -> assertThat(l).contains("CONNECTION_LIMIT", "OPEN", "10.77.1.2:7003", "serves at most 8"));
    }

    @Test
    void seekingByTimeSkipsWhatCameBefore() throws Exception {
        assertThat(run("--from", "2026-11-22T03:01:30Z", "--json")).isZero();
        List<String> lines = output.out().lines().toList();
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(Records.JSON.readTree(l).path("server").asText())
                .isIn("10.77.1.2:7005", "10.77.1.2:7006"));
        assertThat(lines.size()).isEqualTo(161); // 150 half-open, 7 SYN retransmits, 2 × (OPEN, RESOLVED): backlog-and-flood
    }

    @Test
    void aClientFilterAndNothingToShow() {
        assertThat(run("--from", "2026-11-22T03:00:00Z", "--client", "10.77.0.32")).isZero();
        assertThat(output.out().lines().skip(1)).hasSize(2).allSatisfy(l -> assertThat(l).contains("10.77.0.32:"));
        assertThat(run("--since", "5m")).isZero();
        assertThat(output.out()).endsWith("no detections\n");
    }

    @Test
    void badTimesAreOneSentenceAndExitCode2() {
        assertThat(run("--since", "yesterday")).isEqualTo(2);
        assertThat(output.err()).contains("a duration is a number and s, m, h or d (e.g. 15m), not 'yesterday'.")
                .doesNotContain("\tat ");
        assertThat(run("--from", "today")).isEqualTo(2);
        assertThat(output.err()).contains("--from must be an ISO-8601 instant");
    }
}

package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.testing.CapturedOutput;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
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
        return new CommandLine(new DetectionsCommand()).execute(all);
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
        java.util.List<String> lines = output.out().lines().toList();
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

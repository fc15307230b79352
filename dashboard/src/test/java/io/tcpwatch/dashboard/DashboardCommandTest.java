package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.agent.testing.CapturedOutput;
import io.tcpwatch.common.CommandLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** The dashboard's bounds and look-back, when wrong: one sentence naming the option, exit 2, before any broker is asked. */
class DashboardCommandTest {

    @RegisterExtension
    final CapturedOutput output = new CapturedOutput();

    private int run(String... args) {
        return CommandLines.configure(new CommandLine(new DashboardCommand())).execute(args);
    }

    @Test
    void aBadLookBackRetentionOrCapIsAUsageError() {
        assertThat(run("-b", "127.0.0.1:9", "--look-back", "soon")).isEqualTo(2);
        assertThat(output.err()).isEqualTo("tcpwatch dashboard: --look-back: a duration is a number and s, m, h or d"
                + " (e.g. 15m), not 'soon'.\n");
        output.reset();
        assertThat(run("-b", "127.0.0.1:9", "--retention", "-1h")).isEqualTo(2);
        assertThat(output.err()).startsWith("tcpwatch dashboard: --retention: a duration is");
        output.reset();
        assertThat(run("-b", "127.0.0.1:9", "--max-windows", "0")).isEqualTo(2);
        assertThat(output.err()).isEqualTo("tcpwatch dashboard: --max-windows must be at least 1, not 0.\n");
    }
}

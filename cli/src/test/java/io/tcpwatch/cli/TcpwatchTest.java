package io.tcpwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tcpwatch.common.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The top command's manners: bare usage is an error, -V is the build's, every summary is a whole sentence. */
class TcpwatchTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = CommandLines.configure(new CommandLine(new Tcpwatch()));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void withoutArgumentsItPrintsUsageOnStandardErrorAndExits2() {
        assertThat(run()).isEqualTo(2);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("Usage: tcpwatch").contains("analyze", "demo", "detections");
    }

    @Test
    void versionIsTheBuildsOnEveryCommand() {
        String expected = "tcpwatch " + System.getProperty("project.version") + System.lineSeparator();
        assertThat(run("-V")).isZero();
        assertThat(out.toString()).startsWith(expected).doesNotContain("development");
        out.getBuffer().setLength(0);
        assertThat(run("analyze", "-V")).isZero();
        assertThat(out.toString()).startsWith(expected);
    }

    @Test
    void everySubcommandsSummaryIsAWholeSentenceAndTheCommandListShowsItWhole() {
        assertThat(run("--help")).isZero();
        String list = out.toString().replaceAll("\\s+", " ");
        new CommandLine(new Tcpwatch()).getSubcommands().forEach((name, sub) -> {
            if (!name.equals("help")) { // picocli's own
                String summary = sub.getCommandSpec().usageMessage().description()[0];
                assertThat(summary).as(name + "'s summary").matches("[A-Z].*[.?]");
                assertThat(list).as(name + " in the command list").contains(name + " " + summary);
            }
        });
    }
}

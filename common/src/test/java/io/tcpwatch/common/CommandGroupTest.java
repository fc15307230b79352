package io.tcpwatch.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class CommandGroupTest {

    @Command(name = "tool", mixinStandardHelpOptions = true,
            description = "A group.", subcommands = Leaf.class)
    static final class Group extends CommandGroup {}

    @Command(name = "leaf", description = "Does one thing.")
    static final class Leaf implements Runnable {
        @Override
        public void run() {}
    }

    @Test
    void runBareItPrintsItsUsageOnStandardErrorAndExitsWithAUsageError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = CommandLines.configure(new CommandLine(new Group()));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute()).isEqualTo(ExitCode.USAGE);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).startsWith("Usage: tool").contains("leaf", "Does one thing.");
    }

    @Test
    void itsVersionIsTheBuildsNotADevelopmentPlaceholder() {
        StringWriter out = new StringWriter();
        CommandLine cl = CommandLines.configure(new CommandLine(new Group()));
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("-V")).isZero();
        assertThat(out.toString()).startsWith("tcpwatch " + System.getProperty("project.version") + System.lineSeparator())
                .contains("Java " + System.getProperty("java.version"));
        assertThat(System.getProperty("project.version")).as("the build passes its version").matches("\\d+\\.\\d+\\.\\d+.*");
    }
}

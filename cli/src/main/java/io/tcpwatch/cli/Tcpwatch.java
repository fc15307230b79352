package io.tcpwatch.cli;

import io.tcpwatch.agent.cli.AgentCommand;
import io.tcpwatch.common.CommandGroup;
import io.tcpwatch.common.CommandLines;
import io.tcpwatch.agent.cli.SimulateCommand;
import io.tcpwatch.cli.demo.DemoCommand;
import io.tcpwatch.dashboard.DashboardCommand;
import io.tcpwatch.dashboard.DetectionsCommand;
import io.tcpwatch.job.JobCommand;
import io.tcpwatch.job.analyze.AnalyzeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tcpwatch} command: every part of the product behind one executable. */
@Command(name = "tcpwatch",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = "Fleet-wide TCP connection forensics: capture agents, Kafka, one keyed Flink job.",
        subcommands = {DemoCommand.class, AnalyzeCommand.class, AgentCommand.class, JobCommand.class, DashboardCommand.class,
                DetectionsCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class Tcpwatch extends CommandGroup {

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new Tcpwatch(), args));
    }
}

package io.tcpwatch.agent.cli;

import io.tcpwatch.common.CommandGroup;
import io.tcpwatch.common.CommandLines;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The agent image's executable ({@code tcpwatch-agent.jar}): the capture agent and the fleet simulator, nothing else. */
@Command(name = "tcpwatch",
        mixinStandardHelpOptions = true,
        description = "The tcpwatch capture agent: TCP headers from libpcap to Kafka.",
        subcommands = {AgentCommand.class, SimulateCommand.class, CommandLine.HelpCommand.class})
public final class AgentTool extends CommandGroup {

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new AgentTool(), args));
    }
}

package io.tcpwatch.dashboard;

import io.tcpwatch.common.CommandGroup;
import io.tcpwatch.common.CommandLines;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The dashboard image's executable ({@code tcpwatch-dashboard.jar}): the dashboard and {@code tcpwatch detections}. */
@Command(name = "tcpwatch",
        mixinStandardHelpOptions = true,
        description = "The tcpwatch dashboard and the detections query.",
        subcommands = {DashboardCommand.class, DetectionsCommand.class, CommandLine.HelpCommand.class})
public final class DashboardTool extends CommandGroup {

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new DashboardTool(), args));
    }
}

package io.tcpwatch.common;

import picocli.CommandLine;

/** The error handling every tcpwatch executable shares. */
public final class CommandLines {
    private CommandLines() {}

    /**
     * Usage errors: one sentence and exit code 2; an unexpected failure says so, with its stack trace,
     * exit 1; {@code -V} on every command and subcommand prints the build's version; enum values in
     * any case ({@code --severity warning}).
     */
    public static CommandLine configure(CommandLine cl) {
        withVersion(cl);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("tcpwatch " + c.getCommandName() + ": " + ex.getMessage());
            c.getErr().println("Try 'tcpwatch " + (c.getParent() == null ? "" : c.getCommandName() + " ") + "--help'.");
            return CommandLine.ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            c.getErr().println("tcpwatch: unexpected failure, please report it:");
            ex.printStackTrace(c.getErr());
            return 1;
        });
        return cl;
    }

    private static void withVersion(CommandLine cl) {
        if (cl.getCommandSpec().versionProvider() == null) {
            cl.getCommandSpec().versionProvider(new BuildVersion());
        }
        cl.getSubcommands().values().forEach(CommandLines::withVersion);
    }

    /** Runs {@code command} (a picocli command object) on {@code args} with that handling; its exit code. */
    public static int execute(Object command, String[] args) {
        return configure(new CommandLine(command)).execute(args);
    }
}

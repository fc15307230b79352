package io.tcpwatch.common;

import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * An executable's top command, which only groups subcommands: run bare, it prints its usage on
 * standard error and exits 2 (a usage error), as a command that needs a subcommand should.
 * The {@code @Command} annotation of each executable names its subcommands.
 */
public abstract class CommandGroup implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCode.USAGE;
    }
}

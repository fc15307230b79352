package io.tcpwatch.common;

import picocli.CommandLine;

/**
 * An executable's top command, which only groups subcommands: run bare, it prints its usage.
 * The {@code @Command} annotation of each executable names its subcommands.
 */
public abstract class CommandGroup implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}

package io.tcpwatch.agent.cli;

import picocli.CommandLine;

/** Runs {@code tcpwatch agent} in a child JVM for tests that need signals or fewer privileges. */
public final class AgentMain {
    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentCommand()).execute(args));
    }
}

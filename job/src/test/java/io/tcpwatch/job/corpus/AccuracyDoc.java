package io.tcpwatch.job.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ACCURACY.md's figures are the accuracy tests' own output: each test renders its tables into a
 * block of the file between {@code <!-- generated: NAME -->} and {@code <!-- /generated: NAME -->}.
 * A run checks that the committed block is what it measured (a stale figure fails the build); with
 * {@code -Dtcpwatch.accuracy.update=true} it writes the block instead.
 */
final class AccuracyDoc {
    static final Path FILE = Path.of(System.getProperty("tcpwatch.accuracy", "../ACCURACY.md"));

    private AccuracyDoc() {}

    static void check(String name, String generated) throws IOException {
        String doc = Files.readString(FILE);
        String begin = "<!-- generated: " + name + " -->\n";
        String end = "<!-- /generated: " + name + " -->";
        int from = doc.indexOf(begin);
        int to = doc.indexOf(end);
        assertThat(from).as("ACCURACY.md has a block %s", begin.trim()).isNotNegative();
        assertThat(to).as("ACCURACY.md has a block end %s", end).isGreaterThan(from);
        String block = generated.endsWith("\n") ? generated : generated + "\n";
        if (Boolean.getBoolean("tcpwatch.accuracy.update")) {
            Files.writeString(FILE, doc.substring(0, from + begin.length()) + block + doc.substring(to));
            return;
        }
        assertThat(doc.substring(from + begin.length(), to))
                .as("ACCURACY.md's %s block is this run's output (regenerate: -Dtcpwatch.accuracy.update=true)", name)
                .isEqualTo(block);
    }
}

package io.tcpwatch.agent.bench;

import io.tcpwatch.agent.testing.SyntheticTraffic;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the benchmarks' generated capture ({@link SyntheticTraffic}: 2,000 concurrent connections,
 * seed 42) unless it exists. Usage: {@code SyntheticCapture <file> <packets>}.
 */
public final class SyntheticCapture {

    private SyntheticCapture() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        if (!Files.exists(file)) {
            long written = SyntheticTraffic.write(file, Long.parseLong(args[1]), 2_000, 42);
            System.out.printf("%s: %,d packets, %,d bytes%n", file, written, Files.size(file));
        }
    }
}

package io.tcpwatch.common;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** A one-line progress bar on a terminal while capture files are read: packets, rate, bytes done and ETA. */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final long totalBytes;
    private final LongSupplier bytes;
    private final LongSupplier packets;
    private final long startNs = System.nanoTime();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tcpwatch-progress");
        t.setDaemon(true);
        return t;
    });

    public ProgressBar(PrintStream out, long totalBytes, LongSupplier bytes, LongSupplier packets) {
        this.out = out;
        this.totalBytes = Math.max(1, totalBytes);
        this.bytes = bytes;
        this.packets = packets;
        timer.scheduleAtFixedRate(this::draw, 250, 250, TimeUnit.MILLISECONDS);
    }

    private void draw() {
        double elapsed = (System.nanoTime() - startNs) / 1e9;
        long b = bytes.getAsLong();
        long p = packets.getAsLong();
        double done = Math.min(1.0, (double) b / totalBytes);
        int filled = (int) (done * WIDTH);
        double rate = elapsed > 0 ? p / elapsed : 0;
        String eta = done > 0 ? String.format("%.0fs", elapsed * (1 - done) / done) : "?";
        out.print(String.format("\r[%s%s] %3.0f%%  %,d packets  %,.0f/s  ETA %s   ",
                "=".repeat(filled), " ".repeat(WIDTH - filled), done * 100, p, rate, eta));
        out.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        out.print("\r" + " ".repeat(WIDTH + 60) + "\r");
        out.flush();
    }
}

package io.tcpwatch.cli.demo;

import io.tcpwatch.agent.Agent;
import io.tcpwatch.agent.capture.Pacer;
import io.tcpwatch.agent.output.SegmentSink;
import io.tcpwatch.schema.Segment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent that replays the bundled corpus captures (the server side of each scenario) at their
 * recorded pace, one after another, over and over, with their timestamps shifted to now: the job
 * sees them as live traffic. Each scenario is its own observer ({@code demo-<scenario>}).
 */
final class CorpusReplay implements Runnable {

    static final List<String> SCENARIOS = List.of("connection-limit", "refused", "backlog-and-flood", "port-reuse",
            "rst-after-fin", "idle-timeout", "zero-window", "packet-loss", "normal");

    private final List<Path> files = new ArrayList<>();
    private final SegmentSink sink;
    private volatile boolean stopping;
    private volatile Agent current;

    /** Copies the bundled captures into {@code dir} (the agent reads files). */
    CorpusReplay(Path dir, SegmentSink sink) throws IOException {
        this.sink = sink;
        Files.createDirectories(dir);
        for (String s : SCENARIOS) {
            String name = s + (s.equals("normal") ? ".server.pcapng" : ".server.pcap");
            try (InputStream in = CorpusReplay.class.getResourceAsStream("corpus/" + name)) {
                if (in == null) {
                    throw new IOException("the bundled capture " + name + " is missing from the build");
                }
                Path f = dir.resolve(name);
                Files.copy(in, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                files.add(f);
            }
        }
    }

    @Override
    public void run() {
        while (!stopping) {
            for (int i = 0; i < files.size() && !stopping; i++) {
                String observer = "demo-" + SCENARIOS.get(i);
                Agent agent = new Agent(observer, new ShiftToNow(sink), Pacer.parse("realtime", () -> stopping));
                current = agent;
                agent.replay(List.of(files.get(i)), msg -> { });
                sink.flush(); // the scenario's last batches, now rather than with the next scenario's segments
                pause(2_000); // scenarios a little apart, as incidents are
            }
            pause(20_000);
        }
    }

    private void pause(long ms) {
        long until = System.currentTimeMillis() + ms;
        while (!stopping && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    void stop() {
        stopping = true;
        Agent a = current;
        if (a != null) {
            a.requestStop();
        }
    }

    /** Shifts every segment by the difference between now and the replay's first segment. */
    private static final class ShiftToNow implements SegmentSink {
        private final SegmentSink next;
        private long offset = Long.MIN_VALUE;

        ShiftToNow(SegmentSink next) {
            this.next = next;
        }

        @Override
        public void accept(Segment s) throws InterruptedException {
            if (offset == Long.MIN_VALUE) {
                offset = System.currentTimeMillis() * 1_000_000L - s.tsNanos;
            }
            s.tsNanos += offset;
            next.accept(s);
        }

        @Override
        public void close() {
            // the shared sink is closed by the demo
        }
    }
}

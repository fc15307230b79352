package io.tcpwatch.common;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Ctrl-C and SIGTERM end the work gracefully (flush, final stats, exit 0) instead of killing the
 * JVM; a second signal exits at once.
 */
public final class Signals {
    private Signals() {}

    public static void onTerminate(Runnable stop) {
        AtomicInteger count = new AtomicInteger();
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), sig -> {
                    if (count.incrementAndGet() > 1) {
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                    System.err.println();
                    System.err.println("tcpwatch: stopping (" + "SIG" + sig.getName() + "); flushing — press Ctrl-C again to quit at once.");
                    stop.run();
                });
            } catch (IllegalArgumentException e) {
                // signal not available on this platform: the JVM default applies
            }
        }
    }
}

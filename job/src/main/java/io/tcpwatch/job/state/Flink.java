package io.tcpwatch.job.state;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.flink.util.FlinkRuntimeException;

/** Flink's state calls declare {@code Exception} (RocksDB I/O); the core's state does not: rethrown unchecked. */
final class Flink {

    interface Action {
        void run() throws Exception;
    }

    private Flink() {}

    static <T> T call(Callable<T> call) {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (IOException e) {
            throw new FlinkRuntimeException("keyed state could not be read or written", e);
        } catch (Exception e) {
            throw new FlinkRuntimeException(e);
        }
    }

    static void run(Action action) {
        call(() -> {
            action.run();
            return null;
        });
    }
}

package io.tcpwatch.common;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;

/** Waits for a Kafka cluster to answer, retrying with backoff, and gives up with one clear sentence. */
public final class BrokerCheck {

    private BrokerCheck() {}

    /**
     * @param say where retry notices go (one line each)
     * @return the number of brokers the cluster reported
     */
    public static int await(Properties adminConfig, Duration giveUpAfter, Consumer<String> say)
            throws TcpwatchException, InterruptedException {
        String bootstrap = adminConfig.getProperty("bootstrap.servers");
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        long backoffMs = 500;
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                String problem;
                try {
                    return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                } catch (TimeoutException e) {
                    problem = "no answer within 5 s";
                } catch (ExecutionException e) {
                    problem = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
                    if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException) {
                        // retrying cannot help: say so at once
                        throw new TcpwatchException(ExitCode.BROKER_AUTH_FAILED, String.format(
                                "Kafka at %s refused the connection's credentials or TLS handshake (%s); check the -X"
                                        + " security settings (security.protocol, sasl.*, ssl.*).", bootstrap, problem));
                    }
                }
                long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw new TcpwatchException(ExitCode.BROKER_UNREACHABLE, String.format(
                            "Kafka at %s is unreachable (%s); gave up after %d s (--broker-timeout).",
                            bootstrap, problem, giveUpAfter.toSeconds()));
                }
                long wait = Math.min(backoffMs, leftMs);
                say.accept(String.format("Kafka at %s is unreachable (%s); retrying in %.1f s.",
                        bootstrap, problem, wait / 1000.0));
                Thread.sleep(wait);
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new TcpwatchException(ExitCode.BROKER_UNREACHABLE,
                    "Kafka client configuration for " + bootstrap + " is not usable: " + e.getMessage());
        }
    }
}

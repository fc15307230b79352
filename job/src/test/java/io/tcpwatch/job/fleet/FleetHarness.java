package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.rules.FleetRules;
import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.FleetConfig;
import io.tcpwatch.core.fleet.FleetStats;
import io.tcpwatch.core.fleet.PairStats;
import io.tcpwatch.job.TcpwatchJob;
import io.tcpwatch.core.record.Detection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * The job's fleet stage as a chain of operator test harnesses, wired as {@link TcpwatchJob} wires
 * it: vantage dedup → server windows → server rules, and → pair windows → pair rules. Each record
 * an operator emits is handed to the next with its timestamp; watermarks go through in order.
 */
final class FleetHarness implements AutoCloseable {

    private final KeyedOneInputStreamOperatorTestHarness<String, ConnectionEvent, ConnectionEvent> dedup;
    private final OneInputStreamOperatorTestHarness<ConnectionEvent, ServerEvents> buckets;
    private final KeyedOneInputStreamOperatorTestHarness<String, ServerEvents, FleetStats> serverStats;
    private final KeyedOneInputStreamOperatorTestHarness<String, FleetStats, Detection> serverRules;
    private final KeyedOneInputStreamOperatorTestHarness<String, ConnectionEvent, PairStats> pairStats;
    private final KeyedOneInputStreamOperatorTestHarness<String, PairStats, Detection> pairRules;
    private final List<FleetStats> stats = new ArrayList<>();
    private final List<Detection> detections = new ArrayList<>();

    FleetHarness(FleetConfig cfg) throws Exception {
        dedup = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new VantageDedup(cfg.dedupTolerance)),
                ConnectionEvent::connectionId, Types.STRING);
        buckets = new OneInputStreamOperatorTestHarness<>(new ServerBuckets(1_000));
        serverStats = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FleetStatsFunction(cfg, Duration.ofSeconds(1))), b -> b.server, Types.STRING);
        serverRules = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EpisodeFunction<>(FleetRules.SERVER, cfg)), w -> w.server, Types.STRING);
        pairStats = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new PairStatsFunction(cfg.window)), ConnectionEvent::pair, Types.STRING);
        pairRules = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EpisodeFunction<>(FleetRules.PAIR, cfg)), PairStats::pair, Types.STRING);
        for (var h : List.of(dedup, buckets, serverStats, serverRules, pairStats, pairRules)) {
            h.open();
        }
    }

    void send(ConnectionEvent e) throws Exception {
        dedup.processElement(e, Math.floorDiv(e.tsNs, 1_000_000L));
        forward();
    }

    void watermark(long epochMs) throws Exception {
        dedup.processWatermark(epochMs);
        forward();
        buckets.processWatermark(epochMs);
        forward();
        serverStats.processWatermark(epochMs);
        forward();
        serverRules.processWatermark(epochMs);
        pairStats.processWatermark(epochMs);
        forward();
        pairRules.processWatermark(epochMs);
        forward();
    }

    /** Fleet statistics emitted so far. */
    List<FleetStats> stats() {
        return stats;
    }

    /** Fleet detections emitted so far, server rules first. */
    List<Detection> detections() {
        return detections;
    }

    int stateEntries() {
        return dedup.numKeyedStateEntries() + serverStats.numKeyedStateEntries() + serverRules.numKeyedStateEntries()
                + pairStats.numKeyedStateEntries() + pairRules.numKeyedStateEntries();
    }

    @SuppressWarnings("unchecked")
    private void forward() throws Exception {
        for (Object o : drain(dedup)) {
            StreamRecord<ConnectionEvent> r = (StreamRecord<ConnectionEvent>) o;
            buckets.processElement(r.getValue(), r.getTimestamp());
            if (r.getValue().forPairs()) {
                pairStats.processElement(r.getValue(), r.getTimestamp());
            }
        }
        for (Object o : drain(buckets)) {
            serverStats.processElement((StreamRecord<ServerEvents>) o);
        }
        for (Object o : drain(serverStats)) {
            StreamRecord<FleetStats> r = (StreamRecord<FleetStats>) o;
            stats.add(r.getValue());
            serverRules.processElement(r.getValue(), r.getTimestamp());
        }
        for (Object o : drain(pairStats)) {
            StreamRecord<PairStats> r = (StreamRecord<PairStats>) o;
            pairRules.processElement(r.getValue(), r.getTimestamp());
        }
        for (Object o : drain(serverRules)) {
            detections.add(((StreamRecord<Detection>) o).getValue());
        }
        for (Object o : drain(pairRules)) {
            detections.add(((StreamRecord<Detection>) o).getValue());
        }
    }

    private static List<Object> drain(OneInputStreamOperatorTestHarness<?, ?> h) {
        List<Object> records = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?>) {
                records.add(o);
            }
        }
        h.getOutput().clear();
        return records;
    }

    @Override
    public void close() throws Exception {
        for (var h : List.of(dedup, buckets, serverStats, serverRules, pairStats, pairRules)) {
            h.close();
        }
    }
}

package io.tcpwatch.job.fleet;

import io.tcpwatch.core.fleet.ConnectionEvent;
import io.tcpwatch.core.fleet.ServerWindows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The local combiner before the exchange to the fleet windows: a subtask's connection events wait
 * here, per server endpoint and 10 ms bucket, until the watermark reaches the bucket's end, and
 * then leave as one {@link ServerEvents} record per server and bucket, before the watermark goes
 * on. The fleet windows apply a bucket only the reject window after its end
 * ({@link ServerWindows}), so nothing arrives there later than it would have one event at a time;
 * an event of a bucket that has ended already waits for the next watermark only.
 *
 * <p>What waits is in memory, never in a checkpoint: everything leaves before each checkpoint
 * barrier (a restore replays the input that made it), at the end of the input, and when more than
 * {@code maxWaiting} events wait.
 */
public final class ServerBuckets extends AbstractStreamOperator<ServerEvents>
        implements OneInputStreamOperator<ConnectionEvent, ServerEvents>, BoundedOneInput {

    private final int maxWaiting;
    /** By bucket end (ms), then server: the events in the order they came. */
    private transient TreeMap<Long, Map<String, List<ConnectionEvent>>> waiting;
    private transient int waitingEvents;
    private transient Counter recordsOut;

    /** @param maxWaiting events held at most; past it every bucket leaves at once */
    public ServerBuckets(int maxWaiting) {
        this.maxWaiting = maxWaiting;
    }

    @Override
    public void open() throws Exception {
        super.open();
        waiting = new TreeMap<>();
        recordsOut = getMetricGroup().counter("serverBucketsOut");
    }

    @Override
    public void processElement(StreamRecord<ConnectionEvent> record) {
        ConnectionEvent e = record.getValue();
        waiting.computeIfAbsent(ServerWindows.bucketEndMs(e.tsNs), end -> new HashMap<>())
                .computeIfAbsent(e.server, s -> new ArrayList<>()).add(e);
        if (++waitingEvents > maxWaiting) {
            emitUpTo(Long.MAX_VALUE);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        emitUpTo(mark.getTimestamp());
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) {
        emitUpTo(Long.MAX_VALUE);
    }

    @Override
    public void endInput() {
        emitUpTo(Long.MAX_VALUE);
    }

    /** Every bucket that ends at or before {@code watermarkMs} leaves, oldest first. */
    private void emitUpTo(long watermarkMs) {
        Map.Entry<Long, Map<String, List<ConnectionEvent>>> bucket;
        while ((bucket = waiting.firstEntry()) != null && bucket.getKey() <= watermarkMs) {
            waiting.pollFirstEntry();
            for (Map.Entry<String, List<ConnectionEvent>> server : bucket.getValue().entrySet()) {
                output.collect(new StreamRecord<>(ServerEvents.of(server.getKey(), server.getValue())));
                waitingEvents -= server.getValue().size();
                recordsOut.inc();
            }
        }
    }
}

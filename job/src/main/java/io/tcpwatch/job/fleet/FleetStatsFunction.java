package io.tcpwatch.job.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.memory.WritableMemory;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Per server endpoint: tumbling event-time windows of connection outcomes → {@link FleetStats}.
 * Keeps the number of established connections across windows (for the concurrency high-water
 * mark), counts each connection once however many vantage points reported it, and estimates
 * distinct clients with a HyperLogLog sketch. Events are applied in event-time order once the
 * watermark passes them. State: events waiting for the watermark, one accumulator per open window,
 * the concurrency counter, and the recently seen event ids (purged as windows close).
 */
public class FleetStatsFunction extends KeyedProcessFunction<String, ConnectionEvent, FleetStats> {

    private static final int HLL_LG_K = 10;
    private static final long BUCKET_NS = 10_000_000L;

    private final long windowNs;

    private transient MapState<Long, FleetStats> windows;
    private transient MapState<Long, byte[]> clientSketches;
    private transient ValueState<Long> concurrent;
    private transient MapState<String, Long> seen;
    private transient MapState<Long, List<ConnectionEvent>> pending;
    private transient Counter lateEvents;
    private transient Counter duplicateEvents;

    public FleetStatsFunction(Duration window) {
        this.windowNs = window.toNanos();
        if (windowNs <= 0 || windowNs % BUCKET_NS != 0) {
            throw new IllegalArgumentException("the fleet window must be a positive multiple of 10 ms, not " + window);
        }
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(new MapStateDescriptor<>("windows", Long.class, FleetStats.class));
        clientSketches = getRuntimeContext().getMapState(new MapStateDescriptor<>("clients", Long.class, byte[].class));
        concurrent = getRuntimeContext().getState(new ValueStateDescriptor<>("concurrent", Long.class));
        seen = getRuntimeContext().getMapState(new MapStateDescriptor<>("seen", String.class, Long.class));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending", Types.LONG,
                Types.LIST(TypeInformation.of(ConnectionEvent.class))));
        lateEvents = getRuntimeContext().getMetricGroup().counter("lateConnectionEvents");
        duplicateEvents = getRuntimeContext().getMetricGroup().counter("duplicateConnectionEvents");
    }

    @Override
    public void processElement(ConnectionEvent e, Context ctx, Collector<FleetStats> out) throws Exception {
        long startNs = Math.floorDiv(e.tsNs, windowNs) * windowNs;
        long endMs = Math.floorDiv(startNs + windowNs, 1_000_000L);
        if (endMs <= ctx.timerService().currentWatermark()) {
            lateEvents.inc(); // its window has been reported already
            return;
        }
        // events arrive from many connections slightly out of order: they wait in 10 ms buckets
        // until the watermark passes, then are applied sorted by event time (what a high-water
        // mark of concurrency needs); one timer per bucket, not per event
        long bucketEndMs = (Math.floorDiv(e.tsNs, BUCKET_NS) + 1) * BUCKET_NS / 1_000_000L;
        List<ConnectionEvent> bucket = pending.get(bucketEndMs);
        if (bucket == null) {
            bucket = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(bucketEndMs);
        }
        bucket.add(e);
        pending.put(bucketEndMs, bucket);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FleetStats> out) throws Exception {
        long nowNs = timestamp * 1_000_000L;
        // 1. the events of the bucket ending now, in event-time order
        List<ConnectionEvent> due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            due.sort(Comparator.comparingLong(e -> e.tsNs));
            for (ConnectionEvent e : due) {
                apply(e, ctx);
            }
        }
        if (nowNs % windowNs != 0) {
            return;
        }
        // 2. at a window boundary: the window ending now …
        long endedStartNs = nowNs - windowNs;
        FleetStats ended = windows.get(endedStartNs);
        if (ended != null) {
            byte[] sketch = clientSketches.get(endedStartNs);
            ended.distinctClients = sketch == null ? 0 : Math.round(HllSketch.wrap(Memory.wrap(sketch)).getEstimate());
            out.collect(ended);
            windows.remove(endedStartNs);
            clientSketches.remove(endedStartNs);
        }
        // 3. … and event ids old enough that no second vantage point will report them any more
        List<String> expired = new ArrayList<>();
        for (Iterator<Map.Entry<String, Long>> it = seen.iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> entry = it.next();
            if (entry.getValue() <= nowNs) {
                expired.add(entry.getKey());
            }
        }
        for (String id : expired) {
            seen.remove(id);
        }
        if (windows.isEmpty() && seen.isEmpty() && pending.isEmpty() && Long.valueOf(0).equals(concurrent.value())) {
            concurrent.clear(); // nothing left to remember for this server
        }
    }

    private void apply(ConnectionEvent e, Context ctx) throws Exception {
        String id = e.dedupKey();
        if (seen.contains(id)) {
            duplicateEvents.inc(); // the other vantage point of the same connection
            return;
        }
        long startNs = Math.floorDiv(e.tsNs, windowNs) * windowNs;
        long forgetNs = startNs + 2 * windowNs; // a window boundary: one timer serves many entries
        seen.put(id, forgetNs);
        ctx.timerService().registerEventTimeTimer(Math.floorDiv(forgetNs, 1_000_000L));

        FleetStats w = windows.get(startNs);
        Long open = concurrent.value();
        long now = open == null ? 0 : open;
        if (w == null) {
            w = new FleetStats();
            w.server = ctx.getCurrentKey();
            w.windowStartNs = startNs;
            w.windowEndNs = startNs + windowNs;
            w.concurrencyHighWater = now;
            ctx.timerService().registerEventTimeTimer(Math.floorDiv(startNs + windowNs, 1_000_000L));
        }
        switch (e.kind) {
            case OPENED -> {
                w.newConnections++;
                byte[] sketch = clientSketches.get(startNs);
                if (sketch == null) { // a sketch laid out in its own bytes, updated in place
                    sketch = new byte[HllSketch.getMaxUpdatableSerializationBytes(HLL_LG_K, TgtHllType.HLL_4)];
                    new HllSketch(HLL_LG_K, TgtHllType.HLL_4, WritableMemory.writableWrap(sketch));
                }
                HllSketch.writableWrap(WritableMemory.writableWrap(sketch)).update(e.clientHost());
                clientSketches.put(startNs, sketch);
            }
            case ESTABLISHED -> {
                w.established++;
                now++;
                w.concurrencyHighWater = Math.max(w.concurrencyHighWater, now);
            }
            case CLOSED -> {
                w.closed++;
                if (e.wasEstablished) {
                    now = Math.max(0, now - 1);
                }
                if (e.rstCause != null) {
                    w.countRst(e.rstCause);
                }
                w.halfOpen += e.halfOpen ? 1 : 0;
                w.zeroWindowStalls += e.zeroWindowStall ? 1 : 0;
                w.synRetransmits += e.synRetransmits;
                w.retransmissions += e.retransmissions;
                w.dataSegments += e.dataSegments;
            }
            default -> throw new IllegalStateException("unknown event kind " + e.kind);
        }
        concurrent.update(now);
        windows.put(startNs, w);
    }
}

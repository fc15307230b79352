package io.tcpwatch.core.fleet;

import io.tcpwatch.core.record.RstCause;
import io.tcpwatch.core.state.Cell;
import io.tcpwatch.core.state.StateStore;
import io.tcpwatch.core.state.Table;
import io.tcpwatch.core.state.Timers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.memory.WritableMemory;
import org.HdrHistogram.Histogram;

/**
 * Per server endpoint: tumbling event-time windows of (deduplicated) connection outcomes →
 * {@link FleetStats}. Events wait in 10 ms buckets until the watermark has passed them by the
 * tracker's reject window, then are applied in event-time order: by then a connection rejected
 * right after its handshake has reported its RST, so it is kept out of the concurrency count (it
 * never held a slot in the application). Across windows the function remembers the connections
 * established now, an RST baseline, the last new connection and the burst after the last quiet
 * period ({@link ServerHistory}); distinct clients (of the window and of the burst) and half-open
 * sources are HyperLogLog sketches, the clients of RSTs a frequent-items
 * sketch (Apache DataSketches), each stored as bytes and updated in place. Response times go into
 * an HdrHistogram (microseconds, three significant digits): its quantiles depend only on the values,
 * never on their order or on chance, so the same capture gives the same figures in every run and in
 * both drivers.
 */
public final class ServerWindows {

    private static final int HLL_LG_K = 10;
    private static final int TOP_CLIENTS_MAP = 32;
    private static final long BUCKET_NS = 10_000_000L;
    private static final int RESPONSE_BATCH = 256;
    private static final int RESPONSE_DIGITS = 3;
    /** Events of one bucket in the order they happened; a connection's own keep the order they came in. */
    private static final Comparator<ConnectionEvent> EVENT_TIME_ORDER =
            Comparator.<ConnectionEvent>comparingLong(e -> e.tsNs).thenComparing(ConnectionEvent::connectionId);
    private static final String REJECTED = RstCause.REJECTED_AFTER_HANDSHAKE.name();
    private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

    private final long windowNs;
    private final long delayMs;
    private final double baselineAlpha;
    private final long retentionMs;
    private final long reconnectQuietNs;
    private final long reconnectBurstNs;

    private final Table<Long, FleetStats> windows;
    private final Table<Long, byte[]> clientSketches;
    private final Table<Long, byte[]> halfOpenSketches;
    private final Table<Long, byte[]> rstClientSketches;
    private final Table<Long, byte[]> responseHistograms;
    /** Response times (µs) not yet in the window's histogram: their count in element 0, then the values. */
    private final Table<Long, long[]> responsesPending;
    /** Events waiting for the watermark, by the event time (ms) at which their bucket is due. */
    private final Table<Long, List<ConnectionEvent>> pending;
    private final Table<String, Boolean> rejected;
    private final Cell<ServerHistory> history;
    /** The distinct clients of the burst after the last quiet period (a HyperLogLog sketch), while it lasts. */
    private final Cell<byte[]> burstClients;
    /** Where histograms are encoded: room for the whole counts array, kept between batches. */
    private ByteBuffer encoding;

    /**
     * @param cfg           the fleet configuration: window width (a multiple of 10 ms), RST baseline span,
     *                      how long an idle server's history is kept
     * @param rejectWindow  how long events wait beyond the watermark: the tracker's reject window (a rejection
     *                      is known that long after the handshake) and its handshake verdict (a HANDSHAKE event
     *                      comes that long after the SYN whose time it carries)
     * @param store         where the state of each server lives
     */
    public ServerWindows(FleetConfig cfg, Duration rejectWindow, StateStore store) {
        this.windowNs = cfg.window.toNanos();
        if (windowNs <= 0 || windowNs % BUCKET_NS != 0) {
            throw new IllegalArgumentException("the fleet window must be a positive multiple of 10 ms, not " + cfg.window);
        }
        this.delayMs = rejectWindow.toMillis();
        this.baselineAlpha = 2.0 / (cfg.rstBaselineWindows + 1);
        this.retentionMs = cfg.historyRetention.toMillis();
        this.reconnectQuietNs = cfg.reconnectQuiet.toNanos();
        this.reconnectBurstNs = cfg.reconnectBurst.toNanos();
        windows = store.table("windows", Long.class, FleetStats.class);
        clientSketches = store.table("clients", Long.class, byte[].class);
        halfOpenSketches = store.table("half-open-sources", Long.class, byte[].class);
        responseHistograms = store.table("response-histograms", Long.class, byte[].class);
        responsesPending = store.table("response-us-pending", Long.class, long[].class);
        rstClientSketches = store.table("rst-clients", Long.class, byte[].class);
        pending = store.listTable("pending", Long.class, ConnectionEvent.class);
        rejected = store.table("rejected", String.class, Boolean.class);
        history = store.cell("history", ServerHistory.class);
        burstClients = store.cell("burst-clients", byte[].class);
    }

    /**
     * A connection event of the current server; false when it came after its bucket was applied (then
     * it is counted, reported with the next window, and the caller may count it too).
     */
    public boolean onEvent(ConnectionEvent e, Timers timers) {
        return onEvents(List.of(e), timers) == 0;
    }

    /**
     * Connection events of the current server, as a combiner upstream gathers them (one bucket's, as a
     * rule): each bucket's waiting list is read and written once. Returns how many came after their
     * bucket was applied (counted, reported with the next window).
     */
    public int onEvents(List<ConnectionEvent> events, Timers timers) {
        int late = 0;
        int rejections = 0;
        long openDueMs = Long.MIN_VALUE;
        List<ConnectionEvent> open = null;
        for (ConnectionEvent e : events) {
            long dueMs = dueMs(e.tsNs);
            if (dueMs <= timers.watermark()) {
                late++;
                continue;
            }
            if (e.kind == ConnectionEvent.Kind.CLOSED && REJECTED.equals(e.rstCause) && e.wasEstablished) {
                rejected.put(e.connectionId(), true); // its ESTABLISHED, still waiting, will know
                rejections++;
            }
            if (dueMs != openDueMs) {
                keep(openDueMs, open);
                open = waiting(dueMs, timers);
                openDueMs = dueMs;
            }
            open.add(e);
        }
        keep(openDueMs, open);
        if (late > 0 || rejections > 0) {
            ServerHistory h = history.get();
            h = h == null ? new ServerHistory() : h;
            h.lateEvents += late;
            h.rejectionsWaiting += rejections;
            history.set(h);
        }
        return late;
    }

    /**
     * The end (event-time ms) of the 10 ms bucket holding {@code tsNs}: its events are applied the reject
     * window later, so a combiner upstream may gather them until the watermark reaches this end.
     */
    public static long bucketEndMs(long tsNs) {
        return (Math.floorDiv(tsNs, BUCKET_NS) + 1) * BUCKET_NS / 1_000_000L;
    }

    /** When the events of the bucket holding {@code tsNs} are applied (event-time ms). */
    private long dueMs(long tsNs) {
        return bucketEndMs(tsNs) + delayMs;
    }

    /** The events waiting for {@code dueMs}; a new list, and its one timer, for the first of them. */
    private List<ConnectionEvent> waiting(long dueMs, Timers timers) {
        // one timer per 10 ms bucket, not per event (wider buckets make RocksDB rewrite long lists)
        List<ConnectionEvent> bucket = pending.get(dueMs);
        if (bucket == null) {
            bucket = new ArrayList<>();
            timers.schedule(dueMs);
        }
        return bucket;
    }

    private void keep(long dueMs, List<ConnectionEvent> bucket) {
        if (bucket != null) {
            pending.put(dueMs, bucket);
        }
    }

    /** A deadline of the current server: a bucket to apply, a window to report, a history to forget. */
    public void onTimer(String server, long timestamp, Timers timers, Consumer<FleetStats> out) {
        ServerHistory h = history.get();
        if (h == null) {
            h = new ServerHistory();
        }
        // 1. the events of the bucket due now, in event-time order
        List<ConnectionEvent> due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            due.sort(EVENT_TIME_ORDER);
            Update u = null; // a bucket lies in one window: its state is read once and written once
            for (ConnectionEvent e : due) {
                long startNs = Math.floorDiv(e.tsNs, windowNs) * windowNs;
                if (u == null || u.startNs != startNs) {
                    if (u != null) {
                        u.write();
                    }
                    u = new Update(server, startNs, h, timers);
                }
                apply(e, u, h);
            }
            if (u != null) {
                u.write();
            }
        }
        // 2. at a window boundary (shifted by the delay): the window that ended
        long boundaryNs = (timestamp - delayMs) * 1_000_000L;
        if (Math.floorMod(boundaryNs, windowNs) == 0) {
            emitWindow(boundaryNs - windowNs, h, out);
        }
        // 3. an idle server is forgotten after the retention
        boolean idle = h.isIdle() && pending.isEmpty() && windows.isEmpty();
        long forgetAtMs = h.lastActivityNs() / 1_000_000L + windowNs / 1_000_000L + retentionMs;
        if (idle && forgetAtMs <= timestamp) {
            history.clear();
            burstClients.clear();
        } else {
            history.set(h);
            if (idle) {
                timers.schedule(forgetAtMs);
            }
        }
    }

    private void emitWindow(long startNs, ServerHistory h, Consumer<FleetStats> out) {
        FleetStats w = windows.get(startNs);
        if (w == null) {
            return;
        }
        w.distinctClients = estimate(clientSketches.get(startNs));
        w.halfOpenSources = estimate(halfOpenSketches.get(startNs));
        w.rstClients = rstClientSketches.get(startNs);
        w.rstBaseline = h.fold(startNs, windowNs, w.rsts(), baselineAlpha);
        byte[] responses = responseHistograms.get(startNs);
        long[] pendingResponses = responsesPending.get(startNs);
        responseTimes(w, responses == null && pendingResponses == null ? null : histogram(responses, pendingResponses), h);
        w.lateEvents = h.lateEvents;
        h.lateEvents = 0;
        burst(w, h);
        out.accept(w);
        windows.remove(startNs);
        clientSketches.remove(startNs);
        halfOpenSketches.remove(startNs);
        rstClientSketches.remove(startNs);
        responseHistograms.remove(startNs);
        responsesPending.remove(startNs);
    }

    private void apply(ConnectionEvent e, Update u, ServerHistory h) {
        FleetStats w = u.w;
        w.addObserver(e.observer);
        switch (e.kind) {
            case OPENED -> {
                w.newConnections++;
                // a server's first connection says nothing of the silence before it: other agents' clocks
                // (and when this stage started) are no measure of it
                long quiet = e.tsNs - (h.lastOpenedNs != 0 ? h.lastOpenedNs : e.tsNs);
                w.quietBeforeNs = Math.max(w.quietBeforeNs, quiet);
                if (quiet >= reconnectQuietNs && quiet > 0) { // a burst may begin: its clients are counted anew
                    h.burstStartNs = e.tsNs;
                    h.burstQuietNs = quiet;
                    u.newBurst();
                }
                h.lastOpenedNs = Math.max(h.lastOpenedNs, e.tsNs);
            }
            case HANDSHAKE -> handshake(e, w);
            case ESTABLISHED -> {
                w.established++;
                u.client(e.clientHost());
                if (h.burstStartNs != 0 && e.tsNs >= h.burstStartNs && e.tsNs - h.burstStartNs <= reconnectBurstNs) {
                    u.burstClient(e.clientHost());
                }
                if (!wasRejected(e, h)) {
                    h.concurrent++;
                    w.concurrencyHighWater = Math.max(w.concurrencyHighWater, h.concurrent);
                    if (w.concurrencySinceFirstRejection >= 0) {
                        w.concurrencySinceFirstRejection = Math.max(w.concurrencySinceFirstRejection, h.concurrent);
                    }
                }
            }
            case CLOSED -> {
                w.closed++;
                boolean wasRejected = wasRejected(e, h);
                if (wasRejected) {
                    rejected.remove(e.connectionId());
                    h.rejectionsWaiting--;
                    w.concurrencyAtRejectionMin = w.concurrencyAtRejectionMin < 0 ? h.concurrent
                            : Math.min(w.concurrencyAtRejectionMin, h.concurrent);
                    w.concurrencyAtRejectionMax = Math.max(w.concurrencyAtRejectionMax, h.concurrent);
                    w.concurrencySinceFirstRejection = Math.max(w.concurrencySinceFirstRejection, h.concurrent);
                    w.concurrencyDuringRejections = w.concurrencySinceFirstRejection;
                } else if (e.wasEstablished) {
                    h.concurrent = Math.max(0, h.concurrent - 1);
                }
                if (e.rstCause != null) {
                    w.countRst(e.rstCause, e.rstOrigin);
                    u.rstClients().update(e.clientHost());
                }
                if (e.halfOpen) {
                    w.halfOpen++;
                    u.halfOpenSource(e.clientHost());
                    if (e.synRetransmits > 0) {
                        w.retriedHalfOpen++;
                    }
                }
                w.handshakeAcksIgnored += e.handshakeAckIgnored ? 1 : 0;
                if (e.responseNs >= 0) {
                    u.response(e.responseNs / 1_000L);
                }
                w.zeroWindowStalls += e.zeroWindowStall ? 1 : 0;
                w.synRetransmits += e.synRetransmits;
                w.retransmissions += e.retransmissions;
                w.dataSegments += e.dataSegments;
            }
            default -> throw new IllegalStateException("unknown event kind " + e.kind);
        }
    }

    /** Whether {@code e}'s connection was rejected right after its handshake; looked up only while rejections wait. */
    private boolean wasRejected(ConnectionEvent e, ServerHistory h) {
        return h.rejectionsWaiting > 0 && rejected.contains(e.connectionId());
    }

    /**
     * The burst after the last quiet period, when it reaches into the window {@code w}: its distinct
     * clients so far and the silence before it. A burst over by the window's end is forgotten.
     */
    private void burst(FleetStats w, ServerHistory h) {
        long burstEndNs = h.burstStartNs + reconnectBurstNs;
        if (h.burstStartNs == 0 || h.burstStartNs >= w.windowEndNs) {
            return;
        }
        if (burstEndNs >= w.windowStartNs) {
            w.burstClients = estimate(burstClients.get());
            w.burstQuietNs = h.burstQuietNs;
        }
        if (burstEndNs < w.windowEndNs) {
            h.burstStartNs = 0;
            h.burstQuietNs = 0;
            burstClients.clear();
        }
    }

    /**
     * A handshake's outcome, in the window of its SYN: what the server's SYN and accept queues did to
     * the connections that started in it.
     */
    private static void handshake(ConnectionEvent e, FleetStats w) {
        boolean retried = e.synRetransmits > 0 && !e.portReuseCollision;
        if (e.wasEstablished) {
            w.retriedEstablished += retried ? 1 : 0;
        } else if (!e.refused) {
            w.pendingHandshakes++;
            if (retried) {
                w.retriedPending++;
            } else if (e.synRetransmits == 0) {
                w.singleSynPending++;
            }
            w.unansweredSyns += e.synAnswered ? 0 : 1;
            w.statelessSynAcks += e.statelessSynAck ? 1 : 0;
        }
    }

    /** The window's response-time quantiles, and the server's own 90th percentile before it. */
    private void responseTimes(FleetStats w, Histogram histogram, ServerHistory h) {
        if (histogram == null) {
            w.responseBaselineP90Ms = h.responseP90Ms;
            return;
        }
        w.responses = histogram.getTotalCount();
        w.responseP50Ms = histogram.getValueAtPercentile(50) / 1e3;
        w.responseP90Ms = histogram.getValueAtPercentile(90) / 1e3;
        w.responseP99Ms = histogram.getValueAtPercentile(99) / 1e3;
        w.responseBaselineP90Ms = h.foldResponses(w.responseP90Ms, baselineAlpha);
    }

    /**
     * What the events of one due bucket change in their window's state, read when first needed and
     * written once when the bucket is done (with RocksDB every read and write serializes it whole).
     */
    private final class Update {
        final long startNs;
        final FleetStats w;
        private byte[] clients;
        private byte[] halfOpen;
        private byte[] burst;
        /** {@link #burst} is the sketch to write back (null: cleared), no longer the one in state. */
        private boolean burstChanged;
        private ItemsSketch<String> rstClients;
        /** Response times (µs) not yet in the window's histogram: their count in element 0, then the values. */
        private long[] responses;
        private boolean responsesRead;

        Update(String server, long startNs, ServerHistory h, Timers timers) {
            this.startNs = startNs;
            FleetStats stored = windows.get(startNs);
            if (stored == null) {
                stored = new FleetStats();
                stored.server = server;
                stored.windowStartNs = startNs;
                stored.windowEndNs = startNs + windowNs;
                stored.concurrencyHighWater = h.concurrent;
                timers.schedule(Math.floorDiv(startNs + windowNs, 1_000_000L) + delayMs);
            }
            this.w = stored;
        }

        /** A client that completed a handshake, in the window's sketch. */
        void client(String host) {
            clients = updateHll(clients == null ? clientSketches.get(startNs) : clients, host);
        }

        /** The source of a half-open connection, in the window's sketch. */
        void halfOpenSource(String host) {
            halfOpen = updateHll(halfOpen == null ? halfOpenSketches.get(startNs) : halfOpen, host);
        }

        /** A client of the burst after the quiet, in the burst's sketch. */
        void burstClient(String host) {
            burst = updateHll(burstChanged ? burst : burstClients.get(), host);
            burstChanged = true;
        }

        /** A new burst begins: its clients are counted anew. */
        void newBurst() {
            burst = null;
            burstChanged = true;
        }

        ItemsSketch<String> rstClients() {
            if (rstClients == null) {
                byte[] bytes = rstClientSketches.get(startNs);
                rstClients = bytes == null ? new ItemsSketch<>(TOP_CLIENTS_MAP) : ItemsSketch.getInstance(Memory.wrap(bytes), STRINGS);
            }
            return rstClients;
        }

        /**
         * A response time (µs): kept with the others still pending, which go into the window's
         * histogram {@value ServerWindows#RESPONSE_BATCH} at a time (a histogram is read and written
         * whole, so once per value would cost its size on every response).
         */
        void response(long us) {
            if (!responsesRead) {
                responses = responsesPending.get(startNs);
                responsesRead = true;
            }
            int n = responses == null ? 0 : (int) responses[0];
            if (responses == null || n + 1 == responses.length) {
                responses = Arrays.copyOf(responses == null ? new long[1] : responses,
                        Math.min(RESPONSE_BATCH + 1, Math.max(8, 2 * (n + 1))));
            }
            responses[++n] = us;
            responses[0] = n;
            if (n == RESPONSE_BATCH) {
                responseHistograms.put(startNs, encode(histogram(responseHistograms.get(startNs), responses)));
                responses = null;
            }
        }

        void write() {
            windows.put(startNs, w);
            if (clients != null) {
                clientSketches.put(startNs, clients);
            }
            if (halfOpen != null) {
                halfOpenSketches.put(startNs, halfOpen);
            }
            if (rstClients != null) {
                rstClientSketches.put(startNs, rstClients.toByteArray(STRINGS));
            }
            if (responsesRead) {
                if (responses == null) {
                    responsesPending.remove(startNs);
                } else {
                    responsesPending.put(startNs, responses);
                }
            }
            if (burstChanged) {
                if (burst == null) {
                    burstClients.clear();
                } else {
                    burstClients.set(burst);
                }
            }
        }
    }

    /** A window's histogram ({@code bytes}, null for none yet) with the {@code pending} values added (null for none). */
    private static Histogram histogram(byte[] bytes, long[] pending) {
        Histogram histogram = bytes == null ? new Histogram(RESPONSE_DIGITS)
                : Histogram.decodeFromByteBuffer(ByteBuffer.wrap(bytes), 0);
        histogram.setAutoResize(true); // a decoded histogram ends at the largest value it held
        for (int i = 1; pending != null && i <= (int) pending[0]; i++) {
            histogram.recordValue(pending[i]);
        }
        return histogram;
    }

    private byte[] encode(Histogram histogram) {
        int capacity = histogram.getNeededByteBufferCapacity();
        if (encoding == null || encoding.capacity() < capacity) {
            encoding = ByteBuffer.allocate(capacity);
        }
        encoding.clear();
        histogram.encodeIntoByteBuffer(encoding);
        return Arrays.copyOf(encoding.array(), encoding.position());
    }

    /** A HyperLogLog sketch laid out in its own bytes, updated in place. */
    private static byte[] updateHll(byte[] sketch, String item) {
        if (sketch == null) {
            sketch = new byte[HllSketch.getMaxUpdatableSerializationBytes(HLL_LG_K, TgtHllType.HLL_4)];
            new HllSketch(HLL_LG_K, TgtHllType.HLL_4, WritableMemory.writableWrap(sketch));
        }
        HllSketch.writableWrap(WritableMemory.writableWrap(sketch)).update(item);
        return sketch;
    }

    private static long estimate(byte[] hll) {
        return hll == null ? 0 : Math.round(HllSketch.wrap(Memory.wrap(hll)).getEstimate());
    }
}

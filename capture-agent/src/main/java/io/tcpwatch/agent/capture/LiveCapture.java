package io.tcpwatch.agent.capture;

import io.tcpwatch.capture.CaptureInterface;
import io.tcpwatch.capture.FrameHandler;
import io.tcpwatch.common.TcpwatchException;
import io.tcpwatch.common.ExitCode;
import io.tcpwatch.capture.parse.LinkType;
import java.sql.Timestamp;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Live capture with libpcap through pcap4j: header-only snap length, immediate mode, nanosecond
 * timestamps where the platform has them, a BPF filter. pcap4j only hands frames over; parsing
 * is ours.
 */
public final class LiveCapture implements AutoCloseable {

    /** Capture options; {@code bufferMb} 0 keeps libpcap's default. */
    public record Options(String device, String bpf, int snaplen, int bufferMb, boolean promiscuous) {}

    /** libpcap's counters: received by the filter, dropped for lack of buffer, dropped by the interface. */
    public record Stats(long received, long dropped, long ifDropped) {}

    private final PcapHandle handle;
    private final CaptureInterface iface;
    private final boolean nanos;
    private volatile boolean stopped;

    private LiveCapture(PcapHandle handle, CaptureInterface iface, boolean nanos) {
        this.handle = handle;
        this.iface = iface;
        this.nanos = nanos;
    }

    /** Opens the device; every failure a user can meet becomes an {@link TcpwatchException}. */
    public static LiveCapture open(Options o) throws TcpwatchException {
        PcapNetworkInterface nif;
        try {
            nif = Pcaps.getDevByName(o.device());
        } catch (PcapNativeException e) {
            throw classify(o.device(), e);
        }
        if (nif == null) {
            throw new TcpwatchException(ExitCode.NO_SUCH_INTERFACE, "There is no interface named '" + o.device()
                    + "'" + available() + ".");
        }
        PcapHandle handle;
        boolean nanos = true;
        try {
            handle = builder(o, PcapHandle.TimestampPrecision.NANO).build();
        } catch (PcapNativeException e) {
            if (!isPrecisionProblem(e)) {
                throw classify(o.device(), e);
            }
            nanos = false; // the platform has only microseconds
            try {
                handle = builder(o, PcapHandle.TimestampPrecision.MICRO).build();
            } catch (PcapNativeException e2) {
                throw classify(o.device(), e2);
            }
        }
        if (handle.getDlt().value() == LinkType.LINUX_SLL) {
            cookedV2(handle);
        }
        try {
            handle.setFilter(o.bpf(), BpfProgram.BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new TcpwatchException(ExitCode.BAD_FILTER,
                    "The capture filter '" + o.bpf() + "' is not valid BPF syntax: " + e.getMessage());
        }
        return new LiveCapture(handle, new CaptureInterface(handle.getDlt().value(), o.device()), nanos);
    }

    /**
     * On {@code any}, the cooked v2 header: it names each frame's interface, so that a packet
     * captured on several interfaces of the host is recorded once ({@code InterfaceCopies}).
     * A libpcap older than 1.9 keeps v1 headers, without it.
     */
    private static void cookedV2(PcapHandle handle) {
        try {
            handle.setDlt(DataLinkType.getInstance(LinkType.LINUX_SLL2));
        } catch (PcapNativeException | NotOpenException e) {
            // v1 headers: every interface's copy is recorded
        }
    }

    private static PcapHandle.Builder builder(Options o, PcapHandle.TimestampPrecision precision) {
        PcapHandle.Builder b = new PcapHandle.Builder(o.device())
                .snaplen(o.snaplen())
                .promiscuousMode(o.promiscuous()
                        ? PcapNetworkInterface.PromiscuousMode.PROMISCUOUS
                        : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(100)
                .immediateMode(true)
                .timestampPrecision(precision);
        if (o.bufferMb() > 0) {
            b.bufferSize(o.bufferMb() * 1024 * 1024);
        }
        return b;
    }

    private static boolean isPrecisionProblem(PcapNativeException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("precision");
    }

    private static TcpwatchException classify(String device, PcapNativeException e) {
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("permission") || lower.contains("not permitted")) {
            return new TcpwatchException(ExitCode.NO_CAPTURE_PERMISSION, "Capturing on " + device
                    + " needs CAP_NET_RAW: run as root or grant it with"
                    + " 'sudo setcap cap_net_raw,cap_net_admin+eip \"$(readlink -f \"$(command -v java)\")\"'.");
        }
        if (lower.contains("no such device") || lower.contains("doesn't exist")) {
            return new TcpwatchException(ExitCode.NO_SUCH_INTERFACE,
                    "There is no interface named '" + device + "'" + available() + ".");
        }
        return new TcpwatchException(ExitCode.CAPTURE_FAILED, "libpcap cannot capture on " + device + ": " + m);
    }

    private static String available() {
        try {
            List<PcapNetworkInterface> all = Pcaps.findAllDevs();
            return all.isEmpty() ? "" : " (available: "
                    + all.stream().map(PcapNetworkInterface::getName).collect(Collectors.joining(", ")) + ")";
        } catch (PcapNativeException e) {
            return "";
        }
    }

    public CaptureInterface iface() {
        return iface;
    }

    /** True when timestamps are nanosecond-exact; false when the platform gives microseconds. */
    public boolean nanosecondTimestamps() {
        return nanos;
    }

    /** Captures until {@link #stop()}; frames go to {@code handler} on the calling thread. */
    public void run(FrameHandler handler) throws TcpwatchException {
        RawPacketListener listener = frame -> {
            Timestamp ts = handle.getTimestamp();
            long tsNanos = Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
            Integer orig = handle.getOriginalLength();
            handler.onFrame(iface, tsNanos, frame, 0, frame.length, orig == null ? frame.length : orig);
        };
        Thread ticker = startTicker();
        try {
            while (!stopped) {
                try {
                    handle.dispatch(-1, listener);
                } catch (InterruptedException broken) {
                    // breakLoop() from stop() (the loop condition ends the capture) or from the ticker
                }
                handler.onIdle(System.currentTimeMillis() * 1_000_000L);
            }
            ticker.interrupt();
            drainRing(listener); // a last tick's break is taken as one more read
        } catch (PcapNativeException e) {
            throw new TcpwatchException(ExitCode.CAPTURE_FAILED, "libpcap failed while capturing on "
                    + iface.name() + ": " + e.getMessage());
        } catch (NotOpenException e) {
            if (!stopped) {
                throw new TcpwatchException(ExitCode.CAPTURE_FAILED, "the capture handle on " + iface.name() + " closed");
            }
        } finally {
            ticker.interrupt();
        }
    }

    /**
     * In immediate mode libpcap waits for the next frame however long it takes, so a quiet network
     * would never let the handler see the clock: this thread breaks the wait every read timeout.
     */
    private Thread startTicker() {
        Thread t = new Thread(() -> {
            try {
                while (!stopped) {
                    Thread.sleep(TICK_MS);
                    handle.breakLoop();
                }
            } catch (InterruptedException | NotOpenException done) {
                // the capture ended
            }
        }, "tcpwatch-capture-tick");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static final long TICK_MS = 100;

    /** The most dispatch calls a stop makes to empty the kernel's ring (each takes up to a ring's worth). */
    private static final int MAX_DRAIN_CALLS = 64;

    /**
     * After a stop, hands over what the kernel has already captured into the ring but nobody read
     * yet, without waiting for more: a SIGTERM right after traffic loses none of it.
     */
    private void drainRing(RawPacketListener listener) throws PcapNativeException, NotOpenException {
        handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        for (int i = 0; i < MAX_DRAIN_CALLS; i++) {
            try {
                if (handle.dispatch(-1, listener) <= 0) {
                    return;
                }
            } catch (InterruptedException pendingBreak) {
                // a breakLoop() not yet consumed: the next call reads
            }
        }
    }

    /** Makes {@link #run} return within the read timeout (100 ms); callable from any thread. */
    public void stop() {
        stopped = true;
        try {
            handle.breakLoop();
        } catch (NotOpenException ignored) {
            // already closed
        }
    }

    /** libpcap's counters so far, or null when it cannot tell. */
    public Stats stats() {
        try {
            PcapStat s = handle.getStats();
            return new Stats(s.getNumPacketsReceived(), s.getNumPacketsDropped(), s.getNumPacketsDroppedByIf());
        } catch (PcapNativeException | NotOpenException e) {
            return null;
        }
    }

    @Override
    public void close() {
        handle.close();
    }
}

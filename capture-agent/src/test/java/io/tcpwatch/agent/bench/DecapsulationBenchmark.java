package io.tcpwatch.agent.bench;

import static io.tcpwatch.agent.testing.Frames.addr4;
import static io.tcpwatch.agent.testing.Frames.concat;
import static io.tcpwatch.agent.testing.Frames.ethernet;
import static io.tcpwatch.agent.testing.Frames.ipv4;
import static io.tcpwatch.agent.testing.Frames.ipv6;
import static io.tcpwatch.agent.testing.TunnelFrames.*;

import io.tcpwatch.capture.CaptureFileReader;
import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.agent.testing.CaptureFileWriter;
import io.tcpwatch.agent.testing.SyntheticTraffic;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The parser's cost per encapsulation: the synthetic capture of {@link AgentBenchmark} (IPv4
 * part), each IP packet wrapped in one encapsulation, written as a capture of its own; then, for
 * each, {@code tcpdump -r F -w /dev/null} (reference) and {@code tcpwatch agent --dry-run} over the
 * file ten times in one run (JIT warm), both pinned to one core, median of the runs. Every frame
 * of every file must come out as a segment, or the benchmark stops.
 *
 * <p>Usage: {@code DecapsulationBenchmark LAUNCHER WORKDIR [packets] [runs]}
 */
public final class DecapsulationBenchmark {

    /** The agent reads each file this many times in one run, so that the JIT's warm-up is a small part. */
    private static final int REPEAT = 10;
    private static final byte[] OUTER_A = addr4(10, 1, 0, 1);
    private static final byte[] OUTER_B = addr4(10, 1, 0, 2);

    private DecapsulationBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path launcher = Path.of(args[0]).toAbsolutePath();
        Path work = Path.of(args[1]).toAbsolutePath();
        long packets = args.length > 2 ? Long.parseLong(args[2]) : 500_000;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Files.createDirectories(work);
        Path plain = work.resolve("synthetic-" + packets + ".pcap");
        if (!Files.exists(plain)) {
            SyntheticTraffic.write(plain, packets, 2_000, 42);
        }
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, UnaryOperator<byte[]>> e : encapsulations().entrySet()) {
            Path f = work.resolve("encap-" + e.getKey().replaceAll("[^a-zA-Z0-9]+", "-") + "-" + packets + ".pcap");
            long frames = wrap(plain, f, e.getValue());
            requireEverySegment(launcher, f, frames);
            double tcpdump = AgentBenchmark.median(runs, () -> AgentBenchmark.wall(List.of("tcpdump", "-r", f.toString(), "-w", "/dev/null")));
            List<String> agentArgs = new ArrayList<>(List.of("--read"));
            for (int i = 0; i < REPEAT; i++) {
                agentArgs.add(f.toString());
            }
            agentArgs.add("--dry-run");
            double agent = AgentBenchmark.median(runs, () -> AgentBenchmark.agent(launcher, agentArgs));
            rows.add(new String[] {e.getKey(), rate(frames, tcpdump), rate(REPEAT * frames, agent),
                    String.format(Locale.ROOT, "%.0f%%", 100 * (REPEAT * frames / agent) / (frames / tcpdump))});
            System.out.printf("%s done%n", e.getKey());
        }
        System.out.println("| encapsulation | tcpdump -r F -w /dev/null, packets/s | tcpwatch agent --dry-run, the file 10× (warm), segments/s | agent / tcpdump |");
        System.out.println("|---|---:|---:|---:|");
        for (String[] r : rows) {
            System.out.printf("| %s | %s | %s | %s |%n", (Object[]) r);
        }
    }

    /** Each encapsulation as a function from an inner IPv4 packet to an Ethernet frame. */
    static Map<String, UnaryOperator<byte[]>> encapsulations() {
        Map<String, UnaryOperator<byte[]>> m = new LinkedHashMap<>();
        m.put("none (Ethernet, IPv4)", ip -> ethernet(0x0800, ip));
        m.put("802.1Q + QinQ", ip -> ethernet(0x0800, ip, 0x88A8, 0x8100));
        m.put("MPLS, 2 labels", ip -> ethernet(0x8847, concat(label(16, false), label(17, true), ip)));
        m.put("PPPoE session", ip -> ethernet(0x8864, pppoe(0x0021, ip)));
        m.put("PBB (802.1ah)", ip -> ethernet(0x88E7, concat(new byte[4], ethernet(0x0800, ip))));
        m.put("VN-Tag", ip -> ethernet(0x8926, concat(new byte[4], u16(0x0800), ip)));
        m.put("E-Tag (802.1BR)", ip -> ethernet(0x893F, concat(new byte[6], u16(0x0800), ip)));
        m.put("IP-in-IP", ip -> outer(4, ip));
        m.put("4in6 (IPv4 inner, IPv6 outer)", ip -> ethernet(0x86DD,
                ipv6(addr6(9), addr6(8), 64, 4, new byte[0][], new int[0], ip)));
        m.put("GRE with key", ip -> outer(47, gre(0, 0x0800, 42L, false, false, ip)));
        m.put("GRE ERSPAN II", ip -> outer(47, gre(0, 0x88BE, null, false, true, concat(new byte[8], ethernet(0x0800, ip)))));
        m.put("GRE ERSPAN III", ip -> outer(47, gre(0, 0x22EB, null, false, true, concat(new byte[12], ethernet(0x0800, ip)))));
        m.put("GRE, transparent Ethernet bridging", ip -> outer(47, gre(0, 0x6558, 7L, false, false, ethernet(0x0800, ip))));
        m.put("VXLAN", ip -> outer(17, udp(51000, 4789, vxlan(5001, ethernet(0x0800, ip)))));
        m.put("Geneve, 8 bytes of options", ip -> outer(17, udp(51000, 6081, geneve(77, 0x6558, new byte[8], ethernet(0x0800, ip)))));
        m.put("GTP-U with an extension header", ip -> outer(17, udp(2152, 2152, gtpu(0xAB, new byte[] {1, 0x10, 5, 0}, ip))));
        // IPv6 inside: the same TCP segment under an IPv6 header instead of the IPv4 one
        m.put("6in4 (IPv6 inner, IPv4 outer)", ip -> outer(41, asIpv6(ip)));
        m.put("Teredo (UDP 3544)", ip -> outer(17, udp(3544, 40001, asIpv6(ip))));
        m.put("AYIYA (UDP 5072)", ip -> outer(17, udp(5072, 5072, concat(ayiyaHeader(), asIpv6(ip)))));
        return m;
    }

    /** The IPv4 packet's TCP segment under an IPv6 header. */
    private static byte[] asIpv6(byte[] ip) {
        int ihl = (ip[0] & 0x0F) * 4;
        int ipLen = ((ip[2] & 0xFF) << 8) | (ip[3] & 0xFF);
        return ipv6(addr6(1), addr6(2), 64, 6, new byte[0][], new int[0], Arrays.copyOfRange(ip, ihl, ipLen));
    }

    /** AYIYA forwarding IPv6: identity of 16 bytes, a 20-byte signature (SHA-1), opcode forward. */
    private static byte[] ayiyaHeader() {
        byte[] h = new byte[8 + 16 + 20];
        h[0] = 0x41;
        h[1] = 0x52;
        h[2] = 0x11;
        h[3] = 41;
        return h;
    }

    private static byte[] outer(int protocol, byte[] payload) {
        return ethernet(0x0800, ipv4(OUTER_A, OUTER_B, 64, 9, protocol, new byte[0], payload));
    }

    private static byte[] addr6(int last) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[15] = (byte) last;
        return a;
    }

    /** Rewrites the plain capture's IPv4 frames in {@code encapsulation}, cut at 128 + the added header. */
    private static long wrap(Path plain, Path out, UnaryOperator<byte[]> encapsulation) throws Exception {
        long[] n = {0};
        try (CaptureFileReader r = CaptureFileReader.open(plain);
             CaptureFileWriter.Pcap w = CaptureFileWriter.pcap(out, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            r.read((iface, ts, buf, off, cap, orig) -> {
                if (cap < 34 || buf[off + 12] != 0x08 || buf[off + 13] != 0x00) {
                    return; // IPv6 part of the capture: left out, every row wraps IPv4
                }
                byte[] ip = Arrays.copyOfRange(buf, off + 14, off + cap);
                int ipLen = ((ip[2] & 0xFF) << 8) | (ip[3] & 0xFF);
                byte[] fullIp = Arrays.copyOf(ip, Math.max(ip.length, ipLen)); // lengths as on the wire
                byte[] frame = encapsulation.apply(fullIp);
                int header = frame.length - fullIp.length;
                int capLen = Math.min(frame.length, header + cap - 14);
                try {
                    w.frame(ts, frame, capLen, frame.length);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                n[0]++;
            });
        }
        return n[0];
    }

    /** Refuses to time a file the parser does not read whole: every frame must be a segment. */
    private static void requireEverySegment(Path launcher, Path f, long frames) throws Exception {
        Process p = new ProcessBuilder(launcher.toString(), "agent", "--read", f.toString(), "--dry-run", "--no-progress")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        String expected = String.format(Locale.ROOT, "%,d packets, %,d TCP segments", frames, frames);
        if (!err.contains(expected)) {
            throw new IllegalStateException(f.getFileName() + ": not every frame is a segment: " + err.strip());
        }
    }

    private static String rate(long frames, double seconds) {
        return String.format(Locale.ROOT, "%,.0f", frames / seconds);
    }
}

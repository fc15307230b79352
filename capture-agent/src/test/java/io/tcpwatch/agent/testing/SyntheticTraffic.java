package io.tcpwatch.agent.testing;

import static io.tcpwatch.agent.testing.Frames.*;

import io.tcpwatch.capture.parse.LinkType;
import io.tcpwatch.schema.TcpFlags;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a pcap of realistic, interleaved TCP conversations, as a 128-byte snap length capture
 * on a busy server would hold them: handshakes with Linux-like options, requests, multi-segment
 * responses with delayed ACKs and the odd SACK, FIN or RST closes, 10% IPv6. Deterministic per seed.
 */
public final class SyntheticTraffic {

    private static final int SNAPLEN = 128;
    private static final int MSS = 1448;

    private SyntheticTraffic() {}

    /** Writes at least {@code packets} frames; returns the exact number written. */
    public static long write(Path file, long packets, int concurrent, long seed) throws IOException {
        Random rnd = new Random(seed);
        List<Conversation> active = new ArrayList<>();
        long written = 0;
        long clock = 1_795_000_000_000_000_000L;
        int nextId = 0;
        try (CaptureFileWriter.Pcap w = CaptureFileWriter.pcap(file, LinkType.ETHERNET, true, ByteOrder.LITTLE_ENDIAN)) {
            while (written < packets || !active.isEmpty()) {
                while (written < packets && active.size() < concurrent) {
                    active.add(new Conversation(nextId++, rnd));
                }
                int i = rnd.nextInt(active.size());
                Conversation c = active.get(i);
                clock += 1 + (long) (-Math.log(1 - rnd.nextDouble()) * 2_000);
                Packet p = c.next(rnd);
                byte[] frame = p.frame;
                w.frame(clock, frame, Math.min(frame.length, SNAPLEN), frame.length + p.payload);
                written++;
                if (c.done()) {
                    active.set(i, active.get(active.size() - 1));
                    active.remove(active.size() - 1);
                }
            }
        }
        return written;
    }

    private record Packet(byte[] frame, int payload) {}

    /** One client's connection to a server, as a script of packets. */
    private static final class Conversation {
        final boolean v6;
        final byte[] client;
        final byte[] server;
        final int cport;
        final int sport;
        long cseq;
        long sseq;
        long cts;
        long sts;
        final int requestLen;
        int responseLeft;
        final boolean reset;
        int step;
        int unacked;
        boolean finished;

        Conversation(int id, Random rnd) {
            v6 = rnd.nextInt(10) == 0;
            if (v6) {
                client = addr6(1 + id % 250);
                client[8] = (byte) (id >>> 8);
                server = addr6(1);
            } else {
                client = addr4(10, 1 + (id >>> 16) % 200, (id >>> 8) & 0xFF, id & 0xFF);
                server = addr4(10, 0, 0, 1 + rnd.nextInt(8));
            }
            cport = 32768 + (id * 7919) % 28232;
            sport = rnd.nextBoolean() ? 443 : 8080;
            cseq = rnd.nextLong() & 0xFFFFFFFFL;
            sseq = rnd.nextLong() & 0xFFFFFFFFL;
            cts = rnd.nextLong() & 0xFFFFFFFFL;
            sts = rnd.nextLong() & 0xFFFFFFFFL;
            requestLen = 100 + rnd.nextInt(700);
            responseLeft = MSS * rnd.nextInt(12) + rnd.nextInt(MSS) + 1;
            reset = rnd.nextInt(10) == 0;
        }

        boolean done() {
            return finished;
        }

        Packet next(Random rnd) {
            cts++;
            sts++;
            switch (step++) {
                case 0:
                    return fromClient(TcpFlags.SYN, options(mss(MSS + 12), sackPermitted(), timestamps(cts, 0), wscale(7)), 0, 0);
                case 1: {
                    Packet p = fromServer(TcpFlags.SYN | TcpFlags.ACK, options(mss(MSS + 12), sackPermitted(), timestamps(sts, cts), wscale(9)), 0, cseq + 1);
                    cseq++;
                    sseq++;
                    return p;
                }
                case 2:
                    return fromClient(TcpFlags.ACK, timestamps(cts, sts), 0, sseq);
                case 3: {
                    Packet p = fromClient(TcpFlags.PSH | TcpFlags.ACK, timestamps(cts, sts), requestLen, sseq);
                    cseq += requestLen;
                    return p;
                }
                case 4:
                    return fromServer(TcpFlags.ACK, timestamps(sts, cts), 0, cseq);
                default:
                    break;
            }
            if (responseLeft > 0) {
                if (unacked >= 2) {
                    unacked = 0;
                    step--;
                    byte[] opts = rnd.nextInt(50) == 0
                            ? options(timestamps(cts, sts), sack((sseq + MSS) & 0xFFFFFFFFL, (sseq + 2 * MSS) & 0xFFFFFFFFL))
                            : timestamps(cts, sts);
                    return fromClient(TcpFlags.ACK, opts, 0, sseq);
                }
                int len = Math.min(MSS, responseLeft);
                Packet p = fromServer(TcpFlags.ACK | (len == responseLeft ? TcpFlags.PSH : 0), timestamps(sts, cts), len, cseq);
                sseq += len;
                responseLeft -= len;
                unacked++;
                step--;
                return p;
            }
            int closeStep = step - 6;
            if (reset) {
                finished = true;
                return fromServer(TcpFlags.RST | TcpFlags.ACK, new byte[0], 0, cseq);
            }
            switch (closeStep) {
                case 0: {
                    Packet p = fromClient(TcpFlags.FIN | TcpFlags.ACK, timestamps(cts, sts), 0, sseq);
                    cseq++;
                    return p;
                }
                case 1: {
                    Packet p = fromServer(TcpFlags.FIN | TcpFlags.ACK, timestamps(sts, cts), 0, cseq);
                    sseq++;
                    return p;
                }
                default:
                    finished = true;
                    return fromClient(TcpFlags.ACK, timestamps(cts, sts), 0, sseq);
            }
        }

        private Packet fromClient(int flags, byte[] opts, int payload, long ack) {
            return packet(client, cport, server, sport, cseq, ack, flags, opts, payload, 64);
        }

        private Packet fromServer(int flags, byte[] opts, int payload, long ack) {
            return packet(server, sport, client, cport, sseq, ack, flags, opts, payload, 62);
        }

        private Packet packet(byte[] src, int sp, byte[] dst, int dp, long seq, long ack, int flags,
                              byte[] opts, int payload, int ttl) {
            byte[] tcp = tcp(sp, dp, seq & 0xFFFFFFFFL, ack & 0xFFFFFFFFL, flags, 502, opts, 0);
            byte[] ip;
            if (v6) {
                ip = ipv6(src, dst, ttl, 6, new byte[0][], new int[0], tcp);
                put16(ip, 4, tcp.length + payload);
                return new Packet(ethernet(0x86DD, ip), payload);
            }
            ip = ipv4(src, dst, ttl, (int) (seq & 0xFFFF), 6, new byte[0], tcp);
            put16(ip, 2, ip.length + payload);
            return new Packet(ethernet(0x0800, ip), payload);
        }
    }
}

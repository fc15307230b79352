package io.tcpwatch.agent.simulate;

import io.tcpwatch.schema.Segment;
import io.tcpwatch.schema.TcpFlags;
import java.util.ArrayList;
import java.util.List;

/**
 * One simulated TCP connection written as the segments both ends exchange, with Linux-like
 * options, sequence numbers and the IP TTL each vantage point would see (64 at the sender, 63 one
 * hop away). Each segment carries the vantage points that capture it: a segment lost on the way is
 * seen by the sender's agent only.
 */
final class Conversation {

    /** Who captures a segment. */
    static final int SERVER_SIDE = 1;
    static final int CLIENT_SIDE = 2;
    static final int BOTH = 3;

    /** A segment and the vantage points that see it. */
    record Planned(Segment segment, int seenBy, boolean fromClient) {}

    private final byte[] client;
    private final int clientPort;
    private final byte[] server;
    private final int serverPort;
    private long clientSeq;
    private long serverSeq;
    private final List<Planned> out = new ArrayList<>();

    Conversation(byte[] client, int clientPort, byte[] server, int serverPort, long clientIsn, long serverIsn) {
        this.client = client;
        this.clientPort = clientPort;
        this.server = server;
        this.serverPort = serverPort;
        this.clientSeq = clientIsn;
        this.serverSeq = serverIsn;
    }

    List<Planned> segments() {
        return out;
    }

    private Segment segment(long tsNs, boolean fromClient, int flags, long seq, long ack, int len) {
        Segment s = new Segment();
        s.tsNanos = tsNs;
        s.ipVersion = client.length == 16 ? 6 : 4;
        s.srcAddr = fromClient ? client : server;
        s.dstAddr = fromClient ? server : client;
        s.srcPort = fromClient ? clientPort : serverPort;
        s.dstPort = fromClient ? serverPort : clientPort;
        s.flags = flags;
        s.seq = seq & 0xFFFFFFFFL;
        s.ack = (flags & TcpFlags.ACK) != 0 ? ack & 0xFFFFFFFFL : 0;
        s.window = (flags & TcpFlags.RST) != 0 ? 0 : 502;
        s.payloadLen = len;
        if ((flags & TcpFlags.SYN) != 0) {
            s.window = fromClient ? 64240 : 65160;
            s.mss = 1460;
            s.windowScale = 7;
            s.sackPermitted = true;
        }
        return s;
    }

    private Conversation add(Segment s, boolean fromClient, int seenBy) {
        out.add(new Planned(s, seenBy, fromClient));
        return this;
    }

    Conversation syn(long tsNs) {
        return add(segment(tsNs, true, TcpFlags.SYN, clientSeq, 0, 0), true, BOTH);
    }

    Conversation synAck(long tsNs) {
        return add(segment(tsNs, false, TcpFlags.SYN | TcpFlags.ACK, serverSeq, clientSeq + 1, 0), false, BOTH);
    }

    /** The client's ACK completing the handshake. */
    Conversation handshakeAck(long tsNs) {
        clientSeq++;
        serverSeq++;
        return add(segment(tsNs, true, TcpFlags.ACK, clientSeq, serverSeq, 0), true, BOTH);
    }

    Conversation clientData(long tsNs, int len) {
        add(segment(tsNs, true, TcpFlags.PSH | TcpFlags.ACK, clientSeq, serverSeq, len), true, BOTH);
        clientSeq += len;
        return this;
    }

    /**
     * Client data whose first transmission is lost between the ends: the client's agent sees it
     * twice, the server's agent only the retransmission at {@code retransmitNs}.
     */
    Conversation lostClientData(long tsNs, long retransmitNs, int len) {
        add(segment(tsNs, true, TcpFlags.PSH | TcpFlags.ACK, clientSeq, serverSeq, len), true, CLIENT_SIDE);
        add(segment(retransmitNs, true, TcpFlags.PSH | TcpFlags.ACK, clientSeq, serverSeq, len), true, BOTH);
        clientSeq += len;
        return this;
    }

    Conversation serverData(long tsNs, int len) {
        add(segment(tsNs, false, TcpFlags.PSH | TcpFlags.ACK, serverSeq, clientSeq, len), false, BOTH);
        serverSeq += len;
        return this;
    }

    Conversation clientAck(long tsNs) {
        return add(segment(tsNs, true, TcpFlags.ACK, clientSeq, serverSeq, 0), true, BOTH);
    }

    Conversation serverAck(long tsNs) {
        return add(segment(tsNs, false, TcpFlags.ACK, serverSeq, clientSeq, 0), false, BOTH);
    }

    /** The client closes first: FIN, the server's FIN/ACK, the client's last ACK (TIME_WAIT on the client). */
    Conversation clientCloses(long tsNs, long rttNs) {
        add(segment(tsNs, true, TcpFlags.FIN | TcpFlags.ACK, clientSeq, serverSeq, 0), true, BOTH);
        clientSeq++;
        add(segment(tsNs + rttNs / 2 + 20_000, false, TcpFlags.FIN | TcpFlags.ACK, serverSeq, clientSeq, 0), false, BOTH);
        serverSeq++;
        return add(segment(tsNs + rttNs + 40_000, true, TcpFlags.ACK, clientSeq, serverSeq, 0), true, BOTH);
    }

    Conversation serverRst(long tsNs) {
        return add(segment(tsNs, false, TcpFlags.RST | TcpFlags.ACK, serverSeq, clientSeq, 0), false, BOTH);
    }
}

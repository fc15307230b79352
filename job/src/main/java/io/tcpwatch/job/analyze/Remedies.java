package io.tcpwatch.job.analyze;

import io.tcpwatch.core.record.DetectionType;
import io.tcpwatch.core.record.RstCause;
import java.util.List;

/** What a person would try for each finding, in the report's diagnosis. */
final class Remedies {
    private Remedies() {}

    /** Fleet detections in the order the diagnosis lists them: causes first, the RST storm (a symptom) last. */
    static final List<DetectionType> FLEET_ORDER = List.of(DetectionType.SYN_FLOOD, DetectionType.CONNECTION_LIMIT,
            DetectionType.ACCEPT_BACKLOG_OVERFLOW, DetectionType.SLOW_RESPONSES, DetectionType.RECONNECT_STORM,
            DetectionType.PORT_EXHAUSTION_RISK, DetectionType.RETRANSMISSION_SURGE, DetectionType.RST_STORM);

    /** True for findings that describe normal behaviour worth explaining, not a fault. */
    static boolean isNormal(DetectionType type, RstCause cause) {
        return type == DetectionType.RST && cause.isNormal();
    }

    static String title(DetectionType type, RstCause cause) {
        if (type == DetectionType.RST) {
            switch (cause) {
                case REFUSED: return "Connections refused (RST answering the SYN)";
                case REJECTED_AFTER_HANDSHAKE: return "Connections rejected by the application right after the handshake";
                case DATA_AFTER_RST: return "Clients kept sending after the reset (a second RST)";
                case IDLE_TIMEOUT: return "Connections reset by an idle timeout";
                case RST_AFTER_FIN: return "RSTs answering the peer's FIN (abortive close after EOF)";
                case CHALLENGE_ACK_REPLY: return "RSTs answering an unexpected ACK (part of a port-reuse collision)";
                case ABORTIVE_CLOSE: return "Connections closed with RST instead of FIN";
                default: return "RSTs (" + cause + ")";
            }
        }
        switch (type) {
            case PORT_REUSE_COLLISION: return "Port-reuse collisions with the server's TIME_WAIT";
            case SYN_RETRANSMIT: return "SYNs retransmitted (the first ones were dropped)";
            case HALF_OPEN: return "Half-open connections (handshake never completed)";
            case ZERO_WINDOW_STALL: return "Zero-window stalls (the receiver stopped reading)";
            case UNANSWERED_REQUEST: return "Requests acknowledged but never answered (the server application did not serve them)";
            case RST_STORM: return "RST storm";
            case SYN_FLOOD: return "SYN flood (attack-like)";
            case ACCEPT_BACKLOG_OVERFLOW: return "Accept backlog overflow (the application accepts too slowly)";
            case CONNECTION_LIMIT: return "Connection limit";
            case RECONNECT_STORM: return "Reconnect storm (thundering herd)";
            case SLOW_RESPONSES: return "Slow responses (the server answers far more slowly than it usually does)";
            case RETRANSMISSION_SURGE: return "Retransmission surge (packet loss)";
            case PORT_EXHAUSTION_RISK: return "Ephemeral port exhaustion risk";
            default: return type.name();
        }
    }

    static String remedy(DetectionType type, RstCause cause) {
        if (type == DetectionType.RST) {
            switch (cause) {
                case REFUSED: return "Nothing listens on that port, or a firewall rejects it: check that the service is up and the port is right.";
                case REJECTED_AFTER_HANDSHAKE: return "The application accepts, then aborts: a connection or worker limit. Raise the limit or the worker count; make clients retry with backoff and jitter.";
                case DATA_AFTER_RST: return "A consequence of the resets above: clients send before they learn of them.";
                case IDLE_TIMEOUT: return "An idle timer closes quiet connections: send keep-alives or heartbeats more often than the timer, or raise it.";
                case RST_AFTER_FIN: return "Normal: an application closing with SO_LINGER 0 after reading end of file (to skip TIME_WAIT). The RST's window 0 is not overload.";
                case CHALLENGE_ACK_REPLY: return "Normal TCP behaviour; see the port-reuse collisions.";
                default: return "Check the close path of the side that sent the RST (SO_LINGER 0, a crash, a killed process); an inconsistent TTL points at a firewall or load balancer.";
            }
        }
        switch (type) {
            case PORT_REUSE_COLLISION: return "The client opens connections faster than ephemeral ports ÷ TIME_WAIT allows: reuse connections (keep-alive, pooling), widen net.ipv4.ip_local_port_range, or let the client close first.";
            case SYN_RETRANSMIT: return "SYNs are dropped: a full accept backlog (raise the listen backlog and net.core.somaxconn, accept faster) or loss on the path.";
            case HALF_OPEN: return "SYN/ACKs that are never acknowledged: spoofed sources (a SYN flood: keep syncookies on, filter upstream) or clients that vanish.";
            case ZERO_WINDOW_STALL: return "The receiving application stops reading: look for a blocked consumer, an exhausted thread pool or slow storage behind it.";
            case UNANSWERED_REQUEST: return "The server's kernel accepted the connections the application did not serve: check that it still accepts (ss -ltn: Recv-Q of the listening socket at its backlog), its worker pool and whether it hangs.";
            case RST_STORM: return "Start with the most frequent cause in the breakdown: it says who resets and why (its entry below has the remedy).";
            case SYN_FLOOD: return "Keep net.ipv4.tcp_syncookies=1, raise net.ipv4.tcp_max_syn_backlog, and filter the sources upstream (rate limits, DDoS protection).";
            case ACCEPT_BACKLOG_OVERFLOW: return "Accept faster (more acceptor threads, no blocking work in the accept loop) and raise the listen() backlog and net.core.somaxconn.";
            case CONNECTION_LIMIT: return "Raise the application's connection or worker limit, or queue instead of rejecting; make clients retry with exponential backoff and jitter.";
            case SLOW_RESPONSES: return "Look behind the application: its database, downstream calls, locks, garbage collection or CPU; compare with the times the application logs itself.";
            case RECONNECT_STORM: return "Make clients reconnect with exponential backoff and random jitter; stagger restarts and maintenance windows.";
            case RETRANSMISSION_SURGE: return "Find the lossy hop: interface errors and drops (ip -s link, ethtool -S), a congested link, a policer or shaper on the path.";
            case PORT_EXHAUSTION_RISK: return "Reuse connections (keep-alive, pooling), widen net.ipv4.ip_local_port_range, or let the client close first so the server holds no TIME_WAIT.";
            default: return "";
        }
    }
}

package io.tcpwatch.core.record;

/**
 * One connection incarnation on {@code tcp.connections}, with Zeek conn.log field names and
 * semantics ({@code ts}, {@code uid}, {@code id.orig_h} …, {@code conn_state}, {@code history}) plus
 * tcpwatch's own: observer, close cause, retransmissions, SYN retransmits.
 */
public class ConnectionRecord {
    public long tsNs;
    public String uid;
    public String origHost;
    public int origPort;
    public String respHost;
    public int respPort;
    public long durationNs;
    public long origBytes;
    public long respBytes;
    public String connState;
    public String history;
    public long origPkts;
    public long respPkts;
    public String observer;
    /** The tunnel's tenant identity (vxlan:VNI …), null outside tunnels. */
    public String tunnel;
    public String closeCause;
    public int retransmissions;
    public int synRetransmits;

    public ConnectionRecord() {}

    /** The responder's endpoint as detections name it: ip:port, [ipv6]:port. */
    public String server() {
        return Endpoints.endpoint(respHost, respPort);
    }

    /** The originator's endpoint as detections name it. */
    public String client() {
        return Endpoints.endpoint(origHost, origPort);
    }

    @Override
    public String toString() {
        return origHost + ":" + origPort + " → " + respHost + ":" + respPort + " " + connState + " " + history;
    }
}

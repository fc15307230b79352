package io.tcpwatch.core.record;

/**
 * Zeek's {@code conn_state}, computed the way Zeek's base/protocols/conn/main.zeek does from the
 * two endpoints' states, the history and the byte counts:
 *
 * <pre>
 *  S0     attempt seen, no reply            REJ    attempt rejected (SYN answered by RST)
 *  S1     established, not terminated       SF     normal establishment and termination
 *  S2     established, originator closed    S3     established, responder closed
 *  RSTO   originator aborted (RST)          RSTR   responder sent a RST
 *  RSTOS0 originator SYN then RST, no SYN/ACK
 *  RSTRH  responder SYN/ACK then RST, no SYN from the originator
 *  SH     originator SYN then FIN, no SYN/ACK
 *  SHR    responder SYN/ACK then FIN, no SYN from the originator
 *  OTH    anything else (midstream traffic, half-finished handshakes)
 * </pre>
 */
public final class ZeekConnState {

    /** Zeek's per-endpoint TCP states. */
    public enum Endpoint { INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET }

    private ZeekConnState() {}

    public static String of(Endpoint os, Endpoint rs, String history, long origBytes, long respBytes) {
        boolean oInactive = os == Endpoint.INACTIVE || os == Endpoint.PARTIAL;
        boolean rInactive = rs == Endpoint.INACTIVE || rs == Endpoint.PARTIAL;
        if (rs == Endpoint.RESET) {
            if (os == Endpoint.SYN_SENT || os == Endpoint.SYN_ACK_SENT
                    || (os == Endpoint.RESET && origBytes == 0 && respBytes == 0)) {
                return "REJ";
            }
            return oInactive ? "RSTRH" : "RSTR";
        }
        if (os == Endpoint.RESET) {
            if (rInactive) {
                return history.matches("\\^?S[^HAFGIQ]*R.*") ? "RSTOS0" : "OTH";
            }
            return "RSTO";
        }
        if (rs == Endpoint.CLOSED && os == Endpoint.CLOSED) {
            return "SF";
        }
        if (os == Endpoint.CLOSED) {
            return rInactive ? "SH" : "S2";
        }
        if (rs == Endpoint.CLOSED) {
            return oInactive ? "SHR" : "S3";
        }
        if (os == Endpoint.SYN_SENT && rs == Endpoint.INACTIVE) {
            return "S0";
        }
        if (os == Endpoint.ESTABLISHED && rs == Endpoint.ESTABLISHED) {
            return "S1";
        }
        return "OTH";
    }
}

#!/usr/bin/env python3
"""A stateful middlebox between two TUN devices, for the corpus generator's `middlebox-rst` sweep points.

Runs in the router namespace and forwards like relay.py (no delay, no loss): every IPv4 packet the kernel
routes into one TUN device is written into the other. On the way it keeps, per TCP flow, each direction's
next sequence number (seq + payload + SYN + FIN, the highest seen), its last ACK, its IP TTL and IP ID as
read from the TUN device (the router's kernel has forwarded the packet once: TTL one below the sender's; it
decrements it once more on the way out), and the flow's last activity. A flow ends with an RST or a FIN from each side.

When an established flow has been idle for --idle seconds it does what a stateful firewall or load
balancer does when it expires an idle flow: it forges one RST|ACK to each end, each with the other
endpoint's addresses and ports and the sequence number the receiver expects next (the other side's
snd_nxt as seen here), sent from the router's own stack (raw socket bound to the outgoing veth, so not
forwarded: the TTL on the wire is --ttl) with its own IP IDs (--ip-id counter | random | constant).
It then forgets the flow and drops any later packet of it (logged). Every injected RST is logged with
its flow, time, seq, ack, TTL and IP ID, and the TTL / IP ID of the endpoint it impersonates: that log
is the labels' source.

Bounded: exits after --seconds or at SIGTERM; tracks at most --max-flows flows (later ones are forwarded
untracked, logged once each).
Usage: middlebox.py --a tunA --b tunB --client-dev tw-rc --server-dev tw-rs --idle 6 --ttl 64
                    --ip-id counter --seed 7 --log middlebox.jsonl --seconds 60
"""
import argparse, json, os, random, select, signal, socket, struct, sys, time

from relay import open_tun, waiting
from roles import checksum

SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10
SO_BINDTODEVICE = getattr(socket, "SO_BINDTODEVICE", 25)


def after(a, b):
    """Sequence-number order (RFC 1982): a is after b."""
    return 0 < ((a - b) & 0xFFFFFFFF) < 0x80000000


def parse(pkt):
    """(src, dst, sport, dport, seq, ack, flags, payload_len, ttl, ip_id) of an IPv4/TCP packet, or None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    if len(pkt) < ihl + 20:
        return None
    total, ip_id = struct.unpack("!HH", pkt[2:6])
    sp, dp, seq, ack = struct.unpack("!HHII", pkt[ihl:ihl + 12])
    hl = (pkt[ihl + 12] >> 4) * 4
    return (socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20]), sp, dp, seq, ack, pkt[ihl + 13],
            total - ihl - hl, pkt[8], ip_id)


def rst_packet(src, dst, sport, dport, seq, ack, ttl, ip_id):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, RST | ACK, 0, 0, 0)
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    tcp = tcp[:16] + struct.pack("!H", checksum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ip_id, 0, ttl, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


class Side:
    """One direction of a flow as seen at the router: the sender's next sequence number and last ACK."""

    def __init__(self):
        self.nxt = None
        self.ack = None
        self.ttl = None
        self.ip_id = None
        self.syn = self.fin = False
        self.packets = 0

    def update(self, seq, ack, flags, plen, ttl, ip_id):
        end = (seq + plen + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)) & 0xFFFFFFFF
        if self.nxt is None or after(end, self.nxt):
            self.nxt = end
        if flags & ACK:
            self.ack = ack
        self.ttl, self.ip_id = ttl, ip_id
        self.syn |= bool(flags & SYN)
        self.fin |= bool(flags & FIN)
        self.packets += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="TUN device the client→server traffic is routed into")
    ap.add_argument("--b", required=True, help="TUN device the server→client traffic is routed into")
    ap.add_argument("--client-dev", required=True, help="the router's veth towards the client")
    ap.add_argument("--server-dev", required=True, help="the router's veth towards the server")
    ap.add_argument("--idle", type=float, required=True, help="seconds of silence after which a flow is expired")
    ap.add_argument("--ttl", type=int, default=64, help="IP TTL of the injected RSTs")
    ap.add_argument("--ip-id", choices=["counter", "random", "constant"], default="counter")
    ap.add_argument("--ip-id-start", type=lambda v: int(v, 0), default=0x3A00)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-flows", type=int, default=64)
    ap.add_argument("--log", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--ready", help="file created once the devices are open")
    args = ap.parse_args()

    fa, fb = open_tun(args.a), open_tun(args.b)
    peer = {fa: fb, fb: fa}
    raw = {}
    for role, dev in (("client", args.client_dev), ("server", args.server_dev)):
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP_HDRINCL: our TTL and ID
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, dev.encode())
        raw[role] = s
    rnd = random.Random(args.seed)
    next_id = [args.ip_id_start & 0xFFFF]

    def ip_id():
        if args.ip_id == "counter":
            v = next_id[0] or 1
            next_id[0] = (v + 1) & 0xFFFF
            return v
        if args.ip_id == "random":
            return rnd.randrange(1, 0x10000)
        return args.ip_id_start & 0xFFFF or 1

    flows = {}  # (client, cport, server, sport) -> {"c": Side, "s": Side, "last_mono", "last_ns", "first_ns"}
    expired, untracked, ended = set(), set(), set()  # ended: closed by FINs or an endpoint's RST (late ACKs pass)
    stats = {"forwarded": 0, "flows": 0, "expired_flows": 0, "injected_rsts": 0, "endpoint_rsts_seen": 0,
             "dropped_after_expiry": 0, "untracked_flows": 0}
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    deadline = time.monotonic() + args.seconds
    if args.ready:
        open(args.ready, "w").close()
    with open(args.log, "w") as log:
        def write(event, **fields):
            log.write(json.dumps({"event": event, "t_ns": time.time_ns(), **fields}) + "\n")
            log.flush()

        write("config", idle_s=args.idle, ttl=args.ttl, ip_id=args.ip_id, ip_id_start=args.ip_id_start,
              max_flows=args.max_flows, seconds=args.seconds, on_expiry="RST|ACK to both ends, then drop the flow's packets")
        while not stop[0] and time.monotonic() < deadline:
            readable, _, _ = select.select([fa, fb], [], [], 0.02)
            for fd in readable:
                for pkt in waiting(fd):
                    p = parse(pkt)
                    if p is not None:
                        src, dst, sp, dp, seq, ack, flags, plen, ttl, pid = p
                        from_client = fd == fa
                        key = (src, sp, dst, dp) if from_client else (dst, dp, src, sp)
                        if key in expired:
                            stats["dropped_after_expiry"] += 1
                            write("drop_after_expiry", client=f"{key[0]}:{key[1]}", server=f"{key[2]}:{key[3]}",
                                  from_side="client" if from_client else "server", seq=seq, flags=flags, payload_len=plen)
                            continue
                        f = flows.get(key)
                        if f is None and key not in untracked and key not in ended:
                            if len(flows) < args.max_flows:
                                f = flows[key] = {"c": Side(), "s": Side(), "first_ns": time.time_ns()}
                                stats["flows"] += 1
                            else:
                                untracked.add(key)
                                stats["untracked_flows"] += 1
                                write("untracked", client=f"{key[0]}:{key[1]}", server=f"{key[2]}:{key[3]}")
                        if f is not None:
                            side = f["c" if from_client else "s"]
                            prev_ttl = side.ttl
                            side.update(seq, ack, flags, plen, ttl, pid)
                            f["last_mono"], f["last_ns"] = time.monotonic(), time.time_ns()
                            if flags & RST:
                                stats["endpoint_rsts_seen"] += 1
                                write("endpoint_rst", client=f"{key[0]}:{key[1]}", server=f"{key[2]}:{key[3]}",
                                      from_side="client" if from_client else "server", seq=seq, flags=flags,
                                      ttl_at_router=ttl, ip_id=pid, sender_prev_ttl_at_router=prev_ttl)
                                del flows[key]
                                ended.add(key)
                            elif f["c"].fin and f["s"].fin:
                                write("flow_closed", client=f"{key[0]}:{key[1]}", server=f"{key[2]}:{key[3]}")
                                del flows[key]
                                ended.add(key)
                    try:
                        os.write(peer[fd], pkt)
                        stats["forwarded"] += 1
                    except OSError:
                        pass
            now = time.monotonic()
            for key, f in list(flows.items()):
                c, s = f["c"], f["s"]
                if now - f["last_mono"] < args.idle or not (c.syn and s.syn) or c.nxt is None or s.nxt is None:
                    continue
                idle_s = now - f["last_mono"]
                client, server = f"{key[0]}:{key[1]}", f"{key[2]}:{key[3]}"
                # to the server, as if from the client: seq = the client's next sequence number (the server's rcv_nxt)
                for to, forged, sender, receiver, src, dst in (
                        ("server", "client", c, s, (key[0], key[1]), (key[2], key[3])),
                        ("client", "server", s, c, (key[2], key[3]), (key[0], key[1]))):
                    iid = ip_id()
                    pkt = rst_packet(src[0], dst[0], src[1], dst[1], sender.nxt, receiver.nxt, args.ttl, iid)
                    raw[to].sendto(pkt, (dst[0], 0))
                    stats["injected_rsts"] += 1
                    write("inject_rst", client=client, server=server, to=to, forged_as=forged,
                          src=f"{src[0]}:{src[1]}", dst=f"{dst[0]}:{dst[1]}", seq=sender.nxt, ack=receiver.nxt,
                          flags="RA", ttl=args.ttl, ip_id=iid, idle_s=round(idle_s, 4), last_activity_ns=f["last_ns"],
                          forged_as_ttl_at_router=sender.ttl, forged_as_last_ip_id=sender.ip_id,
                          forged_as_packets=sender.packets)
                stats["expired_flows"] += 1
                expired.add(key)
                del flows[key]
        write("summary", open_flows=len(flows), **stats)


if __name__ == "__main__":
    sys.exit(main())

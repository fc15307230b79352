#!/usr/bin/env python3
"""A user-space impairment relay between two TUN devices, for the corpus generator.

Runs in the router namespace. Every IPv4 packet the kernel routes into one TUN device is read
here, optionally dropped (seeded pseudo-random, every drop logged) or held for a fixed delay,
then written into the other TUN device, where the kernel routes it on. This kernel has no
sch_netem, so loss and latency are made here, in the open, with a log of what was done.

Bounded: exits after --seconds, or at SIGTERM.
Usage: relay.py --a tunA --b tunB --delay-ms 10 --loss 0.02 --seed 7 --log drops.jsonl --seconds 60
"""
import argparse, fcntl, heapq, json, os, random, select, signal, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def describe(pkt):
    """Addresses, ports, seq and flags of an IPv4/TCP packet, for the drop log."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return {}
    ihl = (pkt[0] & 0x0F) * 4
    d = {"src": ".".join(map(str, pkt[12:16])), "dst": ".".join(map(str, pkt[16:20])), "proto": pkt[9]}
    if pkt[9] == 6 and len(pkt) >= ihl + 14:
        sp, dp, seq = struct.unpack("!HHI", pkt[ihl:ihl + 8])
        total = struct.unpack("!H", pkt[2:4])[0]
        hl = (pkt[ihl + 12] >> 4) * 4
        d.update(sport=sp, dport=dp, seq=seq, flags=pkt[ihl + 13], payload_len=total - ihl - hl)
    return d


def waiting(fd, most=64):
    """The packets a non-blocking TUN device holds now, at most `most`."""
    for _ in range(most):
        try:
            yield os.read(fd, 65535)
        except BlockingIOError:
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--loss", type=float, default=0.0, help="drop probability, direction a→b only")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--ready", help="file created once the devices are open")
    args = ap.parse_args()

    fa, fb = open_tun(args.a), open_tun(args.b)
    peer = {fa: fb, fb: fa}
    rnd = random.Random(args.seed)
    delay = args.delay_ms / 1000.0
    held = []  # (due, counter, out_fd, packet)
    counter = 0
    stats = {"forwarded": 0, "dropped": 0}
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    deadline = time.monotonic() + args.seconds
    if args.ready:
        open(args.ready, "w").close()
    with open(args.log, "w") as log:
        while not stop[0] and time.monotonic() < deadline:
            timeout = 0.2 if not held else max(0.0, held[0][0] - time.monotonic())
            readable, _, _ = select.select([fa, fb], [], [], min(timeout, 0.2))
            for fd in readable:
                for pkt in waiting(fd):
                    if fd == fa and args.loss > 0 and rnd.random() < args.loss:
                        stats["dropped"] += 1
                        log.write(json.dumps({"event": "drop", "t_ns": time.time_ns(), "direction": "a->b",
                                              **describe(pkt)}) + "\n")
                        continue
                    counter += 1
                    heapq.heappush(held, (time.monotonic() + delay, counter, peer[fd], pkt))
            now = time.monotonic()
            while held and held[0][0] <= now:
                _, _, out, pkt = heapq.heappop(held)
                try:
                    os.write(out, pkt)
                    stats["forwarded"] += 1
                except OSError:
                    pass
        log.write(json.dumps({"event": "summary", "t_ns": time.time_ns(), **stats}) + "\n")


if __name__ == "__main__":
    sys.exit(main())

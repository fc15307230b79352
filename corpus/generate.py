#!/usr/bin/env python3
"""Generates the labeled capture corpus from the real Linux TCP stack (run as root).

For every scenario it builds fresh network namespaces — client, router, server — joined by veth
pairs, runs real client and server sockets (roles.py), captures at the client's and at the
server's interface with tcpdump (two vantage points), and writes one label file per capture. The
labels come from what the applications and the kernel recorded (application logs, TCP_INFO,
/proc/net/{snmp,netstat} counters, the relay's drop log, the middlebox's log of the RSTs it forged) —
never from the captures. Wireshark's own verdicts (tshark) are recorded beside them for comparison.

Traffic never leaves the namespaces made here; every process is bounded in time; every
namespace and process is removed at the end, also on failure or Ctrl-C.

Usage: sudo corpus/generate.py [--out corpus/fixtures] [--only SCENARIO ...]
       sudo corpus/generate.py --sweep [--only-points POINT ...]    (into corpus/fixtures/sweep)
"""
import argparse, datetime, fractions, json, math, os, platform, shutil, signal, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
NS = {"client": "twc-client", "router": "twc-router", "server": "twc-server"}
CLIENT_IP, ROUTER_C, ROUTER_S, SERVER_IP = "10.77.0.2", "10.77.0.1", "10.77.1.1", "10.77.1.2"
IF = {"client": "tw-c0", "server": "tw-s0"}
STORM_CLIENTS = [f"10.77.0.{i}" for i in range(10, 50)]
FLOOD = {"src_prefix": "10.77.0", "src_first": 100, "src_count": 150}
SNAPLEN = 128
FORMAT = "tcpwatch-corpus-labels/1"
WIRESHARK_FILTERS = [
    "tcp.analysis.reused_ports", "tcp.analysis.retransmission", "tcp.analysis.fast_retransmission",
    "tcp.analysis.zero_window", "tcp.analysis.zero_window_probe", "tcp.analysis.keep_alive",
    "tcp.analysis.window_full", "tcp.analysis.duplicate_ack", "tcp.analysis.lost_segment",
    "tcp.flags.reset == 1", "tcp.flags.syn == 1 && tcp.flags.ack == 0",
]
KERNEL_COUNTERS = ["Tcp:ActiveOpens", "Tcp:PassiveOpens", "Tcp:AttemptFails", "Tcp:EstabResets", "Tcp:OutRsts", "Tcp:RetransSegs",
                   "TcpExt:TCPSynRetrans", "TcpExt:ListenOverflows", "TcpExt:ListenDrops",
                   "TcpExt:SyncookiesSent", "TcpExt:TCPAbortOnClose", "TcpExt:TCPAbortOnData",
                   "TcpExt:TCPChallengeACK", "TcpExt:TCPFromZeroWindowAdv", "TcpExt:TCPToZeroWindowAdv",
                   "TcpExt:TCPTimeouts", "TcpExt:TCPLostRetransmit", "TcpExt:TW", "TcpExt:TCPReqQFullDoCookies",
                   "TcpExt:TCPReqQFullDrop", "TcpExt:SyncookiesRecv", "TcpExt:SyncookiesFailed", "Icmp:InDestUnreachs"]


def sh(*cmd, ns=None, check=True, timeout=30, **kw):
    full = (["ip", "netns", "exec", NS[ns]] if ns else []) + list(cmd)
    return subprocess.run(full, check=check, timeout=timeout, capture_output=True, text=True, **kw)


def iso(t_ns):
    return datetime.datetime.fromtimestamp(t_ns / 1e9, datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Topology:
    """client (10.77.0.2) — router (10.77.0.1 | 10.77.1.1) — server (10.77.1.2), fresh per scenario."""

    def __enter__(self):
        self.teardown()
        for ns in NS.values():
            sh("ip", "netns", "add", ns)
        for role in NS:
            sh("ip", "link", "set", "lo", "up", ns=role)
            for key in ("all", "default"):
                sh("sysctl", "-qw", f"net.ipv4.conf.{key}.rp_filter=0", ns=role)
        sh("ip", "link", "add", IF["client"], "netns", NS["client"], "type", "veth", "peer", "tw-rc", "netns", NS["router"])
        sh("ip", "link", "add", IF["server"], "netns", NS["server"], "type", "veth", "peer", "tw-rs", "netns", NS["router"])
        sh("ip", "addr", "add", f"{CLIENT_IP}/24", "dev", IF["client"], ns="client")
        for extra in STORM_CLIENTS:
            sh("ip", "addr", "add", f"{extra}/24", "dev", IF["client"], ns="client")
        sh("ip", "addr", "add", f"{SERVER_IP}/24", "dev", IF["server"], ns="server")
        sh("ip", "addr", "add", f"{ROUTER_C}/24", "dev", "tw-rc", ns="router")
        sh("ip", "addr", "add", f"{ROUTER_S}/24", "dev", "tw-rs", ns="router")
        for role, dev in (("client", IF["client"]), ("server", IF["server"]), ("router", "tw-rc"), ("router", "tw-rs")):
            sh("ip", "link", "set", dev, "up", ns=role)
        sh("ip", "route", "add", "default", "via", ROUTER_C, ns="client")
        sh("ip", "route", "add", "default", "via", ROUTER_S, ns="server")
        sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns="router")
        return self

    def relay(self, workdir, delay_ms=0.0, loss=0.0, seed=7):
        """Routes all client↔server traffic through relay.py (delay, seeded loss) between two TUN devices."""
        return self._through_tun(workdir, "relay", ["--delay-ms", str(delay_ms), "--loss", str(loss), "--seed", str(seed),
                                                    "--seconds", "120"])

    def middlebox(self, workdir, idle, ttl, ip_id, seed=7, seconds=60):
        """Routes all client↔server traffic through middlebox.py, which forwards it and, when a flow has been idle
        for `idle` s, forges an RST to each end from the router's own stack (IP TTL `ttl`, IP IDs by `ip_id`)."""
        return self._through_tun(workdir, "middlebox", ["--client-dev", "tw-rc", "--server-dev", "tw-rs", "--idle", str(idle),
                                                        "--ttl", str(ttl), "--ip-id", ip_id, "--seed", str(seed),
                                                        "--seconds", str(seconds)])

    def _through_tun(self, workdir, name, args):
        """Starts `name`.py in the router namespace between the TUN devices tw-ta and tw-tb and routes the traffic
        through it. Returns the process and its log."""
        for dev in ("tw-ta", "tw-tb"):
            sh("ip", "tuntap", "add", "dev", dev, "mode", "tun", ns="router")
            sh("ip", "link", "set", dev, "up", ns="router")
            sh("sysctl", "-qw", f"net.ipv4.conf.{dev}.rp_filter=0", ns="router")
        log = os.path.join(workdir, f"{name}.jsonl")
        ready = os.path.join(workdir, f"{name}.ready")
        proc = subprocess.Popen(["ip", "netns", "exec", NS["router"], PY, os.path.join(HERE, f"{name}.py"),
                                 "--a", "tw-ta", "--b", "tw-tb", *args, "--log", log, "--ready", ready])
        wait_for(lambda: os.path.exists(ready), 10, f"{name} start")
        # into the relay: client→server enters tw-ta, server→client enters tw-tb
        sh("ip", "route", "replace", "10.77.1.0/24", "dev", "tw-ta", ns="router")
        sh("ip", "route", "replace", "10.77.0.0/24", "dev", "tw-tb", ns="router")
        # out of the relay: packets arriving from a TUN device use the direct routes
        sh("ip", "route", "add", "10.77.1.0/24", "dev", "tw-rs", "table", "100", ns="router")
        sh("ip", "route", "add", "10.77.0.0/24", "dev", "tw-rc", "table", "100", ns="router")
        for dev in ("tw-ta", "tw-tb"):
            sh("ip", "rule", "add", "iif", dev, "lookup", "100", ns="router")
        return proc, log

    def __exit__(self, *exc):
        self.teardown()

    @staticmethod
    def teardown():
        for ns in NS.values():
            pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def wait_for(cond, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def counters(role):
    """The namespace's TCP counters from /proc/net/snmp and /proc/net/netstat."""
    out = {}
    for path in ("/proc/net/snmp", "/proc/net/netstat"):
        lines = sh("cat", path, ns=role).stdout.splitlines()
        for head, vals in zip(lines[::2], lines[1::2]):
            prefix = head.split(":")[0]
            for k, v in zip(head.split()[1:], vals.split()[1:]):
                out[f"{prefix}:{k}"] = int(v)
    return out


def sysctls(role):
    names = ["net.ipv4.tcp_timestamps", "net.ipv4.tcp_syn_linear_timeouts", "net.ipv4.ip_local_port_range",
             "net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog", "net.ipv4.tcp_synack_retries",
             "net.ipv4.tcp_syn_retries", "net.ipv4.tcp_rfc1337", "net.ipv4.tcp_tw_reuse", "net.core.somaxconn"]
    out = {}
    for n in names:
        r = sh("sysctl", "-n", n, ns=role, check=False)
        out[n] = " ".join(r.stdout.split()) if r.returncode == 0 else None
    return out


class Run:
    """One scenario's processes and records."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.background = []
        self.logs = {}

    def _cmd(self, ns, role, params, name):
        log = os.path.join(self.workdir, f"{name}.jsonl")
        self.logs[name] = log
        return ["ip", "netns", "exec", NS[ns], PY, os.path.join(HERE, "roles.py"), role, json.dumps(params), log]

    def start(self, ns, role, params, name):
        self.background.append((name, subprocess.Popen(self._cmd(ns, role, params, name))))
        time.sleep(0.3)

    def run(self, ns, role, params, name, timeout=90):
        subprocess.run(self._cmd(ns, role, params, name), check=True, timeout=timeout)

    def wait_all(self, timeout=90):
        for name, p in self.background:
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                raise RuntimeError(f"{name} did not finish within {timeout} s")
            if p.returncode != 0:
                raise RuntimeError(f"{name} failed with exit code {p.returncode}")
        self.background.clear()

    def records(self, name, event=None):
        with open(self.logs[name]) as f:
            recs = [json.loads(line) for line in f]
        return [r for r in recs if event is None or r["event"] == event]


def expect(kind, detect, anomaly, **fields):
    """One expected outcome. detect: the detector must (True) or must not (False) report `kind` here."""
    e = {"kind": kind, "detect": detect, "anomaly": anomaly}
    e.update({k: v for k, v in fields.items() if v is not None})
    return e


def span(t0, t1):
    return {"from": iso(t0 - 1_000_000_000), "to": iso(t1 + 1_000_000_000)}


# ---------------------------------------------------------------- scenarios
# Each returns (description, server endpoint, expected outcomes, application facts for the counts check).

def port_reuse(run, topo):
    port = 7001
    run.start("server", "server_reuse", {"ip": SERVER_IP, "port": port, "seconds": 25}, "server")
    phases = [
        {"name": "timestamps-on", "timestamps": 1, "bytes": 4 << 20, "count": 4, "sport": 40001, "pause_ms": 50},
        {"name": "higher-isn", "timestamps": 0, "bytes": 1024, "count": 4, "sport": 40002, "pause_ms": 300},
        {"name": "collision", "timestamps": 0, "bytes": 4 << 20, "count": 5, "sport": 40003, "pause_ms": 50},
    ]
    run.run("client", "client_reuse", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "phases": phases}, "client")
    run.wait_all()
    out = []
    for c in run.records("client", "connection"):
        base = dict(client=c["client"], server=c["server"], conn_state="SF", phase=c["phase"],
                    incarnation=c["incarnation"], syn_retransmits=c["syn_retransmits"], **span(c["connect_start_ns"], c["closed_ns"]))
        if c["incarnation"] == 0:
            out.append(expect("PORT_REUSE_COLLISION", False, False, note="first use of this 4-tuple", **base))
        elif c["syn_retransmits"]:
            out.append(expect("PORT_REUSE_COLLISION", True, True,
                              note="SYN hit the server's TIME_WAIT: answered with an ACK for the old incarnation, "
                                   "client RST, SYN retransmitted (kernel TCP_INFO total_retrans)", **base))
            out.append(expect("SYN_RETRANSMIT", True, True, **base))
        else:
            out.append(expect("PORT_REUSE_COLLISION", False, False,
                              note="clean reuse: the kernel accepted the SYN on the TIME_WAIT 4-tuple "
                                   + ("(newer TCP timestamp)" if c["timestamps"] else "(ISN above the old rcv_nxt)"), **base))
    # a shortage of ports is the client kernel's range against the connections made, not the collisions
    connections = sum(1 for e in out if e["kind"] == "PORT_REUSE_COLLISION")
    low, high = map(int, sysctls("client")["net.ipv4.ip_local_port_range"].split())
    held = connections * 60  # at most every connection's 60 s of TIME_WAIT at once
    short = held >= (high - low + 1) / 2
    out.append(expect("PORT_EXHAUSTION_RISK", short, short, client=CLIENT_IP, server=f"{SERVER_IP}:{port}",
                      note=f"{connections} connections from fixed source ports against the client's {high - low + 1} "
                           f"ephemeral ports (net.ipv4.ip_local_port_range): "
                           + ("a shortage" if short else "no shortage; the collisions are PORT_REUSE_COLLISION")))
    return ("A client reconnects from fixed source ports while the server, which closed first, still holds "
            "TIME_WAIT: clean reuses (newer timestamps; higher ISN) and true collisions (timestamps off, "
            "4 MB per incarnation).", f"{SERVER_IP}:{port}", out)


def rst_after_fin(run, topo):
    port = 7002
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": port, "seconds": 6, "close_first": True}, "server")
    conns = [{"requests": [[100, 2000, 0]], "end": "abort_after_eof"} for _ in range(6)]
    conns += [{"requests": [[100, 2000, 0]], "end": "close"} for _ in range(4)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": conns}, "client")
    run.wait_all()
    connected = {c["client"]: c for c in run.records("client", "connected")}
    out = []
    for r in run.records("client", "eof_then_abort"):
        out.append(expect("RST", True, False, cause="RST_AFTER_FIN", origin="ENDPOINT_APP", client=r["client"],
                          server=f"{SERVER_IP}:{port}", conn_state="RSTO",
                          note="the client read the server's FIN, then closed with SO_LINGER 0: RST with window 0, normal",
                          **span(connected[r["client"]]["connect_start_ns"], r["t_ns"])))
    for r in run.records("client", "closed"):
        out.append(expect("ANY", False, False, client=r["client"], server=f"{SERVER_IP}:{port}", conn_state="SF",
                          note="graceful close", **span(connected[r["client"]]["connect_start_ns"], r["t_ns"])))
    return ("The server answers and closes first; six clients answer its FIN with RST (SO_LINGER 0 after EOF), "
            "four close gracefully.", f"{SERVER_IP}:{port}", out)


def connection_limit(run, topo):
    port = 7003
    topo.relay(run.workdir, delay_ms=15)
    run.start("server", "server_limit", {"ip": SERVER_IP, "port": port, "max": 8, "hold": 1.5, "seconds": 14}, "server")
    early = [{"requests": [[100, 64, 0]], "end": "close"} for _ in range(2)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": early}, "client-early")
    time.sleep(3)  # quiet period, then the herd
    # each client sends half a round trip after its handshake: its data crosses the server's RST
    storm = [{"ip": ip, "send_at_once": 200, "send_delay_ms": 8} for ip in STORM_CLIENTS]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": storm}, "client-storm")
    run.wait_all()
    out = []
    storm_start = min(r["connect_start_ns"] for r in run.records("client-storm", "connected"))
    storm_end = max(r["t_ns"] for r in run.records("server", "rejected") + run.records("server", "served"))
    sent = {r["client"]: r["t_ns"] for r in run.records("client-storm", "sent")}
    one_way_ns = 15_000_000
    for r in run.records("server", "rejected"):
        out.append(expect("RST", True, True, cause="REJECTED_AFTER_HANDSHAKE", origin="ENDPOINT_APP",
                          client=r["client"], server=f"{SERVER_IP}:{port}", conn_state="RSTR",
                          note="accepted, then aborted by the application at its limit of 8", **span(r["t_ns"], r["t_ns"])))
        # the client's data reaches the server one relay delay after it was sent: after the abort, the
        # stack answers it with a second RST; margins of 3 ms either way leave the close calls unlabeled
        if r["client"] in sent:
            arrival = sent[r["client"]] + one_way_ns
            if arrival > r["t_ns"] + 3_000_000 or arrival < r["t_ns"] - 3_000_000:
                late = arrival > r["t_ns"]
                out.append(expect("RST", late, late, cause="DATA_AFTER_RST", origin="ENDPOINT_STACK",
                                  client=r["client"], server=f"{SERVER_IP}:{port}",
                                  note=("the client's request arrived after the abort: the stack answers it with RST"
                                        if late else "the request arrived before the abort"),
                                  **span(r["t_ns"], arrival)))
    for r in run.records("server", "served"):
        out.append(expect("RST", False, False, client=r["client"], server=f"{SERVER_IP}:{port}", conn_state="SF",
                          note="admitted and served", **span(r["t_ns"] - 2_000_000_000, r["t_ns"])))
    out.append(expect("CONNECTION_LIMIT", True, True, server=f"{SERVER_IP}:{port}", limit=8, **span(storm_start, storm_end)))
    out.append(expect("RST_STORM", True, True, server=f"{SERVER_IP}:{port}", reset_connections=len(run.records("server", "rejected")),
                      note="every rejection is an RST; none before the storm", **span(storm_start, storm_end)))
    out.append(expect("RECONNECT_STORM", True, True, server=f"{SERVER_IP}:{port}", distinct_clients=len(STORM_CLIENTS),
                      quiet_seconds=3, **span(storm_start, storm_start)))
    return ("A server that serves at most 8 connections at a time and aborts any beyond; after 3 s of quiet, 40 "
            "clients (distinct addresses) connect at once and send right after the handshake; 15 ms each way.",
            f"{SERVER_IP}:{port}", out)


def refused(run, topo):
    closed, open_port = 7004, 7014
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": open_port, "seconds": 5}, "server")
    run.run("client", "client_refused", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": closed, "count": 8}, "client-refused")
    conns = [{"requests": [[100, 500, 0]], "end": "close"} for _ in range(3)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": open_port, "conns": conns}, "client")
    run.wait_all()
    out = []
    for r in run.records("client-refused", "refused"):
        out.append(expect("RST", True, True, cause="REFUSED", origin="ENDPOINT_STACK", client=CLIENT_IP,
                          server=f"{SERVER_IP}:{closed}", conn_state="REJ", attempt=r["attempt"],
                          note="connect() failed with ECONNREFUSED: no listener", **span(r["t_ns"], r["t_ns"])))
    for r in run.records("client", "closed"):
        out.append(expect("ANY", False, False, client=r["client"], server=f"{SERVER_IP}:{open_port}", conn_state="SF",
                          **span(r["t_ns"] - 1_000_000_000, r["t_ns"])))
    return ("Eight SYNs to a port without listener (RST/ACK from the stack); three normal connections to an open port.",
            f"{SERVER_IP}:{closed}", out)


def backlog_and_flood(run, topo):
    slow, flooded = 7005, 7006
    run.start("server", "server_backlog", {"ip": SERVER_IP, "port": slow, "backlog": 1, "pause": 6, "seconds": 16}, "server-slow")
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": flooded, "seconds": 16}, "server-flooded")
    clients = [{"requests": [[100, 100, 0]], "end": "close", "connect_timeout": 25} for _ in range(10)]
    run.start("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": slow, "conns": clients, "seconds": 40}, "client-slow")
    time.sleep(1)
    run.run("client", "client_flood", {"server_ip": SERVER_IP, "port": flooded, "count": 150, "gap_ms": 3, **FLOOD}, "client-flood")
    legit = [{"requests": [[100, 100, 0]], "end": "close"} for _ in range(3)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": flooded, "conns": legit}, "client-legit")
    run.wait_all(timeout=60)
    out = []
    paused = run.records("server-slow", "not_accepting")[0]
    resumed = run.records("server-slow", "accepting_again")[0]
    retried = 0
    for r in run.records("client-slow", "connected"):
        if r["syn_retransmits"]:
            retried += 1
            out.append(expect("SYN_RETRANSMIT", True, True, client=r["client"], server=f"{SERVER_IP}:{slow}",
                              syn_retransmits=r["syn_retransmits"], conn_state="SF",
                              note="SYN dropped while the accept queue was full; the connection succeeded later",
                              **span(r["connect_start_ns"], r["t_ns"])))
        else:
            out.append(expect("SYN_RETRANSMIT", False, False, client=r["client"], server=f"{SERVER_IP}:{slow}",
                              conn_state="SF", **span(r["connect_start_ns"], r["t_ns"])))
    out.append(expect("ACCEPT_BACKLOG_OVERFLOW", True, True, server=f"{SERVER_IP}:{slow}", backlog=1,
                      clients_retrying=retried, note="listen(1) and no accept() for 6 s; legitimate clients retry, then succeed",
                      **span(paused["t_ns"], resumed["t_ns"])))
    out.append(expect("SYN_FLOOD", False, False, server=f"{SERVER_IP}:{slow}", note="legitimate clients, one source"))
    flood = run.records("client-flood", "flood_sent")[0]
    out.append(expect("SYN_FLOOD", True, True, server=f"{SERVER_IP}:{flooded}", syns=flood["syns"],
                      distinct_sources=flood["distinct_sources"],
                      note="spoofed SYNs from addresses that never answer: half-open connections",
                      **span(flood["t_ns"] - 500_000_000, flood["t_ns"])))
    out.append(expect("HALF_OPEN", True, True, server=f"{SERVER_IP}:{flooded}", count=flood["syns"], conn_state="OTH",
                      note="each spoofed SYN leaves a SYN/ACK that is never completed (Zeek: SYN and SYN/ACK without the final ACK is OTH)"))
    out.append(expect("ACCEPT_BACKLOG_OVERFLOW", False, False, server=f"{SERVER_IP}:{flooded}",
                      note="the application accepts promptly: attack-like, not a slow accept loop"))
    for r in run.records("client-legit", "connected"):
        out.append(expect("HALF_OPEN", False, False, client=r["client"], server=f"{SERVER_IP}:{flooded}", conn_state="SF"))
    return ("A listener with backlog 1 whose application stops accepting for 6 s while 10 clients connect; and "
            "a bounded burst of 150 spoofed SYNs from 150 addresses to another port of the same server.",
            f"{SERVER_IP}:{slow}", out)


def zero_window(run, topo):
    port = 7007
    run.start("server", "server_zero_window", {"ip": SERVER_IP, "port": port, "rcvbuf": 32768, "stall": 3, "seconds": 14}, "server")
    run.start("client", "client_bulk", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "bytes": 2 << 20, "mode": "S"}, "client-stalled")
    run.run("client", "client_bulk", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "bytes": 2 << 20, "mode": "F"}, "client-fast")
    run.wait_all()
    out = []
    stop = run.records("server", "stop_reading")[0]
    resume = run.records("server", "resume_reading")[0]
    out.append(expect("ZERO_WINDOW_STALL", True, True, client=stop["client"], server=f"{SERVER_IP}:{port}",
                      stall_seconds=round((resume["t_ns"] - stop["t_ns"]) / 1e9, 3), conn_state="SF",
                      note="the receiving application stopped reading for 3 s: window 0, zero-window probes",
                      **span(stop["t_ns"], resume["t_ns"])))
    fast = run.records("client-fast", "bulk_done")[0]
    out.append(expect("ZERO_WINDOW_STALL", False, False, client=fast["client"], server=f"{SERVER_IP}:{port}",
                      conn_state="SF", note="same transfer, the receiver keeps reading", **span(fast["connect_start_ns"], fast["done_ns"])))
    return ("A receiver with a 32 KB buffer stops reading for 3 s in the middle of a 2 MB transfer, then resumes; "
            "a second transfer to the same server is read at once.", f"{SERVER_IP}:{port}", out)


def idle_timeout(run, topo):
    port = 7008
    run.start("server", "server_idle", {"ip": SERVER_IP, "port": port, "idle": 10, "seconds": 17}, "server")
    conns = [{"requests": [[100, 100, 0]], "end": "silent", "silent_for": 14} for _ in range(2)]
    conns.append({"requests": [[100, 100, 3000]] * 4, "end": "close"})
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": conns}, "client")
    run.wait_all()
    out = []
    for r in run.records("server", "idle_abort"):
        out.append(expect("RST", True, True, cause="IDLE_TIMEOUT", origin="ENDPOINT_APP", client=r["client"],
                          server=f"{SERVER_IP}:{port}", idle_seconds=r["idle_s"], conn_state="RSTR",
                          note="the server application aborts after exactly 10 s of client silence (a round timer)",
                          **span(r["last_data_ns"], r["t_ns"])))
    for r in run.records("client", "closed"):
        out.append(expect("RST", False, False, client=r["client"], server=f"{SERVER_IP}:{port}", conn_state="SF",
                          note="requests every 3 s keep the connection alive; graceful close", **span(r["t_ns"] - 12_000_000_000, r["t_ns"])))
    return ("The server aborts connections after 10 s of client silence: two silent clients, one that sends "
            "every 3 s and closes gracefully.", f"{SERVER_IP}:{port}", out)


def packet_loss(run, topo):
    port = 7009
    relay, relay_log = topo.relay(run.workdir, delay_ms=1, loss=0.02, seed=7)
    run.start("server", "server_sink", {"ip": SERVER_IP, "port": port, "seconds": 10}, "server")
    run.run("client", "client_bulk", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "bytes": 3 << 20}, "client")
    run.wait_all()
    relay.terminate()
    relay.wait(timeout=10)
    with open(relay_log) as f:
        drops = [json.loads(x) for x in f if '"drop"' in x]
    run.logs["relay"] = relay_log
    done = run.records("client", "bulk_done")[0]
    out = [expect("RETRANSMISSION_SURGE", True, True, client=CLIENT_IP, server=f"{SERVER_IP}:{port}",
                  dropped_by_relay=len(drops), client_total_retrans=done["total_retrans"], loss_probability=0.02,
                  note="the router drops a seeded 2% of client→server packets (each drop logged)",
                  **span(done["connect_start_ns"], done["done_ns"]))]
    return ("A 3 MB transfer through a router that drops 2% of client→server packets (seeded, logged) and delays 1 ms.",
            f"{SERVER_IP}:{port}", out)


def normal(run, topo):
    port = 7010
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": port, "seconds": 6}, "server")
    conns = [{"requests": [[200, 3000, 0]], "end": "close"} for _ in range(10)]
    conns += [{"requests": [[100, 500, 200]] * 5, "end": "close"} for _ in range(2)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": conns}, "client")
    run.wait_all()
    out = [expect("ANY", False, False, client=r["client"], server=f"{SERVER_IP}:{port}", conn_state="SF",
                  note="request/response, graceful close", **span(r["t_ns"] - 2_000_000_000, r["t_ns"]))
           for r in run.records("client", "closed")]
    return ("Normal traffic: ten request/response connections and two keep-alive sessions of five requests, "
            "all closed gracefully.", f"{SERVER_IP}:{port}", out)


SCENARIOS = {
    "port-reuse": port_reuse, "rst-after-fin": rst_after_fin, "connection-limit": connection_limit,
    "refused": refused, "backlog-and-flood": backlog_and_flood, "zero-window": zero_window,
    "idle-timeout": idle_timeout, "packet-loss": packet_loss, "normal": normal,
}
PCAPNG = ("normal", "server")  # one capture is converted to pcapng (nanosecond if_tsresol)


def capture(role, path):
    p = subprocess.Popen(["ip", "netns", "exec", NS[role], "tcpdump", "-i", IF[role], "-s", str(SNAPLEN),
                          "--time-stamp-precision=nano", "-U", "-w", path, "tcp"],
                         stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()  # "listening on …" once the capture runs
    if "listening" not in line:
        p.kill()
        raise RuntimeError(f"tcpdump did not start: {line}")
    return p


def captured(workdir, body):
    """Runs body() with both captures on. Returns its result, the capture files and the counters before,
    just before and just after the captures stopped: what the kernel sent in that instant may or may not
    be in the capture, so the labels keep both."""
    before = {r: counters(r) for r in ("client", "server")}
    caps = {r: os.path.join(workdir, f"{r}.pcap") for r in ("client", "server")}
    procs = {r: capture(r, path) for r, path in caps.items()}
    result = body()
    time.sleep(0.5)
    after = {r: counters(r) for r in ("client", "server")}
    for p in procs.values():
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
    later = {r: counters(r) for r in ("client", "server")}
    return result, caps, before, after, later


def unobservable(e):
    """The flood seen from the client's interface: the SYN/ACKs to the spoofed sources never reach it."""
    if e["kind"] != "SYN_FLOOD" or not e["detect"]:
        return e
    return dict(e, observable=False, note=e["note"] + "; not observable at this vantage: the server's SYN/ACKs to the"
                " spoofed sources never reach this interface (no one answers ARP for them), so whether the server's SYN"
                " queue overflowed cannot be seen here")


def wireshark_counts(path):
    if not shutil.which("tshark"):
        return None
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    counts = {}
    for flt in WIRESHARK_FILTERS:
        r = subprocess.run(["tshark", "-n", "-r", path, "-Y", flt, "-T", "fields", "-e", "frame.number"],
                           capture_output=True, text=True, timeout=120)
        counts[flt] = len(r.stdout.split())
    return {"version": version, "counts": counts}


# ---------------------------------------------------------------- sweep
# Eight fleet situations, each at points on both sides of a limit. syn-flood and accept-backlog straddle the
# kernel's limits: the SYN queue of a listener holds at most `backlog` half-open requests (min(backlog,
# somaxconn)); beyond it the kernel sends SYN cookies (tcp_syncookies=1) or drops the SYN (0) and logs "possible
# SYN flooding". The accept queue holds backlog + 1 established connections; beyond it the kernel drops the
# handshake's last ACK or the SYN (ListenOverflows). Their labels follow the server namespace's counters, not the
# point's intent. packet-loss, reconnect-storm and connection-limit (further below) straddle the product's
# documented fleet thresholds, applied to what TCP_INFO, the relay and the applications measured; port-exhaustion,
# rst-storm and slow-responses (after middlebox-rst) too, from the client's kernel (ss, ip_local_port_range) and the
# applications' logs, with the rules' own baseline arithmetic.

SWEEP_FLOOD_FIRST = 50  # the sweep's spoofed sources: 10.77.0.50 and up (up to .254), unanswered
SWEEP = {  # point: (situation, parameters, the side of the limit it is meant to land on)
    "flood-4x2": ("syn-flood", {"sources": 4, "syns": 8, "gap_ms": 20, "backlog": 128, "syncookies": 1}, False),
    "flood-16x8-cookies": ("syn-flood", {"sources": 16, "syns": 128, "gap_ms": 5, "backlog": 16, "syncookies": 1}, True),
    "flood-50-drop": ("syn-flood", {"sources": 50, "syns": 100, "gap_ms": 5, "backlog": 16, "syncookies": 0}, True),
    "flood-200x1": ("syn-flood", {"sources": 200, "syns": 200, "gap_ms": 2, "backlog": 128, "syncookies": 1}, True),
    "flood-below-backlog": ("syn-flood", {"sources": 20, "syns": 20, "gap_ms": 5, "backlog": 128, "syncookies": 1}, False),
    "backlog-1x20-one-address": ("accept-backlog", {"backlog": 1, "clients": 20, "addresses": 1, "pause": 10}, True),
    "backlog-8x20-many": ("accept-backlog", {"backlog": 8, "clients": 20, "addresses": 20, "pause": 6}, True),
    "backlog-4x40-many": ("accept-backlog", {"backlog": 4, "clients": 40, "addresses": 40, "pause": 4}, True),
    "backlog-128x20-slow": ("accept-backlog", {"backlog": 128, "clients": 20, "addresses": 20, "pause": 6}, False),
    "backlog-16x5-prompt": ("accept-backlog", {"backlog": 16, "clients": 5, "addresses": 1, "pause": 0}, False),
    "loss-0": ("packet-loss", {"loss": 0.0, "bytes": 1 << 20, "seed": 7, "seconds": 5}, False),
    "loss-0p2pct": ("packet-loss", {"loss": 0.002, "bytes": 1 << 20, "seed": 7, "seconds": 5}, False),
    "loss-1pct": ("packet-loss", {"loss": 0.01, "bytes": 1 << 20, "seed": 7, "seconds": 5}, True),
    "loss-3pct": ("packet-loss", {"loss": 0.03, "bytes": 1 << 20, "seed": 7, "seconds": 5}, True),
    "loss-10pct": ("packet-loss", {"loss": 0.10, "bytes": 1 << 20, "seed": 7, "seconds": 6}, True),
    "storm-5": ("reconnect-storm", {"clients": 5, "quiet": 4}, False),
    "storm-15": ("reconnect-storm", {"clients": 15, "quiet": 4}, False),
    "storm-25": ("reconnect-storm", {"clients": 25, "quiet": 4}, True),
    "storm-40": ("reconnect-storm", {"clients": 40, "quiet": 4}, True),
    "storm-100": ("reconnect-storm", {"clients": 100, "quiet": 4}, True),
    "storm-25-quiet1p5": ("reconnect-storm", {"clients": 25, "quiet": 1.5}, False),
    "limit-8x6": ("connection-limit", {"max": 8, "clients": 6, "hold": 3, "quiet": 4}, False),
    "limit-8x12": ("connection-limit", {"max": 8, "clients": 12, "hold": 3, "quiet": 4}, False),
    "limit-8x20": ("connection-limit", {"max": 8, "clients": 20, "hold": 3, "quiet": 4}, True),
    "limit-8x40": ("connection-limit", {"max": 8, "clients": 40, "hold": 3, "quiet": 4}, True),
    # middlebox-rst: the third element is the origin every RST of the point must have
    "mbox-idle-ttl64": ("middlebox-rst", {"mode": "middlebox", "idle": 6, "ttl": 64, "ip_id": "counter", "conns": 4},
                        "MIDDLEBOX_SUSPECT"),
    "mbox-idle-ttl255": ("middlebox-rst", {"mode": "middlebox", "idle": 7, "ttl": 255, "ip_id": "random", "conns": 4},
                         "MIDDLEBOX_SUSPECT"),
    "mbox-idle-ttl128-3s": ("middlebox-rst", {"mode": "middlebox", "idle": 3, "ttl": 128, "ip_id": "constant", "conns": 4},
                            "MIDDLEBOX_SUSPECT"),
    "app-idle-rst": ("middlebox-rst", {"mode": "app", "idle": 6, "conns": 4}, "ENDPOINT_APP"),
    "stack-rst-after-close": ("middlebox-rst", {"mode": "stack-after-close", "conns": 4}, "ENDPOINT_STACK"),
    "stack-rst-closed-port": ("middlebox-rst", {"mode": "stack-closed-port", "attempts": 4}, "ENDPOINT_STACK"),
    # port-exhaustion: connect() and close() at once, `rate` per second for `seconds` from 3 s into one fleet window,
    # from a client whose net.ipv4.ip_local_port_range is `port_range` (the detector is told it: --ephemeral-ports)
    "ports-narrow-40": ("port-exhaustion", {"rate": 20, "seconds": 2, "port_range": "40000 40999"}, False),
    "ports-narrow-70": ("port-exhaustion", {"rate": 35, "seconds": 2, "port_range": "40000 40999"}, False),
    "ports-narrow-110": ("port-exhaustion", {"rate": 55, "seconds": 2, "port_range": "40000 40999"}, True),
    "ports-narrow-200": ("port-exhaustion", {"rate": 100, "seconds": 2, "port_range": "40000 40999"}, True),
    "ports-exhausted-150": ("port-exhaustion", {"rate": 100, "seconds": 2, "port_range": "40000 40149"}, True),
    # rst-storm: `aborts` per fleet window (the last one is the storm), `rate` connections per second
    "rst-0-15": ("rst-storm", {"aborts": [0, 0, 15], "rate": 6}, False),
    "rst-0-30": ("rst-storm", {"aborts": [0, 0, 30], "rate": 6}, True),
    "rst-2-40": ("rst-storm", {"aborts": [2, 2, 40], "rate": 6}, True),
    "rst-8-30": ("rst-storm", {"aborts": [8, 8, 30], "rate": 6}, True),
    "rst-19x4-21": ("rst-storm", {"aborts": [19, 19, 19, 19, 21], "rate": 8, "phase": 6.0}, False),
    # slow-responses: the server's delay (ms) per fleet window, `rate` connections per second, one request each
    "slow-10-30ms": ("slow-responses", {"delays": [10, 10, 30], "rate": 6}, False),
    "slow-10-300ms": ("slow-responses", {"delays": [10, 10, 300], "rate": 6}, True),
    "slow-10-600ms": ("slow-responses", {"delays": [10, 10, 600], "rate": 6}, True),
    "slow-always-300ms": ("slow-responses", {"delays": [300, 300, 300], "rate": 6}, False),
}
FLOOD_VERDICT = ["TcpExt:SyncookiesSent", "TcpExt:TCPReqQFullDrop", "TcpExt:TCPReqQFullDoCookies", "TcpExt:ListenOverflows"]
BACKLOG_VERDICT = ["TcpExt:ListenOverflows", "TcpExt:ListenDrops", "TcpExt:SyncookiesSent", "TcpExt:TCPReqQFullDoCookies"]


def tune(situation, pt):
    """Per-namespace settings of a point: on a flood point the server's SYN/ACK tail is shortened (3 SYN/ACKs
    per spoofed SYN; a request expires 7 s after its SYN). The clients keep tcp_syn_retries: with
    tcp_syn_linear_timeouts they send a SYN every second, and connect() gives up at its own 10 s first.
    On a port-exhaustion point the client's ephemeral port range is set to `port_range`."""
    if situation == "syn-flood":
        sh("sysctl", "-qw", "net.ipv4.tcp_synack_retries=2", ns="server")
        sh("sysctl", "-qw", f"net.ipv4.tcp_syncookies={pt['syncookies']}", ns="server")
    if situation == "port-exhaustion" and pt.get("port_range"):
        sh("sysctl", "-qw", f"net.ipv4.ip_local_port_range={pt['port_range']}", ns="client")


def run_flood(run, pt):
    """A listener that accepts promptly; spoofed SYNs (each sent once) and, during them, 3 legitimate clients."""
    port = 7006
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": port, "seconds": 9, "backlog": pt["backlog"]}, "server")
    run.start("client", "client_flood", {"server_ip": SERVER_IP, "port": port, "count": pt["syns"], "gap_ms": pt["gap_ms"],
                                          "src_prefix": "10.77.0", "src_first": SWEEP_FLOOD_FIRST, "src_count": pt["sources"]},
              "client-flood")
    legit = [{"requests": [[100, 100, 0]], "end": "close", "connect_timeout": 10} for _ in range(3)]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": legit, "seconds": 20},
            "client-legit", timeout=30)
    run.wait_all(timeout=30)


def run_backlog(run, pt):
    """A listener that does not accept() for `pause` s while the clients connect at once, one request each."""
    port = 7005
    run.start("server", "server_backlog", {"ip": SERVER_IP, "port": port, "backlog": pt["backlog"], "pause": pt["pause"],
                                            "seconds": pt["pause"] + 9}, "server")
    ips = [CLIENT_IP] if pt["addresses"] == 1 else STORM_CLIENTS[:pt["addresses"]]
    # connect() gives up after 10 s; a client whose last ACK the server dropped believes it is connected and
    # waits for its answer while its request is retransmitted (16 s)
    conns = [{"ip": ips[i % len(ips)], "requests": [[100, 100, 0]], "end": "close", "connect_timeout": 10,
              "io_timeout": 16} for i in range(pt["clients"])]
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": conns, "seconds": 30},
            "client", timeout=40)
    run.wait_all(timeout=30)


def client_entries(run, name, server, negative_kind):
    """Per legitimate client, from its own records: SYN_RETRANSMIT when TCP_INFO counted retransmitted SYNs
    (also for a connect() that gave up), else `negative_kind` not detected. Returns entries and a summary."""
    out, summary = [], {"connected": 0, "retried": 0, "failed": 0}
    closed = {r["client"]: r["t_ns"] for r in run.records(name, "closed")}
    for r in run.records(name, "connected"):
        summary["connected"] += 1
        state = "SF" if r["client"] in closed else None
        if r["syn_retransmits"]:
            summary["retried"] += 1
            out.append(expect("SYN_RETRANSMIT", True, True, client=r["client"], server=server, conn_state=state,
                              syn_retransmits=r["syn_retransmits"],
                              note="the client's SYN was retransmitted (TCP_INFO total_retrans at connect), then it connected",
                              **span(r["connect_start_ns"], r["t_ns"])))
        else:
            out.append(expect(negative_kind, False, False, client=r["client"], server=server, conn_state=state,
                              note="connected at the first SYN", **span(r["connect_start_ns"], closed.get(r["client"], r["t_ns"]))))
    for r in run.records(name, "connect_failed"):
        summary["failed"] += 1
        if r.get("syn_retransmits"):
            out.append(expect("SYN_RETRANSMIT", True, True, client=r.get("client"), server=server, conn_state="S0",
                              syn_retransmits=r["syn_retransmits"],
                              note=f"connect() gave up ({r['error']}) after retransmitting its SYN (TCP_INFO total_retrans)",
                              **span(r["connect_start_ns"], r["t_start_ns"])))
    return out, summary


def verdict(delta, names):
    return {k: delta.get(k, 0) for k in names}


def label_flood(run, pt, delta):
    """Labels of a syn-flood point from the server's counters and the flood tool's and clients' logs."""
    server = f"{SERVER_IP}:7006"
    flood = run.records("client-flood", "flood_sent")[0]
    kv = verdict(delta["server"], FLOOD_VERDICT)
    flooded = kv["TcpExt:SyncookiesSent"] + kv["TcpExt:TCPReqQFullDrop"] + kv["TcpExt:TCPReqQFullDoCookies"] > 0
    note = (f"the SYN queue (limit: listen backlog {pt['backlog']}) overflowed: the kernel sent "
            f"{kv['TcpExt:SyncookiesSent']} SYN cookies and dropped {kv['TcpExt:TCPReqQFullDrop']} SYNs "
            "(its own 'possible SYN flooding' condition)" if flooded else
            f"{flood['syns']} spoofed SYNs stayed below the SYN-queue limit (listen backlog {pt['backlog']}): "
            "no cookies, no drops")
    out = [expect("SYN_FLOOD", flooded, flooded, server=server, syns=flood["syns"], distinct_sources=flood["distinct_sources"],
                  backlog=pt["backlog"], syncookies_sent=kv["TcpExt:SyncookiesSent"],
                  reqq_full_drop=kv["TcpExt:TCPReqQFullDrop"], reqq_full_do_cookies=kv["TcpExt:TCPReqQFullDoCookies"],
                  note=note, **span(flood["first_ns"], flood["last_ns"])),
           expect("ACCEPT_BACKLOG_OVERFLOW", False, False, server=server, listen_overflows=kv["TcpExt:ListenOverflows"],
                  note="the application accepts promptly: the accept queue never overflows")]
    clients, summary = client_entries(run, "client-legit", server, "ANY")
    description = (f"{flood['syns']} spoofed SYNs from {flood['distinct_sources']} unanswered addresses, each sent once, "
                   f"{pt['gap_ms']} ms apart, to a listener with backlog {pt['backlog']} (tcp_syncookies={pt['syncookies']}) "
                   "that accepts promptly; three legitimate clients connect during the flood.")
    facts = {"legit_clients": summary,
             "flood": {"syns_sent": flood["syns"], "distinct_sources": flood["distinct_sources"],
                       "first_source": f"10.77.0.{SWEEP_FLOOD_FIRST}",
                       "last_source": f"10.77.0.{SWEEP_FLOOD_FIRST + flood['distinct_sources'] - 1}"}}
    return description, server, out + clients, kv, facts


def label_backlog(run, pt, delta):
    """Labels of an accept-backlog point from the server's counters and the server's and clients' logs."""
    server = f"{SERVER_IP}:7005"
    kv = verdict(delta["server"], BACKLOG_VERDICT)
    overflow = kv["TcpExt:ListenOverflows"] > 0
    paused = run.records("server", "not_accepting")[0]["t_ns"]
    resumed = run.records("server", "accepting_again")[0]["t_ns"]
    clients, summary = client_entries(run, "client", server, "SYN_RETRANSMIT")
    ends = [r["t_ns"] for r in run.records("client") if r["event"] not in ("start", "end")]
    addresses = {r["client"].split(":")[0] for r in run.records("client", "connected")}
    addresses |= {r["client_ip"] for r in run.records("client", "connect_failed")}
    cookies = kv["TcpExt:SyncookiesSent"]
    out = [expect("ACCEPT_BACKLOG_OVERFLOW", overflow, overflow, server=server, backlog=pt["backlog"], clients=pt["clients"],
                  distinct_client_addresses=len(addresses), clients_retrying=summary["retried"],
                  clients_failed=summary["failed"], listen_overflows=kv["TcpExt:ListenOverflows"],
                  note=(f"listen({pt['backlog']}) and no accept() for {pt['pause']} s: the kernel dropped "
                        f"{kv['TcpExt:ListenOverflows']} handshake completions or SYNs (ListenOverflows)" if overflow else
                        f"all {pt['clients']} connections fit in the accept queue of listen({pt['backlog']}): "
                        "no ListenOverflows" + (f", although the application waited {pt['pause']} s" if pt["pause"] else "")),
                  **span(paused, resumed if pt["pause"] else max(ends))),
           expect("SYN_FLOOD", False, False, server=server, syncookies_sent=cookies,
                  note="no flood tool ran: legitimate clients only" + (
                      f"; their burst of SYNs filled the SYN queue (limit: listen backlog {pt['backlog']}) and the kernel "
                      f"sent {cookies} SYN cookies, logging 'possible SYN flooding' although there is no attack"
                      if cookies else ""))]
    served = len(run.records("server", "served"))
    description = (f"A listener with backlog {pt['backlog']} whose application "
                   + (f"does not accept() for {pt['pause']} s, then accepts and answers, " if pt["pause"] else "accepts at once, ")
                   + f"while {pt['clients']} clients from {len(addresses)} address{'es' if len(addresses) > 1 else ''} "
                   "connect at once with one request each.")
    facts = {"clients": dict(summary, served=served, reset=len(run.records("client", "reset_by_server")),
                             errors=len(run.records("client", "client_error")))}
    return description, server, out + clients, kv, facts


# ---- three more fleet situations, on both sides of the product's documented thresholds (README, fleet rules).
# Their labels apply those thresholds to what the sender's kernel (TCP_INFO), the relay's drop log and the
# applications' logs measured; the thresholds are written into every entry beside the measured numbers.

SURGE_RATE, SURGE_MIN_SEGMENTS = 0.01, 200  # RETRANSMISSION_SURGE: ≥ 1% of ≥ 200 data segments retransmitted
STORM_MIN_CLIENTS, STORM_QUIET_S, STORM_BURST_S = 20, 3.0, 3.0  # RECONNECT_STORM: ≥ 20 distinct addresses within 3 s, after ≥ 3 s without a new connection
LIMIT_MIN_REJECTIONS = 5  # CONNECTION_LIMIT: ≥ 5 reset right after the handshake while the application held N
RST_STORM_FLOOR = 20  # RST_STORM: ≥ 20 RST'd connections in a window (and ≥ 5 × the server's baseline)
FLEET_WINDOW_S = 10  # the fleet stage's tumbling windows, aligned to the epoch
# a storm point with more than 40 clients adds these to the client namespace; the flood points' spoofed sources
# (10.77.0.50–.249) are the same addresses, but flood and storm points never share namespaces
STORM_EXTRA = [f"10.77.0.{i}" for i in range(150, 250)]


def burst_time(earliest_ns, phase_s=3.0):
    """The first wall-clock time ≥ earliest_ns that lies phase_s into one of the fleet stage's 10 s windows: a
    burst of well under a second placed there falls in one window, not split between two."""
    w = FLEET_WINDOW_S * 1_000_000_000
    t = earliest_ns // w * w + int(phase_s * 1e9)
    return t if t >= earliest_ns else t + w


def storm_addresses(n):
    """n distinct client addresses: 10.77.0.10–.49, then .150–.249 (added to this point's client namespace)."""
    ips = (STORM_CLIENTS + STORM_EXTRA)[:n]
    extra = [ip for ip in ips if ip not in STORM_CLIENTS]
    if extra:
        sh("ip", "-batch", "-", ns="client", input="".join(f"addr add {ip}/24 dev {IF['client']}\n" for ip in extra))
    return ips


def client_addresses(situation, pt):
    n = pt.get("clients", 0) if situation in ("reconnect-storm", "connection-limit") else 0
    return [CLIENT_IP] + STORM_CLIENTS + [ip for ip in (STORM_CLIENTS + STORM_EXTRA)[:n] if ip not in STORM_CLIENTS]


def run_loss(run, pt):
    """One bulk transfer through the relay, which drops a seeded share of the client→server packets (each logged)."""
    port = 7009
    relay, relay_log = run.topo.relay(run.workdir, delay_ms=1, loss=pt["loss"], seed=pt["seed"])
    run.start("server", "server_sink", {"ip": SERVER_IP, "port": port, "seconds": pt["seconds"]}, "server")
    run.run("client", "client_bulk", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "bytes": pt["bytes"]},
            "client", timeout=30)
    run.wait_all(timeout=30)
    relay.terminate()
    relay.wait(timeout=10)
    run.logs["relay"] = relay_log


def label_loss(run, pt, delta):
    """RETRANSMISSION_SURGE from the sender's TCP_INFO: total_retrans over the data segments it sent
    (tcpi_data_segs_out, retransmissions included); the relay's drop log beside it."""
    server = f"{SERVER_IP}:7009"
    done = run.records("client", "bulk_done")[0]
    drops = run.records("relay", "drop")
    data_drops = sum(1 for d in drops if d.get("payload_len", 0) > 0)
    segs, retrans = done["data_segs_out"], done["total_retrans"]
    original = -(-done["bytes"] // done["snd_mss"])
    rate = retrans / segs
    surge = segs >= SURGE_MIN_SEGMENTS and rate >= SURGE_RATE
    seconds = (done["done_ns"] - done["connect_start_ns"]) / 1e9
    measured = dict(total_retrans=retrans, data_segs_out=segs, segments_of_payload=original, snd_mss=done["snd_mss"],
                    bytes=done["bytes"], bytes_retrans=done["bytes_retrans"], retransmission_rate=round(rate, 5),
                    relay_drops=len(drops), relay_data_drops=data_drops, transfer_seconds=round(seconds, 3))
    threshold = {"rate": SURGE_RATE, "min_data_segments": SURGE_MIN_SEGMENTS}
    note = (f"the sender's TCP_INFO: {retrans} of {segs} data segments retransmitted ({rate:.2%}) "
            + (f"≥ {SURGE_RATE:.0%} of ≥ {SURGE_MIN_SEGMENTS}: a surge" if surge else
               f"below {SURGE_RATE:.0%}: no surge" if segs >= SURGE_MIN_SEGMENTS else f"fewer than {SURGE_MIN_SEGMENTS} data segments")
            + f"; the relay dropped {data_drops} data segments of the client's (loss probability {pt['loss']})")
    out = [expect("RETRANSMISSION_SURGE", surge, surge, client=CLIENT_IP, server=server, loss_probability=pt["loss"],
                  threshold=threshold, note=note, **measured, **span(done["connect_start_ns"], done["done_ns"]))]
    kv = {"tcpi_total_retrans": retrans, "tcpi_data_segs_out": segs, "relay_data_drops": data_drops,
          "Tcp:RetransSegs": delta["client"]["Tcp:RetransSegs"], "TcpExt:TCPTimeouts": delta["client"]["TcpExt:TCPTimeouts"],
          "TcpExt:TCPLostRetransmit": delta["client"]["TcpExt:TCPLostRetransmit"]}
    description = (f"One {done['bytes'] / (1 << 20):g} MB transfer through a router that drops a seeded {pt['loss']:.1%} of "
                   "client→server packets (each drop logged) and delays 1 ms.")
    facts = {"transfer": measured, "threshold": dict(threshold, rule="RETRANSMISSION_SURGE: tcpi_total_retrans / "
                                                     "tcpi_data_segs_out ≥ rate and tcpi_data_segs_out ≥ min_data_segments")}
    return description, server, out, kv, facts


def herd(run, port, pt, conns, server_role, server_params):
    """Two early connections from 10.77.0.2 (a last new connection before the quiet: silence before a server's
    first connection is unknown), `quiet` s without one, then `conns` released together, 3 s into a fleet window."""
    t_storm = burst_time(time.time_ns() + int((pt["quiet"] + 1.5) * 1e9))
    t_early = t_storm - int(pt["quiet"] * 1e9)
    run.start("server", server_role, dict(server_params, seconds=round((t_storm - time.time_ns()) / 1e9 + pt.get("hold", 0) + 3, 1)), "server")
    early = [{"requests": [[100, 64, 0]], "end": "close"} for _ in range(2)]
    run.start("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": early,
                                        "start_at_ns": t_early}, "client-early")
    run.run("client", "client_rpc", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": port, "conns": conns,
                                      "start_at_ns": t_storm, "seconds": 20}, "client-storm", timeout=60)
    run.wait_all(timeout=30)


def reconnect_verdict(run, names=("client-early", "client-storm")):
    """RECONNECT_STORM from the clients' own logs: the connections whose handshake completed (`connected`), by the
    time their connect() began. An incident iff after a gap of ≥ 3 s without a new connection ≥ 20 distinct source
    addresses began to connect within 3 s of its end (the rule's burst). The facts are those after the longest gap."""
    starts = sorted((r["connect_start_ns"], r["client"].rsplit(":", 1)[0]) for n in names for r in run.records(n, "connected"))
    incident, best = False, None
    for i in range(1, len(starts)):
        gap = starts[i][0] - starts[i - 1][0]
        burst = [s for s in starts[i:] if s[0] <= starts[i][0] + STORM_BURST_S * 1_000_000_000]
        distinct = len({a for _, a in burst})
        incident |= gap >= STORM_QUIET_S * 1e9 and distinct >= STORM_MIN_CLIENTS
        if best is None or gap > best["gap_ns"]:
            best = {"gap_ns": gap, "distinct": distinct, "connections": len(burst), "first_ns": burst[0][0], "last_ns": burst[-1][0]}
    return incident, best


def storm_entry(run, server):
    incident, b = reconnect_verdict(run)
    quiet = b["gap_ns"] / 1e9
    note = (f"the clients' logs: {b['distinct']} distinct addresses began to connect within {b['last_ns'] - b['first_ns']:,} ns "
            f"after {quiet:.3f} s without a new connection to the server; "
            + ("≥ 20 after ≥ 3 s: a reconnect storm" if incident else
               f"{'fewer than 20 addresses' if b['distinct'] < STORM_MIN_CLIENTS else ''}"
               f"{' and ' if b['distinct'] < STORM_MIN_CLIENTS and quiet < STORM_QUIET_S else ''}"
               f"{'a quiet of less than 3 s' if quiet < STORM_QUIET_S else ''}: no storm"))
    e = expect("RECONNECT_STORM", incident, incident, server=server, distinct_clients=b["distinct"],
               connections=b["connections"], quiet_seconds=round(quiet, 3),
               threshold={"min_distinct_clients": STORM_MIN_CLIENTS, "min_quiet_seconds": STORM_QUIET_S, "burst_seconds": STORM_BURST_S},
               note=note, **span(b["first_ns"], b["last_ns"]))
    return e, {"clients_after_quiet": b["distinct"], "quiet_ms": round(quiet * 1000)}


def run_storm(run, pt):
    """A promptly answering server; after the quiet, one client per address connects, one request, graceful close."""
    ips = storm_addresses(pt["clients"])
    conns = [{"ip": ip, "requests": [[100, 64, 0]], "end": "close", "connect_timeout": 10} for ip in ips]
    herd(run, 7011, pt, conns, "server_rpc", {"ip": SERVER_IP, "port": 7011, "backlog": 256})


def label_storm(run, pt, delta):
    server = f"{SERVER_IP}:7011"
    storm, facts = storm_entry(run, server)
    out = [storm]
    srv, cli = delta["server"], delta["client"]
    if srv["Tcp:OutRsts"] == 0 and cli["Tcp:OutRsts"] == 0:
        out.append(expect("RST_STORM", False, False, server=server, out_rsts_server=0, out_rsts_client=0,
                          note="the kernels sent no RST at all (Tcp:OutRsts 0 in both namespaces)"))
    out.append(expect("CONNECTION_LIMIT", False, False, server=server, rejected=0,
                      note="server_rpc has no limit: it answers every connection and aborts none"))
    early, s_early = client_entries(run, "client-early", server, "ANY")
    clients, summary = client_entries(run, "client-storm", server, "ANY")
    kv = dict(facts, **{"Tcp:PassiveOpens": srv["Tcp:PassiveOpens"], "Tcp:OutRsts": srv["Tcp:OutRsts"],
                        "TcpExt:ListenOverflows": srv["TcpExt:ListenOverflows"], "TcpExt:SyncookiesSent": srv["TcpExt:SyncookiesSent"]})
    description = (f"A promptly answering server: two connections, {pt['quiet']} s without a new one, then "
                   f"{pt['clients']} clients from {pt['clients']} addresses connect at once, one request each, graceful close.")
    return description, server, out + early + clients, kv, {"clients": summary, "early_clients": s_early,
                                                          "threshold": {"RECONNECT_STORM": {"min_distinct_clients": STORM_MIN_CLIENTS,
                                                                                            "min_quiet_seconds": STORM_QUIET_S, "burst_seconds": STORM_BURST_S}}}


def run_limit(run, pt):
    """server_limit (no relay): after the quiet, one client per address connects at once and sends one request."""
    ips = storm_addresses(pt["clients"])
    conns = [{"ip": ip, "requests": [[100, 64, 0]], "end": "close", "connect_timeout": 10} for ip in ips]
    herd(run, 7012, pt, conns, "server_limit", {"ip": SERVER_IP, "port": 7012, "max": pt["max"], "hold": pt["hold"]})


def label_limit(run, pt, delta):
    """CONNECTION_LIMIT from the server's log (how many it held at each rejection), RST per connection from it,
    RECONNECT_STORM from the clients' logs, RST_STORM from the rejections (each an RST'd connection)."""
    server = f"{SERVER_IP}:7012"
    rejected = run.records("server", "rejected")
    at_limit = [r for r in rejected if r["active"] == pt["max"]]
    limited = len(at_limit) >= LIMIT_MIN_REJECTIONS
    storm_start = min(r["connect_start_ns"] for r in run.records("client-storm", "connected"))
    ends = [r["t_ns"] for r in rejected] or [storm_start]
    out = [expect("CONNECTION_LIMIT", limited, limited, server=server, limit=pt["max"], rejected=len(rejected),
                  rejected_at_limit=len(at_limit), held_at_rejection=sorted({r["active"] for r in rejected}),
                  threshold={"min_rejections": LIMIT_MIN_REJECTIONS},
                  note=(f"the server's log: {len(at_limit)} connections aborted right after accept while it held its "
                        f"{pt['max']}; " + (f"≥ {LIMIT_MIN_REJECTIONS}: a connection limit" if limited else
                                            f"fewer than {LIMIT_MIN_REJECTIONS}: no incident")),
                  **span(storm_start, max(ends)))]
    storm, facts = storm_entry(run, server)
    out.append(storm)
    # RST_STORM: every rejection is one RST'd connection; the server's baseline is the RST'd connections before the
    # storm (rejections before it, early clients reset), which must be 0 for "≥ 5 × baseline" to follow from the logs
    before = [r for r in rejected if r["t_ns"] < storm_start] + run.records("client-early", "reset_by_server") \
        + run.records("client-early", "client_error")
    in_window = [r for r in rejected if r["t_ns"] < min(ends) + FLEET_WINDOW_S * 1_000_000_000]
    if not before:
        rst_storm = len(in_window) >= RST_STORM_FLOOR
        out.append(expect("RST_STORM", rst_storm, rst_storm, server=server, reset_connections=len(in_window), baseline=0,
                          threshold={"min_reset_connections": RST_STORM_FLOOR, "baseline_factor": 5},
                          note=f"the server's log: {len(in_window)} connections aborted (RST) within 10 s of the first, none "
                               "before the storm (baseline 0); " + ("≥ 20: an RST storm" if rst_storm else "fewer than 20: no storm"),
                          **span(min(ends), max(ends))))
    for r in rejected:
        out.append(expect("RST", True, True, cause="REJECTED_AFTER_HANDSHAKE", origin="ENDPOINT_APP", client=r["client"],
                          server=server, conn_state="RSTR", held=r["active"],
                          note=f"accepted, then aborted by the application holding {r['active']} of its {pt['max']}",
                          **span(r["t_ns"], r["t_ns"])))
    admitted = {r["client"]: r["t_ns"] for r in run.records("server", "admitted")}
    for r in run.records("server", "served"):
        out.append(expect("RST", False, False, client=r["client"], server=server, conn_state="SF", note="admitted and served",
                          **span(admitted.get(r["client"], r["t_ns"]), r["t_ns"])))
    srv = delta["server"]
    kv = dict(facts, rejected_at_limit=len(at_limit), served=len(run.records("server", "served")),
              rst_connections_10s=len(in_window), **{"Tcp:OutRsts": srv["Tcp:OutRsts"], "TcpExt:ListenOverflows": srv["TcpExt:ListenOverflows"]})
    description = (f"A server that serves at most {pt['max']} connections at a time (holding each {pt['hold']} s) and aborts any "
                   f"beyond right after accept; two connections, {pt['quiet']} s without a new one, then {pt['clients']} clients "
                   f"from {pt['clients']} addresses connect at once, one request each; no relay.")
    facts = {"server": {"rejected": len(rejected), "rejected_at_limit": len(at_limit), "served": len(run.records("server", "served")),
                        "rst_connections_before_storm": len(before), "rst_connections_10s": len(in_window)},
             "clients": {"connected": len(run.records("client-storm", "connected")),
                         "reset": len(run.records("client-storm", "reset_by_server")),
                         "errors": len(run.records("client-storm", "client_error")),
                         "closed": len(run.records("client-storm", "closed"))},
             "threshold": {"CONNECTION_LIMIT": {"min_rejections": LIMIT_MIN_REJECTIONS},
                           "RECONNECT_STORM": {"min_distinct_clients": STORM_MIN_CLIENTS, "min_quiet_seconds": STORM_QUIET_S, "burst_seconds": STORM_BURST_S},
                           "RST_STORM": {"min_reset_connections": RST_STORM_FLOOR, "baseline_factor": 5}}}
    return description, server, out, kv, facts


# ---- middlebox-rst: who sent the RST? Every point routes the traffic through middlebox.py in the router namespace.
# On the mbox-* points it expires idle flows like a stateful firewall or load balancer: an RST|ACK to each end,
# forged with the other end's addresses, ports and next sequence number, sent from the router's own stack with its
# own TTL and IP IDs. On the other points its idle timeout (MBOX_PASSIVE_IDLE) is longer than the point: it only
# forwards, and the RSTs come from an endpoint — its application (app-idle-rst) or its TCP stack (stack-*).

MBOX_PORT, MBOX_CLOSED_PORT = 7013, 7015
MBOX_PASSIVE_IDLE = 60
IDLE_RST_GAP_S = 5.0  # the RST rule's idle gap: an RST after ≥ 5 s of silence is an idle timeout
MBOX_REQUEST = [100, 1000, 0]  # request bytes, response bytes, gap ms


def run_mbox(run, pt):
    """The point's server and clients with middlebox.py in the path (it logs every RST it forges or sees)."""
    mode = pt["mode"]
    relay, log = run.topo.middlebox(run.workdir, idle=pt["idle"] if mode == "middlebox" else MBOX_PASSIVE_IDLE,
                                    ttl=pt.get("ttl", 64), ip_id=pt.get("ip_id", "counter"), seconds=60)
    run.logs["middlebox"] = log
    server = {"ip": SERVER_IP, "port": MBOX_PORT}
    client = {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": MBOX_PORT, "seconds": 35}
    if mode in ("middlebox", "app"):
        wait = pt["idle"] + 2  # idle longer than the middlebox's / the server's timeout, then send again
        idle = [{"requests": [MBOX_REQUEST], "end": "idle_then_send", "idle_for": wait} for _ in range(pt["conns"])]
        active = [{"requests": [[100, 1000, 1500]] * (int(wait / 1.5) + 2), "end": "close"}]  # never idle 1.5 s
        if mode == "middlebox":
            run.start("server", "server_rpc", dict(server, seconds=wait + 6), "server")
        else:
            run.start("server", "server_idle", dict(server, idle=pt["idle"], seconds=wait + 6), "server")
        run.run("client", "client_rpc", dict(client, conns=idle + active), "client", timeout=45)
    elif mode == "stack-after-close":
        # the server answers one request and closes; the client sends another after its FIN
        run.start("server", "server_rpc", dict(server, seconds=5, close_first=True), "server")
        conns = [{"requests": [MBOX_REQUEST], "end": "idle_then_send", "idle_for": 0.5} for _ in range(pt["conns"])]
        conns += [{"requests": [MBOX_REQUEST], "end": "close"} for _ in range(2)]
        run.run("client", "client_rpc", dict(client, conns=conns), "client", timeout=45)
    elif mode == "stack-closed-port":
        run.start("server", "server_rpc", dict(server, seconds=4), "server")
        run.run("client", "client_refused", {"ip": CLIENT_IP, "server_ip": SERVER_IP, "port": MBOX_CLOSED_PORT,
                                             "count": pt["attempts"], "gap_ms": 100}, "client-refused")
        run.run("client", "client_rpc", dict(client, conns=[{"requests": [MBOX_REQUEST], "end": "close"}] * 2), "client",
                timeout=45)
    run.wait_all(timeout=40)
    relay.terminate()
    relay.wait(timeout=10)


def ttl_at(vantage, sender, ttl_at_router):
    """A packet's TTL where it crosses `vantage`'s interface, from its TTL at the middlebox: the router's kernel
    decrements it once on the way into the TUN device (before the middlebox) and once on the way out."""
    return ttl_at_router + 1 if vantage == sender else ttl_at_router - 1


def label_mbox(run, pt, delta):
    """RST entries per vantage: the middlebox's log (each forged RST crosses the interface of the end it was sent
    to), the server's log (app-idle-rst), the clients' logs and the server's counters (stack-*); the middlebox's
    log of the endpoint RSTs it forwarded gives their TTLs. Every graceful connection: RST not detected."""
    mode = pt["mode"]
    server = f"{SERVER_IP}:{MBOX_PORT}"
    default_ttl = {r: int(sh("sysctl", "-n", "net.ipv4.ip_default_ttl", ns=r).stdout) for r in ("client", "server")}
    injected = run.records("middlebox", "inject_rst")
    seen = {(r["client"], r["from_side"]): r for r in run.records("middlebox", "endpoint_rst")}
    summary = run.records("middlebox", "summary")[0]
    config = run.records("middlebox", "config")[0]
    connected = {r["client"]: r for r in run.records("client", "connected")}
    out = {"client": [], "server": []}

    def both(kind, detect, anomaly, **fields):
        for v in out:
            out[v].append(expect(kind, detect, anomaly, **fields))

    def endpoint_rst(v, client, sender):
        """TTL evidence of an RST an endpoint sent, at vantage v: the RST's and the sender's other packets' TTL."""
        r = seen.get((client, sender))
        if r is None:
            return {}
        return {"rst_ttl": ttl_at(v, sender, r["ttl_at_router"]), "rst_ip_id": r["ip_id"],
                "endpoint_ttl": ttl_at(v, sender, r["sender_prev_ttl_at_router"]) if r.get("sender_prev_ttl_at_router") else None,
                "endpoint_initial_ttl": default_ttl[sender]}

    if mode == "middlebox":
        for r in injected:
            v, forged = r["to"], r["forged_as"]
            cause = "IDLE_TIMEOUT" if r["idle_s"] >= IDLE_RST_GAP_S else None
            own = ttl_at(v, forged, r["forged_as_ttl_at_router"])
            out[v].append(expect(
                "RST", True, True, cause=cause, origin="MIDDLEBOX_SUSPECT", client=r["client"], server=r["server"],
                conn_state="RSTR" if forged == "server" else "RSTO", sent_by="middlebox (router namespace)",
                forged_as=forged, rst_ttl=r["ttl"], rst_ip_id=r["ip_id"], ip_id_pattern=config["ip_id"],
                rst_seq=r["seq"], rst_ack=r["ack"], endpoint_ttl=own, endpoint_initial_ttl=default_ttl[forged],
                endpoint_last_ip_id=r["forged_as_last_ip_id"], idle_seconds=r["idle_s"],
                note=(f"the middlebox expired the flow after {r['idle_s']:.2f} s of silence and forged this RST|ACK as if from "
                      f"the {forged} ({r['src']}, seq = its next sequence number {r['seq']}): IP TTL {r['ttl']} and IP ID "
                      f"{r['ip_id']} ({config['ip_id']}), where the {forged}'s own packets cross this interface with TTL {own} "
                      f"(sent with {default_ttl[forged]}, forwarded twice by the router) and IP IDs of its own per-socket "
                      f"counter (last {r['forged_as_last_ip_id']}); "
                      + ("≥ 5 s of silence: an idle timeout" if cause else
                         f"{r['idle_s']:.2f} s < 5 s: shorter than the detector's idle gap, so no cause is labelled")),
                **span(r["last_activity_ns"], r["t_ns"])))
    elif mode == "app":
        for r in run.records("server", "idle_abort"):
            for v in out:
                out[v].append(expect(
                    "RST", True, True, cause="IDLE_TIMEOUT" if r["idle_s"] >= IDLE_RST_GAP_S else None, origin="ENDPOINT_APP",
                    client=r["client"], server=server, conn_state="RSTR", idle_seconds=r["idle_s"], sent_by="server application",
                    **endpoint_rst(v, r["client"], "server"),
                    note=f"the server application aborted (SO_LINGER 0 close) after {r['idle_s']} s without a byte from the "
                         "client; its stack sent the RST with the server's own TTL; the middlebox in the path only forwarded it",
                    **span(r["last_data_ns"], r["t_ns"])))
    elif mode == "stack-after-close":
        closed = {r["client"]: r["t_ns"] for r in run.records("server", "server_closed")}
        for r in run.records("client", "reset_after_send"):
            for v in out:
                out[v].append(expect(
                    "RST", True, True, origin="ENDPOINT_STACK", client=r["client"], server=server,
                    sent_by="server TCP stack", client_errno=r["errno"], **endpoint_rst(v, r["client"], "server"),
                    note="the server application had answered and closed the socket (its log: server_closed); the client "
                         "sent another request after the server's FIN and the server's stack answered the data with RST "
                         f"(server Tcp:OutRsts {delta['server']['Tcp:OutRsts']} for {len(run.records('client', 'reset_after_send'))} "
                         "such clients; the orphaned FIN_WAIT2 socket had become a timewait socket, which resets new data "
                         "without a TcpExt counter of its own); the client's socket then reported " + str(r["errno"])
                         + "; no cause labelled: none of the detector's causes describes data arriving for a socket its "
                         "application closed",
                    **span(min(closed.get(r["client"], r["sent_ns"]), r["sent_ns"]), r["t_ns"])))
    elif mode == "stack-closed-port":
        for r in run.records("client-refused", "refused"):
            for v in out:
                out[v].append(expect(
                    "RST", True, True, cause="REFUSED", origin="ENDPOINT_STACK", client=r["client"],
                    server=f"{SERVER_IP}:{MBOX_CLOSED_PORT}", conn_state="REJ", sent_by="server TCP stack",
                    **endpoint_rst(v, r["client"], "server"),
                    note="connect() failed with ECONNREFUSED: no listener; the server's stack answered the SYN with RST/ACK",
                    **span(r["connect_start_ns"] or r["t_ns"], r["t_ns"])))
    for r in run.records("client", "closed"):
        start = connected[r["client"]]["connect_start_ns"] if r["client"] in connected else r["t_ns"] - 2_000_000_000
        both("RST", False, False, client=r["client"], server=server, conn_state="SF",
             note="requests, then a graceful close" + (" (a request every 1.5 s: never idle as long as the middlebox's timeout)"
                                                       if mode == "middlebox" else ""), **span(start, r["t_ns"]))
    for v in out:
        out[v] = [{k: x for k, x in e.items() if x is not None} for e in out[v]]

    cli, srv = delta["client"], delta["server"]
    to = {v: sum(1 for r in injected if r["to"] == v) for v in ("client", "server")}
    kv = {"middlebox_injected_rsts": len(injected), "middlebox_endpoint_rsts_seen": summary["endpoint_rsts_seen"],
          "client Tcp:EstabResets": cli["Tcp:EstabResets"], "server Tcp:EstabResets": srv["Tcp:EstabResets"],
          "client Tcp:OutRsts": cli["Tcp:OutRsts"], "server Tcp:OutRsts": srv["Tcp:OutRsts"],
          "server TcpExt:TCPAbortOnData": srv["TcpExt:TCPAbortOnData"],
          "client TcpExt:TCPChallengeACK": cli["TcpExt:TCPChallengeACK"], "server TcpExt:TCPChallengeACK": srv["TcpExt:TCPChallengeACK"]}
    outcomes = {}
    for name in [n for n in ("client", "client-refused") if n in run.logs]:
        for r in run.records(name):
            if r["event"] not in ("start", "end", "connected"):
                key = r["event"] + (f" {r['errno']}" if r.get("errno") else "")
                outcomes[key] = outcomes.get(key, 0) + 1
    server_outcomes = {}
    for r in run.records("server"):
        if r["event"] not in ("start", "end"):
            key = r["event"] + (f" {r['errno']}" if r.get("errno") else "")
            server_outcomes[key] = server_outcomes.get(key, 0) + 1
    facts = {"middlebox": {"idle_s": config["idle_s"], "ttl": config["ttl"], "ip_id": config["ip_id"],
                           "ip_id_start": config["ip_id_start"], "max_flows": config["max_flows"],
                           "on_expiry": config["on_expiry"], "injected_to_client": to["client"],
                           "injected_to_server": to["server"],
                           "injected": [{k: r[k] for k in ("t_ns", "client", "to", "seq", "ack", "ttl", "ip_id", "idle_s")}
                                        for r in injected],
                           **{k: summary[k] for k in ("forwarded", "flows", "expired_flows", "endpoint_rsts_seen",
                                                      "dropped_after_expiry", "untracked_flows")}},
             "endpoint_initial_ttl": default_ttl, "client_outcomes": outcomes, "server_outcomes": server_outcomes}
    if mode == "middlebox" and (to["client"] != cli["Tcp:EstabResets"] or to["server"] != srv["Tcp:EstabResets"]):
        print(f"warning: forged RSTs {to} vs Tcp:EstabResets client {cli['Tcp:EstabResets']}, server {srv['Tcp:EstabResets']}")
    def seen_by_clients():
        return ", ".join(f"{n} × {k}" for k, n in outcomes.items() if k.startswith(("send_failed", "reset_after_send",
                                                                                  "answered_again", "no_answer")))

    descriptions = {
        "middlebox": lambda: f"{pt['conns']} connections make one request each, then stay silent; a stateful middlebox in the router "
                     f"expires each after {pt['idle']} s idle with an RST|ACK to both ends (IP TTL {pt['ttl']}, IP IDs "
                     f"{pt['ip_id']}); {pt['idle'] + 2} s after its request each client sends again ({seen_by_clients()}). "
                     "A fifth connection sends every 1.5 s and closes gracefully.",
        "app": lambda: f"{pt['conns']} connections make one request each, then stay silent; the server application aborts each after "
               f"{pt['idle']} s (SO_LINGER 0); the clients send again at {pt['idle'] + 2} s ({seen_by_clients()}). A middlebox is in the path but "
               "only forwards. A fifth connection sends every 1.5 s and closes gracefully.",
        "stack-after-close": lambda: f"The server answers one request and closes; {pt['conns']} clients send another request 0.5 s after "
                             f"its FIN and the server's stack answers with RST ({seen_by_clients()}); two close gracefully. A middlebox only forwards.",
        "stack-closed-port": lambda: f"{pt['attempts']} connects to a port without listener (RST/ACK from the server's stack); two "
                             "normal connections to an open port. A middlebox only forwards.",
    }
    server_of = f"{SERVER_IP}:{MBOX_CLOSED_PORT}" if mode == "stack-closed-port" else server
    return descriptions[mode](), server_of, out, kv, facts


# ---- three more fleet rules, each on both sides of its documented threshold (FleetConfig's defaults), applied to
# what the client's kernel (ss, ip_local_port_range) and the applications' own logs measured — per epoch-aligned
# 10 s window, with the rule's own baseline arithmetic (ServerHistory) where it has one.

PORTS_PORT, RSTS_PORT, SLOW_PORT = 7016, 7017, 7018
EXHAUSTION_FRACTION = 0.5  # PORT_EXHAUSTION_RISK: ports held in TIME_WAIT ≥ 50% of the ephemeral range …
TIME_WAIT_S = 60  # … closes per second × the TIME_WAIT each left (Linux: fixed 60 s; the tracker assumes 60 s at TTL ≤ 64) …
# … of the client's range: the detector cannot see it on the wire, so it is told it, as an operator tells it with
# --ephemeral-ports LOW-HIGH (Linux-like clients; default 32768-60999); the label's top-level `detector` object says so
PORTS_SAMPLE = 30  # per-connection negatives on a port-exhaustion point: an even sample, not thousands
RST_STORM_FACTOR = 5  # RST_STORM: ≥ 20 RST'd connections in a window and ≥ 5 × the server's baseline …
BASELINE_ALPHA = 2 / (30 + 1)  # … an exponentially weighted average of its windows (span 30: FleetConfig.rstBaselineWindows)
SLOW_MIN, SLOW_FACTOR, SLOW_FLOOR_MS = 20, 5, 200  # SLOW_RESPONSES: ≥ 20 answers, p90 ≥ 5 × baseline and ≥ 200 ms
ABORT_HOLD_MS = 100  # server_paced answers, then closes or aborts this much later: long after the client's last segment
PACED_GAP = [1.0, 0.1]  # no connection starts within 1 s before or 0.1 s after a window's end
W_NS = FLEET_WINDOW_S * 1_000_000_000


def window_start(t_ns):
    return t_ns // W_NS * W_NS


def run_ports(run, pt):
    """A client opens short connections to server_rpc at `rate` per second for `seconds`, from `phase` s (default 3)
    into one fleet window: connect(), then close() at once — its FIN first, so its kernel keeps each port in TIME_WAIT
    for 60 s. At the end of the burst `ss` counts the client's TIME_WAIT sockets to the server."""
    t0 = burst_time(time.time_ns() + 2_000_000_000, phase_s=pt.get("phase", 3.0))
    end = t0 + int(pt["seconds"] * 1e9)
    run.start("server", "server_rpc", {"ip": SERVER_IP, "port": PORTS_PORT, "backlog": 1024,
                                        "seconds": round((end - time.time_ns()) / 1e9 + 2, 1)}, "server")
    run.run("client", "client_paced", {"server_ip": SERVER_IP, "port": PORTS_PORT, "rate": pt["rate"], "start_at_ns": t0,
                                        "end_ns": end, "client_first": True, "request": None, "workers": 4}, "client",
            timeout=60)
    t_ss = time.time_ns()
    lines = sh("ss", "-Htan", "state", "time-wait", "dst", SERVER_IP, ns="client").stdout.splitlines()
    ports = [int(line.split()[-2].rsplit(":", 1)[1]) for line in lines if line.strip()]
    run.time_wait = {"t_ns": t_ss, "sockets": len(ports), "lowest_port": min(ports, default=None),
                     "highest_port": max(ports, default=None),
                     "command": f"ip netns exec {NS['client']} ss -Htan state time-wait dst {SERVER_IP}"}
    run.wait_all(timeout=30)


def label_ports(run, pt, delta):
    """PORT_EXHAUSTION_RISK (client host → server) from the client's log: per fleet window the connections it closed
    first (its FIN first, so it holds the TIME_WAIT), × 60 s of TIME_WAIT / 10 s = the ports held at that rate
    (Little's law, as the rule computes it), against 50% of the client's own net.ipv4.ip_local_port_range — the range
    the detector is told (--ephemeral-ports; the label's `detector` object). ss's count of TIME_WAIT sockets and the
    client's failed connect()s are recorded beside it."""
    server = f"{SERVER_IP}:{PORTS_PORT}"
    conns = run.records("client", "conn")
    failed = run.records("client", "connect_failed")
    paced = run.records("client", "paced")[0]
    low, high = map(int, sysctls("client")["net.ipv4.ip_local_port_range"].split())
    ports = high - low + 1
    budget = EXHAUSTION_FRACTION * ports
    # held = closes / window × TIME_WAIT ≥ budget ⇔ closes ≥ budget × window / TIME_WAIT (exact: 0.5 is a binary fraction)
    min_closes = math.ceil(fractions.Fraction(budget) * FLEET_WINDOW_S / TIME_WAIT_S)
    tw = run.time_wait
    by_window = {}
    for c in conns:
        if c["end"] == "closed_first":
            by_window.setdefault(window_start(c["closed_ns"]), []).append(c)
    windows = []
    for ws in sorted(by_window):
        n = len(by_window[ws])
        held = n / FLEET_WINDOW_S * TIME_WAIT_S
        windows.append({"window_start": iso(ws), "client_first_closes": n, "connections_per_second": n / FLEET_WINDOW_S,
                        "ports_held": round(held), "share_of_range": round(held / ports, 4),
                        "risk": held >= budget, "first_ns": by_window[ws][0]["closed_ns"],
                        "last_ns": max(c["closed_ns"] for c in by_window[ws])})
    errors = {}
    for f in failed:
        errors[f["errno"]] = errors.get(f["errno"], 0) + 1
    threshold = {"budget_share": EXHAUSTION_FRACTION, "time_wait_seconds": TIME_WAIT_S, "window_seconds": FLEET_WINDOW_S,
                 "port_range": f"{low}-{high}", "ports": ports, "budget_ports": budget,
                 "min_client_first_closes": min_closes, "detector_option": f"--ephemeral-ports {low}-{high}"}
    rule = (f"closes / {FLEET_WINDOW_S} s × {TIME_WAIT_S} s ≥ {EXHAUSTION_FRACTION:.0%} of {ports} = {budget:g} ports "
            f"⇔ ≥ {min_closes} closes in the window")
    real = (f"; ss counted {tw['sockets']} TIME_WAIT sockets of the client's to the server at the end of the burst "
            f"(ports {tw['lowest_port']}–{tw['highest_port']}); the client's net.ipv4.ip_local_port_range is "
            f"{low}–{high} ({ports} ports), which the detector is told (--ephemeral-ports {low}-{high})")
    if failed:
        real += (f"; {sum(errors.values())} connect() calls failed ({', '.join(f'{n} × {e}' for e, n in errors.items())}), "
                 f"the first {(min(f['connect_start_ns'] for f in failed) - paced['start_at_ns']) / 1e9:.2f} s into the "
                 "burst: the range ran out")
    out = []
    for w in windows:
        if w["risk"]:
            out.append(expect("PORT_EXHAUSTION_RISK", True, True, client=CLIENT_IP, server=server,
                              client_first_closes=w["client_first_closes"], connections_per_second=w["connections_per_second"],
                              ports_held=w["ports_held"], share_of_range=w["share_of_range"],
                              time_wait_sockets=tw["sockets"], client_port_range=f"{low}-{high}", threshold=threshold,
                              note=f"the client's log: {w['client_first_closes']} connections closed by the client first in the "
                                   f"window ({w['connections_per_second']:.1f}/s); × {TIME_WAIT_S} s of TIME_WAIT = "
                                   f"{w['ports_held']} ports held, {w['share_of_range']:.1%} of {ports} ≥ 50% "
                                   f"(≥ {min_closes} closes): a risk" + real,
                              **span(w["first_ns"], w["last_ns"])))
    if not out:
        top = max(windows, key=lambda w: w["client_first_closes"])
        out.append(expect("PORT_EXHAUSTION_RISK", False, False, client=CLIENT_IP, server=server,
                          client_first_closes=top["client_first_closes"], connections_per_second=top["connections_per_second"],
                          ports_held=top["ports_held"], share_of_range=top["share_of_range"],
                          time_wait_sockets=tw["sockets"], client_port_range=f"{low}-{high}", threshold=threshold,
                          note=f"the client's log: at most {top['client_first_closes']} connections closed by the client first "
                               f"in a window ({top['connections_per_second']:.1f}/s); × {TIME_WAIT_S} s of TIME_WAIT = "
                               f"{top['ports_held']} ports held, {top['share_of_range']:.1%} of {ports} < 50% "
                               f"(< {min_closes} closes): no risk"
                               + real, **span(min(w["first_ns"] for w in windows), max(w["last_ns"] for w in windows))))
    # per connection: SYN_RETRANSMIT where TCP_INFO counted one; else an even sample of the clean ones, ANY not detected
    clean = [c for c in conns if c["end"] == "closed_first" and not c["syn_retransmits"]]
    for c in conns:
        if c["syn_retransmits"]:
            out.append(expect("SYN_RETRANSMIT", True, True, client=c["client"], server=server, syn_retransmits=c["syn_retransmits"],
                              note="the client's SYN was retransmitted (TCP_INFO total_retrans at connect)",
                              **span(c["connect_start_ns"], c["closed_ns"])))
    step = max(1, -(-len(clean) // PORTS_SAMPLE))
    for c in clean[::step]:
        out.append(expect("ANY", False, False, client=c["client"], server=server, conn_state="SF",
                          note=f"connect(), then close() at once, the client's FIN first; one of an even sample of "
                               f"{len(clean[::step])} of the {len(clean)} clean connections",
                          **span(c["connect_start_ns"], c["closed_ns"])))
    top = max(windows, key=lambda w: w["client_first_closes"])
    kv = {"client_first_closes_10s": top["client_first_closes"], "ports_held": top["ports_held"],
          "share_of_range": top["share_of_range"], "ss_time_wait": tw["sockets"],
          "client_port_range": f"{low}-{high}", "connect_failed": sum(errors.values()),
          "client Tcp:ActiveOpens": delta["client"]["Tcp:ActiveOpens"], "server Tcp:PassiveOpens": delta["server"]["Tcp:PassiveOpens"],
          "client TcpExt:TCPSynRetrans": delta["client"]["TcpExt:TCPSynRetrans"],
          "server TcpExt:ListenOverflows": delta["server"]["TcpExt:ListenOverflows"]}
    other = {}
    for c in conns:
        other[c["end"]] = other.get(c["end"], 0) + 1
    facts = {"windows": windows, "time_wait": tw,
             "client": {"slots": paced["slots"], "skipped_late": paced["skipped_late"], "connections": len(conns),
                        "ends": other, "connect_failed": errors, "syn_retransmitted": sum(1 for c in conns if c["syn_retransmits"]),
                        "port_range": f"{low}-{high}", "port_range_size": ports,
                        "tcp_max_tw_buckets": sh("sysctl", "-n", "net.ipv4.tcp_max_tw_buckets", ns="client").stdout.strip()},
             "per_connection_sample": {"labelled": len(clean[::step]), "clean_connections": len(clean)},
             "threshold": {"PORT_EXHAUSTION_RISK": dict(threshold, rule=rule)},
             # into the label's top level (sweep_label): how the detector is set up for these clients
             "detector": {"ephemeral_ports": f"{low}-{high}"}}
    description = (f"A client opens short connections to one server at {pt['rate']} per second for {pt['seconds']} s inside one "
                   "fleet window: connect(), then close() at once, its FIN first, so its kernel holds each port 60 s in "
                   f"TIME_WAIT. Its net.ipv4.ip_local_port_range is {low}–{high} ({ports} ports), and the detector is told "
                   f"so (--ephemeral-ports {low}-{high}), as an operator sets it for these clients.")
    return description, server, out, kv, facts


def paced_windows(pt):
    """The point's first connection time (`phase` s into a fleet window) and the start of each of its windows."""
    t0 = burst_time(time.time_ns() + 1_500_000_000, phase_s=pt.get("phase", 5.0))
    return t0, [window_start(t0) + i * W_NS for i in range(len(pt.get("aborts") or pt.get("delays")))]


def run_rsts(run, pt):
    """server_paced answers one request per connection and 100 ms later closes first — or aborts (SO_LINGER 0: RST)
    the first `aborts[i]` connections of window i; the client connects at a steady `rate` per second from `phase` s
    into the first window to six connections past the last window's aborts (none near a window's end)."""
    t0, starts = paced_windows(pt)
    end = min(starts[-1] + int((PACED_GAP[1] + (pt["aborts"][-1] + 6) / pt["rate"]) * 1e9), starts[-1] + 8_900_000_000)
    paced_exchange(run, RSTS_PORT, pt["rate"], t0, end, {"hold_ms": ABORT_HOLD_MS,
                                                          "aborts": {str(ws): k for ws, k in zip(starts, pt["aborts"])}})


def paced_exchange(run, port, rate, t0, end, server_params):
    """server_paced with `server_params` on `port`; client_paced at `rate` per second from t0 to end, one request each."""
    run.start("server", "server_paced", dict(server_params, ip=SERVER_IP, port=port,
                                             seconds=round((end - time.time_ns()) / 1e9 + 2, 1)), "server")
    run.run("client", "client_paced", {"server_ip": SERVER_IP, "port": port, "rate": rate, "start_at_ns": t0,
                                        "end_ns": end, "gap": PACED_GAP, "request": [100, 200], "workers": 8}, "client",
            timeout=80)
    run.wait_all(timeout=30)


def event_windows(run):
    """The fleet windows in which the server's connections had events (opened, closed): those its history folds."""
    return {window_start(t) for c in run.records("client", "conn") for t in (c["connect_start_ns"], c["closed_ns"])}


def fold_rst_baseline(counts):
    """ServerHistory.fold: per window with events, in order, the RST baseline before it; windows without events in
    between decay it as windows without RSTs; a first window without RSTs leaves it 0."""
    baseline, last, out = 0.0, 0, []
    for ws in sorted(counts):
        if last:
            baseline *= (1 - BASELINE_ALPHA) ** max(0, (ws - last) // W_NS - 1)
        before = baseline
        baseline = 0.0 if last == 0 and counts[ws] == 0 else BASELINE_ALPHA * counts[ws] + (1 - BASELINE_ALPHA) * baseline
        last = ws
        out.append((ws, counts[ws], before))
    return out


def label_rsts(run, pt, delta):
    """RST_STORM (per server) from the server's log of its aborts, by the window of each abort: incident iff
    ≥ 20 in a window and ≥ 5 × the baseline folded as ServerHistory.fold does (EWMA, α = 2/31, from 0). Per
    connection: each abort an RST (ABORTIVE_CLOSE, ENDPOINT_APP), each graceful close RST not detected."""
    server = f"{SERVER_IP}:{RSTS_PORT}"
    aborted = run.records("server", "aborted")
    graceful = run.records("server", "closed_first")
    counts = {ws: 0 for ws in event_windows(run)}
    times = {}
    for r in aborted:
        ws = window_start(r["t_ns"])
        counts[ws] = counts.get(ws, 0) + 1
        times.setdefault(ws, []).append(r["t_ns"])
    windows, storms = [], []
    for ws, n, before in fold_rst_baseline(counts):
        storm = n >= RST_STORM_FLOOR and n >= RST_STORM_FACTOR * before
        windows.append({"window_start": iso(ws), "reset_connections": n, "baseline_before": round(before, 4),
                        "five_times_baseline": round(RST_STORM_FACTOR * before, 3), "storm": storm})
        if storm:
            storms.append((ws, windows[-1]))
    threshold = {"min_reset_connections": RST_STORM_FLOOR, "baseline_factor": RST_STORM_FACTOR,
                 "baseline": "EWMA per window with events, alpha 2/31, from 0 (ServerHistory.fold)"}
    summary = ", ".join(f"{w['reset_connections']} (baseline {w['baseline_before']:.2f})" for w in windows)
    out = []
    for ws, w in storms:
        out.append(expect("RST_STORM", True, True, server=server, reset_connections=w["reset_connections"],
                          baseline=w["baseline_before"], threshold=threshold, windows=windows,
                          note=f"the server's log: {w['reset_connections']} connections aborted (SO_LINGER 0: RST) in the "
                               f"window, baseline before it {w['baseline_before']:.2f} (per window: {summary}); ≥ 20 and "
                               f"≥ 5 × {w['baseline_before']:.2f}: an RST storm", **span(min(times[ws]), max(times[ws]))))
    if not out:
        top = max(windows, key=lambda w: w["reset_connections"])
        why = ("fewer than 20" if top["reset_connections"] < RST_STORM_FLOOR else
               f"fewer than 5 × its baseline {top['baseline_before']:.2f} = {top['five_times_baseline']:.2f}")
        ends = [c["closed_ns"] for c in run.records("client", "conn")]
        out.append(expect("RST_STORM", False, False, server=server, reset_connections=top["reset_connections"],
                          baseline=top["baseline_before"], threshold=threshold, windows=windows,
                          note=f"the server's log: per window {summary}; the most, {top['reset_connections']}, {why}: no "
                               "window is an RST storm", **span(min(ends), max(ends))))
    for r in aborted:
        out.append(expect("RST", True, True, cause="ABORTIVE_CLOSE", origin="ENDPOINT_APP", client=r["client"], server=server,
                          conn_state="RSTR",
                          note=f"the server application answered, then {ABORT_HOLD_MS} ms later closed with SO_LINGER 0 (RST "
                               "instead of FIN) before the client closed; nothing of the client's came within 2 ms before it",
                          **span(r["request_ns"], r["t_ns"])))
    for r in graceful:
        out.append(expect("RST", False, False, client=r["client"], server=server, conn_state="SF",
                          note="answered, then closed by the server first (FIN), then by the client",
                          **span(r["request_ns"], r["t_ns"])))
    conns = run.records("client", "conn")
    ends = {}
    for c in conns:
        ends[c["end"]] = ends.get(c["end"], 0) + 1
    srv = delta["server"]
    kv = {"aborts_per_window": [w["reset_connections"] for w in windows],
          "baseline_before": [w["baseline_before"] for w in windows], "storm_windows": sum(w["storm"] for w in windows),
          "server Tcp:OutRsts": srv["Tcp:OutRsts"], "server TcpExt:TCPAbortOnData": srv["TcpExt:TCPAbortOnData"],
          "client Tcp:EstabResets": delta["client"]["Tcp:EstabResets"]}
    facts = {"windows": windows, "server": {"aborted": len(aborted), "closed_first": len(graceful)},
             "clients": {"connections": len(conns), "ends": ends, "connect_failed": len(run.records("client", "connect_failed"))},
             "threshold": {"RST_STORM": threshold}}
    description = (f"A server answers one request per connection ({pt['rate']} new connections per second, steady) and "
                   f"{ABORT_HOLD_MS} ms later closes, or aborts with SO_LINGER 0 (RST): "
                   + ", then ".join(str(k) for k in pt["aborts"]) + " aborts in consecutive fleet windows.")
    return description, server, out, kv, facts


def run_slow(run, pt):
    """server_paced answers after the delay `delays[i]` (ms) in window i and closes first; the client connects at a
    steady `rate` per second, one request each, from `phase` s into the first window to 30 answers into the last."""
    t0, starts = paced_windows(pt)
    end = starts[-1] + int((PACED_GAP[1] + 30 / pt["rate"]) * 1e9)
    delays = [[ws if i else 0, ms] for i, (ws, ms) in enumerate(zip(starts, pt["delays"]))]
    paced_exchange(run, SLOW_PORT, pt["rate"], t0, end, {"delays": delays})


def p90(values):
    """The 90th percentile as the detector's KLL sketch gives it (exact below 200 items, INCLUSIVE): the smallest
    value with at least 90% of the values ≤ it."""
    v = sorted(values)
    return v[max(0, math.ceil(0.9 * len(v)) - 1)]


def label_slow(run, pt, delta):
    """SLOW_RESPONSES (per server) from the server's log of its per-request delay (request read → answer sent), by
    the window of the answer: per window with answers its p90; the baseline is the EWMA (α = 2/31) of the previous
    windows' p90, set by the first (ServerHistory.foldResponses); incident iff ≥ 20 answers, a baseline, p90 ≥ 5 ×
    baseline and ≥ 200 ms. Per connection: ANY not detected."""
    server = f"{SERVER_IP}:{SLOW_PORT}"
    answered = run.records("server", "answered")
    by_window = {}
    for r in answered:
        by_window.setdefault(window_start(r["answer_ns"]), []).append(r)
    windows, baseline = [], 0.0
    for ws in sorted(by_window):
        ms = [r["measured_ms"] for r in by_window[ws]]
        q = p90(ms)
        before = baseline
        baseline = q if before == 0 else BASELINE_ALPHA * q + (1 - BASELINE_ALPHA) * before
        slow = len(ms) >= SLOW_MIN and before > 0 and q >= SLOW_FLOOR_MS and q >= SLOW_FACTOR * before
        windows.append({"window_start": iso(ws), "answers": len(ms), "app_delay_ms": sorted({r["delay_ms"] for r in by_window[ws]}),
                        "p50_ms": round(sorted(ms)[(len(ms) - 1) // 2], 3), "p90_ms": round(q, 3), "max_ms": round(max(ms), 3),
                        "baseline_p90_ms_before": round(before, 3), "slow": slow,
                        "first_ns": min(r["request_ns"] for r in by_window[ws]), "last_ns": max(r["answer_ns"] for r in by_window[ws])})
    threshold = {"min_answers": SLOW_MIN, "baseline_factor": SLOW_FACTOR, "floor_ms": SLOW_FLOOR_MS,
                 "baseline": "EWMA of the previous windows' p90, alpha 2/31, set by the first window with answers"}
    summary = ", ".join(f"{w['answers']} answers p90 {w['p90_ms']:.1f} ms (baseline {w['baseline_p90_ms_before']:.1f})"
                        for w in windows)
    wire = "; the wire adds the round trip (< 1 ms here) to the app's delay"
    out = []
    for w in windows:
        if w["slow"]:
            out.append(expect("SLOW_RESPONSES", True, True, server=server, answers=w["answers"], p90_ms=w["p90_ms"],
                              baseline_p90_ms=w["baseline_p90_ms_before"], threshold=threshold,
                              windows=[{k: v for k, v in x.items() if not k.endswith("_ns")} for x in windows],
                              note=f"the server's log of its delays: per window {summary}; this window's p90 {w['p90_ms']:.1f} ms "
                                   f"≥ 200 ms and ≥ 5 × {w['baseline_p90_ms_before']:.1f}: slow responses" + wire,
                              **span(w["first_ns"], w["last_ns"])))
    if not out:
        judged = [w for w in windows if w["baseline_p90_ms_before"] > 0] or windows
        top = max(judged, key=lambda w: w["p90_ms"] / max(w["baseline_p90_ms_before"], 1e-9))
        why = ("below 200 ms" if top["p90_ms"] < SLOW_FLOOR_MS else
               f"below 5 × its baseline {top['baseline_p90_ms_before']:.1f} ms" if top["p90_ms"] < SLOW_FACTOR * top["baseline_p90_ms_before"]
               else "fewer than 20 answers" if top["answers"] < SLOW_MIN else "no baseline yet")
        out.append(expect("SLOW_RESPONSES", False, False, server=server, answers=top["answers"], p90_ms=top["p90_ms"],
                          baseline_p90_ms=top["baseline_p90_ms_before"], threshold=threshold,
                          windows=[{k: v for k, v in x.items() if not k.endswith("_ns")} for x in windows],
                          note=f"the server's log of its delays: per window {summary}; the slowest against its baseline, p90 "
                               f"{top['p90_ms']:.1f} ms, is {why}: no window is slow" + wire,
                          **span(min(w["first_ns"] for w in windows), max(w["last_ns"] for w in windows))))
    conns = run.records("client", "conn")
    for c in conns:
        if c["syn_retransmits"]:
            out.append(expect("SYN_RETRANSMIT", True, True, client=c["client"], server=server, syn_retransmits=c["syn_retransmits"],
                              note="the client's SYN was retransmitted (TCP_INFO total_retrans at connect)",
                              **span(c["connect_start_ns"], c["closed_ns"])))
        elif c["end"] == "server_closed":
            out.append(expect("ANY", False, False, client=c["client"], server=server, conn_state="SF",
                              note="one request, answered, closed by the server first, then by the client",
                              **span(c["connect_start_ns"], c["closed_ns"])))
    ends = {}
    for c in conns:
        ends[c["end"]] = ends.get(c["end"], 0) + 1
    kv = {"answers_per_window": [w["answers"] for w in windows], "p90_ms": [w["p90_ms"] for w in windows],
          "baseline_p90_ms_before": [w["baseline_p90_ms_before"] for w in windows],
          "slow_windows": sum(w["slow"] for w in windows)}
    facts = {"windows": [{k: v for k, v in w.items() if not k.endswith("_ns")} for w in windows],
             "clients": {"connections": len(conns), "ends": ends, "connect_failed": len(run.records("client", "connect_failed"))},
             "threshold": {"SLOW_RESPONSES": threshold}}
    description = (f"A server answers one request per connection ({pt['rate']} new connections per second, steady) after an "
                   "application delay of " + ", then ".join(f"{d} ms" for d in pt["delays"]) + " in consecutive fleet windows, "
                   "and closes first.")
    return description, server, out, kv, facts


SITUATIONS = {"syn-flood": (run_flood, label_flood), "accept-backlog": (run_backlog, label_backlog),
              "packet-loss": (run_loss, label_loss), "reconnect-storm": (run_storm, label_storm),
              "connection-limit": (run_limit, label_limit), "middlebox-rst": (run_mbox, label_mbox),
              "port-exhaustion": (run_ports, label_ports), "rst-storm": (run_rsts, label_rsts),
              "slow-responses": (run_slow, label_slow)}
PRIMARY = {"syn-flood": "SYN_FLOOD", "accept-backlog": "ACCEPT_BACKLOG_OVERFLOW", "packet-loss": "RETRANSMISSION_SURGE",
           "reconnect-storm": "RECONNECT_STORM", "connection-limit": "CONNECTION_LIMIT",
           "port-exhaustion": "PORT_EXHAUSTION_RISK", "rst-storm": "RST_STORM", "slow-responses": "SLOW_RESPONSES"}


def sweep_label(name, situation, pt, vantage, dest, kernel, settings, delta, delta_late, labelled):
    description, server, expected, kv, facts = labelled
    if isinstance(expected, dict):  # per vantage
        expected = expected[vantage]
    if situation == "syn-flood" and vantage == "client":
        expected = [unobservable(e) for e in expected]
    # `detector`: what the detector is told about these clients, as an operator configures it (port-exhaustion:
    # ephemeral_ports, the client's ip_local_port_range as LOW-HIGH = --ephemeral-ports)
    detector = facts.get("detector")
    facts = {k: v for k, v in facts.items() if k != "detector"}
    return {
        "format": FORMAT,
        "scenario": name,
        "description": description,
        "vantage": vantage,
        "observer": f"corpus-{vantage}",
        "capture": {"file": os.path.basename(dest), "format": "pcap", "interface": IF[vantage], "snaplen": SNAPLEN,
                    "own_addresses": client_addresses(situation, pt) if vantage == "client" else [SERVER_IP]},
        "server": server,
        **({"detector": detector} if detector else {}),
        "kernel": {"release": kernel, "sysctls": settings, "counters": delta, "counters_after_capture_stop": delta_late},
        "expected": expected,
        "sweep": {"situation": situation, "point": pt, "kernel_verdict": kv, **facts},
        "wireshark": wireshark_counts(dest),
        "generated": iso(time.time_ns()),
    }


def sweep(out_dir, points, kernel):
    """One capture pair and label pair per point, each in fresh namespaces."""
    os.makedirs(out_dir, exist_ok=True)
    for name in points:
        situation, pt, intended = SWEEP[name]
        t_start = time.monotonic()
        with tempfile.TemporaryDirectory(prefix=f"tw-{name}-") as work, Topology() as topo:
            os.chmod(work, 0o755)
            tune(situation, pt)
            run = Run(work)
            run.topo = topo
            settings = {r: sysctls(r) for r in ("client", "server")}
            _, caps, before, after, later = captured(work, lambda: SITUATIONS[situation][0](run, pt))
            delta = {v: {k: after[v].get(k, 0) - before[v].get(k, 0) for k in KERNEL_COUNTERS} for v in after}
            delta_late = {v: {k: later[v].get(k, 0) - before[v].get(k, 0) for k in KERNEL_COUNTERS} for v in later}
            labelled = SITUATIONS[situation][1](run, pt, delta)
            for vantage in ("client", "server"):
                dest = os.path.join(out_dir, f"{name}.{vantage}.pcap")
                shutil.copyfile(caps[vantage], dest)
                label = sweep_label(name, situation, pt, vantage, dest, kernel, settings[vantage], delta[vantage],
                                    delta_late[vantage], labelled)
                with open(os.path.join(out_dir, f"{name}.{vantage}.labels.json"), "w") as f:
                    json.dump(label, f, indent=2)
                    f.write("\n")
        if situation in PRIMARY:
            landed = next(e["detect"] for e in labelled[2] if e["kind"] == PRIMARY[situation])
            miss = f"; NOT on the intended side ({'over' if intended else 'below'} the limit)"
        else:  # middlebox-rst: every RST of the point has the intended origin
            rsts = [e for v in labelled[2].values() for e in v if e["kind"] == "RST" and e["detect"]]
            landed = intended if rsts and all(e["origin"] == intended for e in rsts) else None
            miss = f"; NOT every RST with origin {intended}"
        print(f"{name}: done in {time.monotonic() - t_start:.1f} s; {labelled[3]}; {labelled[4]}"
              + ("" if landed == intended else miss), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures"))
    ap.add_argument("--only", nargs="*", choices=list(SCENARIOS))
    ap.add_argument("--sweep", action="store_true", help="the parameter sweep, into OUT/sweep, instead of the scenarios")
    ap.add_argument("--only-points", nargs="*", choices=list(SWEEP))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("corpus/generate.py needs root: it creates network namespaces and captures with tcpdump.")
    for tool in ("ip", "tcpdump"):
        if not shutil.which(tool):
            sys.exit(f"corpus/generate.py needs {tool}.")
    os.makedirs(args.out, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    kernel = platform.release()
    try:
        if args.sweep:
            sweep(os.path.join(args.out, "sweep"), args.only_points or SWEEP, kernel)
            return
        for name in args.only or SCENARIOS:
            t_start = time.monotonic()
            with tempfile.TemporaryDirectory(prefix=f"tw-{name}-") as work, Topology() as topo:
                os.chmod(work, 0o755)
                run = Run(work)
                settings = {r: sysctls(r) for r in ("client", "server")}
                (description, server, expected), caps, before, after, later = captured(
                    work, lambda: SCENARIOS[name](run, topo))
                for vantage in ("client", "server"):
                    ext = "pcapng" if (name, vantage) == PCAPNG else "pcap"
                    dest = os.path.join(args.out, f"{name}.{vantage}.{ext}")
                    src = caps[vantage]
                    if ext == "pcapng":
                        subprocess.run(["editcap", "-F", "pcapng", src, dest], check=True, timeout=60)
                    else:
                        shutil.copyfile(src, dest)
                    delta = {k: after[vantage].get(k, 0) - before[vantage].get(k, 0) for k in KERNEL_COUNTERS}
                    delta_late = {k: later[vantage].get(k, 0) - before[vantage].get(k, 0) for k in KERNEL_COUNTERS}
                    label = {
                        "format": FORMAT,
                        "scenario": name,
                        "description": description,
                        "vantage": vantage,
                        "observer": f"corpus-{vantage}",
                        "capture": {"file": os.path.basename(dest), "format": ext, "interface": IF[vantage],
                                    "snaplen": SNAPLEN, "own_addresses": [CLIENT_IP] + STORM_CLIENTS if vantage == "client" else [SERVER_IP]},
                        "server": server,
                        "kernel": {"release": kernel, "sysctls": settings[vantage],
                                   "tcp_timestamps_note": "port-reuse toggles the client's tcp_timestamps per phase" if name == "port-reuse" and vantage == "client" else None,
                                   "counters": delta,
                                   "counters_after_capture_stop": delta_late},
                        "expected": [unobservable(e) if (name, vantage) == ("backlog-and-flood", "client") else e
                                     for e in expected],
                        "wireshark": wireshark_counts(dest),
                        "generated": iso(time.time_ns()),
                    }
                    if label["kernel"]["tcp_timestamps_note"] is None:
                        del label["kernel"]["tcp_timestamps_note"]
                    if name == "backlog-and-flood" and vantage == "client":
                        label["flood"] = {"raw_syns_sent": run.records("client-flood", "flood_sent")[0]["syns"],
                                          "first_source": f"{FLOOD['src_prefix']}.{FLOOD['src_first']}",
                                          "last_source": f"{FLOOD['src_prefix']}.{FLOOD['src_first'] + FLOOD['src_count'] - 1}"}
                    with open(os.path.join(args.out, f"{name}.{vantage}.labels.json"), "w") as f:
                        json.dump(label, f, indent=2)
                        f.write("\n")
            print(f"{name}: done in {time.monotonic() - t_start:.1f} s", flush=True)
    finally:
        Topology.teardown()


if __name__ == "__main__":
    main()

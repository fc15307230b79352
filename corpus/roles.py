#!/usr/bin/env python3
"""Client and server programs for the corpus scenarios, run inside the generator's namespaces.

Each role writes what the application and the kernel know — connects, errors, bytes, aborts,
TCP_INFO counters — as JSON lines with wall-clock nanosecond timestamps. Labels are built from
these records, never from the captures.

Usage: roles.py ROLE 'JSON-PARAMS' LOGFILE        (every loop is bounded in count and time)
"""
import errno, json, os, select, socket, struct, sys, threading, time

LOG_LOCK = threading.Lock()
LOG = None
TCP_INFO = getattr(socket, "TCP_INFO", 11)


def log(event, **fields):
    with LOG_LOCK:
        LOG.write(json.dumps({"event": event, "t_ns": time.time_ns(), **fields}) + "\n")
        LOG.flush()


def tcp_info(s):
    """The kernel's per-socket counters (struct tcp_info): state, retransmits, RTT; where the kernel has them
    (Linux ≥ 4.19), the MSS, segments and data segments sent (retransmissions included) and bytes retransmitted."""
    try:
        b = s.getsockopt(socket.IPPROTO_TCP, TCP_INFO, 216)
    except OSError:
        return {}
    out = {"state": b[0], "retransmits": b[2], "total_retrans": struct.unpack_from("I", b, 100)[0],
           "rtt_us": struct.unpack_from("I", b, 68)[0]}
    if len(b) >= 216:
        out.update(snd_mss=struct.unpack_from("I", b, 16)[0], segs_out=struct.unpack_from("I", b, 136)[0],
                   data_segs_out=struct.unpack_from("I", b, 156)[0], bytes_sent=struct.unpack_from("Q", b, 200)[0],
                   bytes_retrans=struct.unpack_from("Q", b, 208)[0])
    return out


def abort(s):
    """Abortive close: SO_LINGER {on, 0} makes close() send RST."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def endpoint(addr):
    return f"{addr[0]}:{addr[1]}"


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(1 << 20, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def drain(s, limit=1 << 30):
    total = 0
    while total < limit:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        total += len(chunk)
    return total


def listener(ip, port, backlog=128, rcvbuf=None):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    ls.bind((ip, port))
    ls.listen(backlog)
    return ls


def serve_until(ls, seconds, handle):
    """Accepts for at most `seconds`, each connection on its own thread."""
    deadline = time.monotonic() + seconds
    ls.settimeout(0.2)
    threads = []
    while time.monotonic() < deadline:
        try:
            conn, peer = ls.accept()
        except socket.timeout:
            continue
        t = threading.Thread(target=handle, args=(conn, peer), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()) + 1)
    ls.close()


# ---------------------------------------------------------------- request/response protocol
# request: !II (request body length, response length wanted) + body; response: that many bytes.

def request(s, req_len, resp_len):
    s.sendall(struct.pack("!II", req_len, resp_len) + b"q" * req_len)
    return len(recv_exact(s, resp_len))


def answer_one(conn):
    """Reads one request and answers it; False at EOF."""
    head = recv_exact(conn, 8)
    if len(head) < 8:
        return False
    req_len, resp_len = struct.unpack("!II", head)
    recv_exact(conn, req_len)
    conn.sendall(b"r" * resp_len)
    return True


# ---------------------------------------------------------------- servers

def server_rpc(p):
    """Answers requests; `close_first`: the server closes after the first answer (it sends FIN first);
    `backlog`: the listen backlog (default 128)."""
    def handle(conn, peer):
        n = 0
        try:
            while answer_one(conn):
                n += 1
                if p.get("close_first"):
                    break
            conn.close()
            log("server_closed", client=endpoint(peer), requests=n, first=bool(p.get("close_first")))
        except OSError as e:
            log("server_error", client=endpoint(peer), error=e.strerror, errno=errno.errorcode.get(e.errno))
    serve_until(listener(p["ip"], p["port"], backlog=p.get("backlog", 128)), p["seconds"], handle)


def server_reuse(p):
    """Reads the announced bytes, then closes first: the server holds TIME_WAIT (60 s on Linux)."""
    ls = listener(p["ip"], p["port"])
    deadline = time.monotonic() + p["seconds"]
    ls.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            conn, peer = ls.accept()
        except socket.timeout:
            continue
        n = struct.unpack("!Q", recv_exact(conn, 8))[0]
        got = len(recv_exact(conn, n))
        conn.close()
        log("server_closed_first", client=endpoint(peer), bytes=got)
    ls.close()


def server_limit(p):
    """Serves at most `max` connections at a time; any beyond is accepted, then aborted (RST)."""
    active = [0]
    lock = threading.Lock()

    def handle(conn, peer):
        with lock:
            held = active[0]  # the connections this server held when this one came
            admitted = held < p["max"]
            if admitted:
                active[0] += 1
        if not admitted:
            log("rejected", client=endpoint(peer), active=held, max=p["max"])
            abort(conn)
            return
        log("admitted", client=endpoint(peer), active=held + 1)
        try:
            head = recv_exact(conn, 8)
            time.sleep(p["hold"])
            if len(head) == 8:
                req_len, resp_len = struct.unpack("!II", head)
                recv_exact(conn, req_len)
                conn.sendall(b"r" * resp_len)
            conn.close()
            log("served", client=endpoint(peer))
        except OSError as e:
            log("server_error", client=endpoint(peer), error=e.strerror)
        finally:
            with lock:
                active[0] -= 1
    serve_until(listener(p["ip"], p["port"], backlog=128), p["seconds"], handle)


def server_backlog(p):
    """A listener with a tiny backlog whose application stops accepting for `pause` seconds."""
    ls = listener(p["ip"], p["port"], backlog=p["backlog"])
    log("not_accepting", backlog=p["backlog"], seconds=p["pause"])
    time.sleep(p["pause"])
    log("accepting_again")

    def handle(conn, peer):
        try:
            while answer_one(conn):
                pass
            conn.close()
            log("served", client=endpoint(peer))
        except OSError as e:
            log("server_error", client=endpoint(peer), error=e.strerror)
    serve_until(ls, p["seconds"] - p["pause"], handle)


def server_zero_window(p):
    """Mode byte 'S': read 256 KB, stop reading `stall` seconds (window closes), then drain; 'F': drain."""
    def handle(conn, peer):
        mode = recv_exact(conn, 1)
        if mode == b"S":
            recv_exact(conn, 256 * 1024)
            log("stop_reading", client=endpoint(peer))
            time.sleep(p["stall"])
            log("resume_reading", client=endpoint(peer))
        got = drain(conn)
        conn.sendall(b"ok")
        conn.close()
        log("server_closed", client=endpoint(peer), mode=mode.decode(), bytes=got)
    serve_until(listener(p["ip"], p["port"], rcvbuf=p["rcvbuf"]), p["seconds"], handle)


def server_idle(p):
    """Answers requests; after `idle` seconds without a byte from the client it aborts (RST)."""
    def handle(conn, peer):
        conn.settimeout(p["idle"])
        last = time.time_ns()
        try:
            while True:
                try:
                    if not answer_one(conn):
                        conn.close()
                        log("server_closed", client=endpoint(peer))
                        return
                    last = time.time_ns()
                except socket.timeout:
                    log("idle_abort", client=endpoint(peer), last_data_ns=last, idle_s=p["idle"])
                    abort(conn)
                    return
        except OSError as e:
            log("server_error", client=endpoint(peer), error=e.strerror)
    serve_until(listener(p["ip"], p["port"]), p["seconds"], handle)


def window_of(t_ns, window_s):
    """Start (ns) of the epoch-aligned window of `window_s` seconds that holds t_ns (the fleet stage's windows)."""
    w = int(window_s * 1e9)
    return t_ns // w * w


def server_paced(p):
    """One request per connection. The answer leaves after the delay the schedule `delays` ([[from_ns, ms], …]: the
    last entry whose from_ns ≤ the time the request came) sets; then, `hold_ms` later, the server closes first — or
    aborts (SO_LINGER 0: RST) while the quota of the epoch-aligned window the request came in lasts (`aborts`:
    {window start ns: count}). Logs per connection when the request came, when the answer left, and how it ended."""
    delays = sorted(p.get("delays", [[0, 0]]))
    quota = {int(k): v for k, v in p.get("aborts", {}).items()}
    lock = threading.Lock()

    def handle(conn, peer):
        me = endpoint(peer)
        try:
            head = recv_exact(conn, 8)
            if len(head) < 8:
                conn.close()
                log("no_request", client=me)
                return
            req_len, resp_len = struct.unpack("!II", head)
            recv_exact(conn, req_len)
            t_req = time.time_ns()
            delay_ms = [ms for since, ms in delays if since <= t_req][-1] if delays[0][0] <= t_req else 0
            time.sleep(delay_ms / 1000)
            conn.sendall(b"r" * resp_len)
            t_ans = time.time_ns()
            log("answered", client=me, request_ns=t_req, answer_ns=t_ans, delay_ms=delay_ms,
                measured_ms=round((t_ans - t_req) / 1e6, 3))
            time.sleep(p.get("hold_ms", 0) / 1000)
            win = window_of(t_req, p.get("window_s", 10))
            with lock:
                doomed = quota.get(win, 0) > 0
                if doomed:
                    quota[win] -= 1
            if doomed:
                abort(conn)
                log("aborted", client=me, request_ns=t_req, window_ns=win)
            else:
                conn.close()
                log("closed_first", client=me, request_ns=t_req)
        except OSError as e:
            log("server_error", client=me, error=e.strerror, errno=errno.errorcode.get(e.errno))
    serve_until(listener(p["ip"], p["port"], backlog=p.get("backlog", 128)), p["seconds"], handle)


def server_sink(p):
    """Reads everything the client sends, answers 'ok', closes."""
    def handle(conn, peer):
        got = drain(conn)
        conn.sendall(b"ok")
        conn.close()
        log("server_closed", client=endpoint(peer), bytes=got)
    serve_until(listener(p["ip"], p["port"]), p["seconds"], handle)


# ---------------------------------------------------------------- clients

def connect(src_ip, server, sport=0, timeout=20):
    """A connected socket and the time connect() began. On failure the error carries the local endpoint,
    the start time and the kernel's TCP_INFO of the attempt (`local`, `t0`, `info`: SYN retransmissions)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src_ip, sport))
    s.settimeout(timeout)
    t0 = time.time_ns()
    try:
        s.connect(server)
    except OSError as e:
        e.local, e.t0, e.info = s.getsockname(), t0, tcp_info(s)
        s.close()
        raise
    return s, t0


def client_reuse(p):
    """Reconnects from one fixed source port per phase while the server still holds TIME_WAIT."""
    server = (p["server_ip"], p["port"])
    for phase in p["phases"]:
        with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
            f.write(str(phase["timestamps"]))
        for i in range(phase["count"]):
            s, t0 = connect(p["ip"], server, phase["sport"])
            t1 = time.time_ns()
            info = tcp_info(s)
            s.sendall(struct.pack("!Q", phase["bytes"]) + b"d" * phase["bytes"])
            drain(s)
            s.close()
            log("connection", phase=phase["name"], incarnation=i, client=f"{p['ip']}:{phase['sport']}",
                server=endpoint(server), timestamps=phase["timestamps"], bytes=phase["bytes"],
                connect_start_ns=t0, connected_ns=t1, closed_ns=time.time_ns(),
                syn_retransmits=info.get("total_retrans"))
            time.sleep(phase["pause_ms"] / 1000)
    with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
        f.write("1")


def client_rpc(p):
    """Connections in parallel, released together; each: requests with gaps, then an ending:
    close (graceful), abort_after_eof (RST answering the server's FIN), or silent (wait for the server).
    Per connection: `connect_timeout` bounds connect(), `io_timeout` (default: the same) every read after it.
    `start_at_ns`: the connections are released at this wall-clock time (at most 30 s ahead), not at once."""
    server = (p["server_ip"], p["port"])
    start = threading.Barrier(len(p["conns"]))
    if p.get("start_at_ns"):
        time.sleep(min(30.0, max(0.0, (p["start_at_ns"] - time.time_ns()) / 1e9 - 0.2)))

    def run(c):
        start.wait(timeout=30)
        if p.get("start_at_ns"):
            time.sleep(min(1.0, max(0.0, (p["start_at_ns"] - time.time_ns()) / 1e9)))
        src = c.get("ip", p["ip"])
        try:
            s, t0 = connect(src, server, timeout=c.get("connect_timeout", 20))
        except OSError as e:
            log("connect_failed", client_ip=src, server=endpoint(server), error=e.strerror or str(e),
                errno=e.errno, t_start_ns=time.time_ns(), client=endpoint(e.local) if hasattr(e, "local") else None,
                connect_start_ns=getattr(e, "t0", None), syn_retransmits=getattr(e, "info", {}).get("total_retrans"))
            return
        s.settimeout(c.get("io_timeout", c.get("connect_timeout", 20)))
        me = endpoint(s.getsockname())
        info = tcp_info(s)
        log("connected", client=me, server=endpoint(server), connect_start_ns=t0,
            syn_retransmits=info.get("total_retrans"))
        try:
            if c.get("send_at_once"):
                time.sleep(c.get("send_delay_ms", 0) / 1000)
                s.sendall(struct.pack("!II", c["send_at_once"], 64) + b"q" * c["send_at_once"])
                log("sent", client=me, bytes=c["send_at_once"] + 8)
                got = len(recv_exact(s, 64))
                log("answered" if got == 64 else "no_answer", client=me, bytes=got)
            for req_len, resp_len, gap_ms in c.get("requests", []):
                request(s, req_len, resp_len)
                time.sleep(gap_ms / 1000)
            end = c.get("end", "close")
            if end == "close":
                s.shutdown(socket.SHUT_WR)
                drain(s)
                s.close()
                log("closed", client=me)
            elif end == "abort_after_eof":
                drain(s)
                log("eof_then_abort", client=me)
                abort(s)
            elif end == "idle_then_send":
                idle_then_send(s, me, c)
            elif end == "silent":
                s.settimeout(c.get("silent_for", 15))
                try:
                    more = s.recv(1)
                    log("server_closed" if not more else "unexpected_data", client=me)
                except ConnectionResetError:
                    log("reset_by_server", client=me)
                except socket.timeout:
                    log("still_open", client=me)
                s.close()
        except ConnectionResetError:
            log("reset_by_server", client=me)
        except (BrokenPipeError, OSError) as e:
            log("client_error", client=me, error=e.strerror or str(e))

    threads = [threading.Thread(target=run, args=(c,), daemon=True) for c in p["conns"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=p.get("seconds", 60))


POLL_NAMES = {select.POLLIN: "IN", select.POLLPRI: "PRI", select.POLLOUT: "OUT", select.POLLERR: "ERR",
              select.POLLHUP: "HUP", getattr(select, "POLLRDHUP", 0x2000): "RDHUP"}
TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
              7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def state(s):
    return TCP_STATES.get(tcp_info(s).get("state"), "?")


def pending_error(s):
    """The socket's pending error (SO_ERROR, which reading clears) as a name, e.g. ECONNRESET, or None."""
    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    return errno.errorcode.get(err, str(err)) if err else None


def idle_then_send(s, me, c):
    """After the requests: `idle_for` s without sending (at most 30), watching the socket without reading it
    (poll: the peer's FIN or RST, with the kernel's TCP state), then one more request — and what the
    application sees: the answer, a send() error (ECONNRESET, EPIPE), or the peer's RST after the send."""
    idle_for = min(30.0, c.get("idle_for", 8))
    t_idle = time.time_ns()
    deadline = time.monotonic() + idle_for
    poller = select.poll()
    poller.register(s, select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0x2000))
    events = poller.poll(idle_for * 1000)
    fin_seen = False
    if events:
        rev = events[0][1]
        fin_seen = bool(rev & (select.POLLIN | getattr(select, "POLLRDHUP", 0x2000)))
        log("peer_event_while_idle", client=me, idle_since_ns=t_idle, revents=[n for b, n in POLL_NAMES.items() if rev & b],
            tcp_state=state(s))
    time.sleep(max(0.0, deadline - time.monotonic()))
    log("sending_again", client=me, idle_s=round((time.time_ns() - t_idle) / 1e9, 3), tcp_state=state(s))
    req_len, resp_len = c.get("again", [100, 100])
    try:
        s.sendall(struct.pack("!II", req_len, resp_len) + b"q" * req_len)
    except OSError as e:
        log("send_failed", client=me, errno=errno.errorcode.get(e.errno), error=e.strerror, tcp_state=state(s))
        s.close()
        return
    t_sent = time.time_ns()
    log("sent_again", client=me, bytes=req_len + 8)
    # after the peer's FIN the socket stays readable (EOF): then wait only for an error or hang-up
    poller = select.poll()
    poller.register(s, 0 if fin_seen else select.POLLIN)
    events = poller.poll(c.get("io_timeout", 5) * 1000)
    err = pending_error(s)
    if err:
        log("reset_after_send", client=me, errno=err, sent_ns=t_sent, tcp_state=state(s))
        s.close()
        return
    if not events:
        log("no_answer", client=me, tcp_state=state(s))
        s.close()
        return
    try:
        got = len(recv_exact(s, resp_len))
        log("answered_again" if got == resp_len else "no_answer", client=me, bytes=got)
        s.shutdown(socket.SHUT_WR)
        drain(s)
        s.close()
        log("closed", client=me)
    except OSError as e:
        log("reset_after_send", client=me, errno=errno.errorcode.get(e.errno), sent_ns=t_sent, tcp_state=state(s))
        s.close()


def client_paced(p):
    """Short connections paced at `rate` per second from `start_at_ns` to `end_ns` (wall clock; at most 60 s ahead,
    at most 60 s long), none starting in the gap [B − gap[0] s, B + gap[1] s) around an epoch-aligned `window_s`
    boundary B (so none straddles a fleet window). `workers` threads take the slots in turn; a slot more than
    `late_s` behind is skipped (counted). Each connection: connect() (no bind: the kernel picks the port from
    ip_local_port_range), one request (`request`: body and answer bytes; None: none) and its answer; then with
    `client_first` close at once (this client's FIN first: it holds the TIME_WAIT), else wait for the server's FIN
    or RST.
    Logs every connection (`conn`) and every failed connect() with its errno."""
    server = (p["server_ip"], p["port"])
    w_ns, (before, after) = int(p.get("window_s", 10) * 1e9), p.get("gap", [0, 0])
    start, end = p["start_at_ns"], min(p["end_ns"], p["start_at_ns"] + 60_000_000_000)
    time.sleep(min(60.0, max(0.0, (start - time.time_ns()) / 1e9 - 0.05)))
    slots = [start + int(i * 1e9 / p["rate"]) for i in range(int((end - start) / 1e9 * p["rate"]) + 1)]
    slots = [t for t in slots if t < end and not any(b - before * 1e9 <= t < b + after * 1e9
                                                     for b in (t // w_ns * w_ns, (t // w_ns + 1) * w_ns))]
    request = p.get("request", [0, 16])  # None: no request at all, connect and close
    lock = threading.Lock()
    nxt, skipped = [0], [0]

    def one(t_slot):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(p.get("io_timeout", 10))
        t0 = time.time_ns()
        try:
            s.connect(server)
        except OSError as e:
            log("connect_failed", slot_ns=t_slot, connect_start_ns=t0, errno=errno.errorcode.get(e.errno, str(e.errno)),
                error=e.strerror or str(e), syn_retransmits=tcp_info(s).get("total_retrans"))
            s.close()
            return
        me = endpoint(s.getsockname())
        syn_retrans = tcp_info(s).get("total_retrans")
        t_req = time.time_ns()
        end_how, t_ans = None, None
        try:
            if request is None:
                t_req, got, resp_len = None, 0, 0
            else:
                req_len, resp_len = request
                s.sendall(struct.pack("!II", req_len, resp_len) + b"q" * req_len)
                got = len(recv_exact(s, resp_len))
                t_ans = time.time_ns()
            if got < resp_len:
                end_how = "no_answer"
            elif p.get("client_first"):
                end_how = "closed_first"
            else:
                end_how = "server_closed" if not s.recv(1) else "unexpected_data"
        except ConnectionResetError:
            end_how = "reset_by_server"
        except OSError as e:
            end_how = "error " + (errno.errorcode.get(e.errno) or str(e))
        s.close()
        log("conn", client=me, slot_ns=t_slot, connect_start_ns=t0, request_ns=t_req, answer_ns=t_ans,
            closed_ns=time.time_ns(), end=end_how, syn_retransmits=syn_retrans)

    def worker():
        while True:
            with lock:
                if nxt[0] >= len(slots):
                    return
                t_slot = slots[nxt[0]]
                nxt[0] += 1
            wait = (t_slot - time.time_ns()) / 1e9
            if wait > 0:
                time.sleep(wait)
            elif -wait > p.get("late_s", 0.5):
                with lock:
                    skipped[0] += 1
                continue
            one(t_slot)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(p.get("workers", 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=(end - time.time_ns()) / 1e9 + p.get("io_timeout", 10) + 5)
    log("paced", slots=len(slots), skipped_late=skipped[0], rate=p["rate"], start_at_ns=start, end_ns=end)


def client_refused(p):
    for i in range(p["count"]):
        try:
            s, _ = connect(p["ip"], (p["server_ip"], p["port"]), timeout=5)
            log("unexpectedly_connected", client=endpoint(s.getsockname()))
            s.close()
        except ConnectionRefusedError as e:
            log("refused", server=f"{p['server_ip']}:{p['port']}", attempt=i,
                client=endpoint(e.local) if hasattr(e, "local") else None, connect_start_ns=getattr(e, "t0", None))
        time.sleep(p.get("gap_ms", 50) / 1000)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def client_flood(p):
    """A bounded burst of SYNs with spoofed sources inside the namespaces' own subnet."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_aton(p["server_ip"])
    sources, times = [], []
    for i in range(p["count"]):
        src_ip = f"{p['src_prefix']}.{p['src_first'] + i % p['src_count']}"
        src = socket.inet_aton(src_ip)
        sport = 1024 + (i * 7919) % 60000
        seq = (i * 2654435761) & 0xFFFFFFFF
        tcp = struct.pack("!HHIIBBHHH", sport, p["port"], seq, 0, 5 << 4, 0x02, 64240, 0, 0)
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), i & 0xFFFF, 0, 64, 6, 0, src, dst)
        raw.sendto(ip + tcp, (p["server_ip"], 0))
        times.append(time.time_ns())
        sources.append(f"{src_ip}:{sport}")
        time.sleep(p.get("gap_ms", 2) / 1000)
    log("flood_sent", server=f"{p['server_ip']}:{p['port']}", syns=p["count"],
        distinct_sources=len(set(s.split(":")[0] for s in sources)), first=sources[0], last=sources[-1],
        first_ns=times[0], last_ns=times[-1])


def client_bulk(p):
    s, t0 = connect(p["ip"], (p["server_ip"], p["port"]))
    me = endpoint(s.getsockname())
    if p.get("mode"):
        s.sendall(p["mode"].encode())
    block = b"b" * 65536
    sent = 0
    while sent < p["bytes"]:
        s.sendall(block)
        sent += len(block)
    s.shutdown(socket.SHUT_WR)
    recv_exact(s, 2)
    info = tcp_info(s)
    s.close()
    log("bulk_done", client=me, server=f"{p['server_ip']}:{p['port']}", bytes=sent, connect_start_ns=t0,
        done_ns=time.time_ns(), total_retrans=info.get("total_retrans"), mode=p.get("mode"),
        **{k: info[k] for k in ("snd_mss", "segs_out", "data_segs_out", "bytes_sent", "bytes_retrans") if k in info})


ROLES = {name: fn for name, fn in globals().items() if name.startswith(("server_", "client_"))}

if __name__ == "__main__":
    role, params, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    with open(path, "a") as LOG:
        globals()["LOG"] = LOG
        log("start", role=role)
        ROLES[role](params)
        log("end", role=role)

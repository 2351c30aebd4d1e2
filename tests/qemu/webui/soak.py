#!/usr/bin/env python3
"""The Web UI soak (./capos soak; a short one in ./capos test as
qemu-webui-soak): the default system under load from the host through the
forwarded port (CAPOS_HOSTFWD_MAP, set by ci/qemu_run.py --net-exec).

  1. log in as operator (POST /api/login) and warm up: a few rounds of every
     kind of request below;
  2. baseline: GET /api/memory — frames in use machine-wide apart from the
     kernel heap's, and the bytes live in the kernel heap (the heap keeps an
     empty slab per size class, which is not a leak) — once two readings a
     second apart agree;
  3. for --seconds: HEALTHZ_CONNS keep-alive connections hammer /healthz,
     and API_WORKERS workers each loop through a whole browser session —
     login, /api/session, processes, memory, uptime, capgraph, logout —
     with a wrong password now and then (its answer is held back: the
     worker waits it out);
  4. after the load: the same GET /api/memory until both counters are back
     to the baseline (a few seconds allowed for connections to close).

Prints progress every 10 s — with every service whose capabilities,
kernel memory or frames differ from the baseline (sessions in flight
show there; a leak would keep growing) — and a table at the end; exit
status 0 only when
no request failed (every answer the status its request must get) and both
counters came back exactly.
"""
import argparse
import json
import os
import socket
import sys
import threading
import time

ORIGIN = "http://127.0.0.1:8080"
HEALTHZ_CONNS = 2
API_WORKERS = 2
SETTLE_S = 20.0


def port():
    for item in os.environ.get("CAPOS_HOSTFWD_MAP", "").split(","):
        if "=" in item and int(item.split("=")[0]) == 80:
            return int(item.split("=")[1])
    sys.exit("soak: no forward of guest port 80 in CAPOS_HOSTFWD_MAP")


PORT = None


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT), timeout=30)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, method, path, body=None, cookie=None):
        """One request; a keep-alive connection the server closed meanwhile (its idle deadline) is made again."""
        try:
            return self._request(method, path, body, cookie)
        except (OSError, EOFError):
            if self.buf:
                raise
            self.s.close()
            self.__init__()
            return self._request(method, path, body, cookie)

    def _request(self, method, path, body=None, cookie=None):
        data = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if method == "POST":
            head += f"Origin: {ORIGIN}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        self.s.sendall(head.encode() + b"\r\n" + data)
        while b"\r\n\r\n" not in self.buf:
            self._more()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._more()
        payload, self.buf = self.buf[:n], self.buf[n:]
        return int(lines[0].split(" ")[1]), headers, payload

    def _more(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def close(self):
        self.s.close()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = {}
        self.failed = []

    def count(self, what, good, detail=""):
        with self.lock:
            if good:
                self.ok[what] = self.ok.get(what, 0) + 1
            elif len(self.failed) < 20:
                self.failed.append(f"{what}: {detail}")
            else:
                self.failed.append(None)


def login(conn, password="capos"):
    status, headers, body = conn.request("POST", "/api/login", {"username": "operator", "password": password})
    cookie = headers.get("set-cookie", "").split(";")[0]
    return status, cookie


def memory(conn, cookie):
    status, _, body = conn.request("GET", "/api/memory", cookie=cookie)
    if status != 200:
        raise RuntimeError(f"GET /api/memory answered {status}")
    m = json.loads(body)
    # frames in use other than the kernel heap's, and the heap's live bytes: the heap keeps an empty slab per
    # size class for the next allocation, which is not a leak, so its frames are set apart
    return m["used_kib"] - m["kernel_heap_kib"], m["kernel_heap_live_bytes"]


def settled(conn, cookie, limit_s):
    """The memory counters once two readings a second apart agree (what was in flight has ended)."""
    deadline = time.monotonic() + limit_s
    last = memory(conn, cookie)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = memory(conn, cookie)
        if now == last:
            return now
        last = now
    return last


def processes(conn, cookie):
    """{name: (caps, kmem_kib, frames)} of every process, from GET /api/processes."""
    status, _, body = conn.request("GET", "/api/processes", cookie=cookie)
    if status != 200:
        raise RuntimeError(f"GET /api/processes answered {status}")
    return {p["name"]: (p["caps"], p["kmem_kib"], p["frames"]) for p in json.loads(body)["processes"]}


def growth(before, after):
    """The services whose capabilities, kernel memory or frames grew: 'name caps a->b ...'."""
    out = []
    for name, b in sorted(before.items()):
        a = after.get(name)
        if a and a != b:
            out.append(f"{name} caps {b[0]}->{a[0]} kmem {b[1]}->{a[1]} KiB frames {b[2]}->{a[2]}")
    return out


def healthz_worker(stop, tally):
    conn = None
    while not stop.is_set():
        try:
            conn = conn or Conn()
            status, _, body = conn.request("GET", "/healthz")
            tally.count("GET /healthz", status == 200 and body == b"ok\n", f"{status} {body[:40]!r}")
        except (OSError, EOFError) as e:
            tally.count("GET /healthz", False, str(e))
            conn = None
            stop.wait(0.2)   # a server that is gone is not hammered


def session_round(conn, tally, wrong):
    if wrong:
        status, _ = login(conn, "not-the-password")
        tally.count("POST /api/login (wrong)", status == 401, str(status))
    status, cookie = login(conn)
    tally.count("POST /api/login", status == 200 and cookie.startswith("capos_session="), str(status))
    for path in ("/api/session", "/api/processes", "/api/memory", "/api/uptime", "/api/capgraph"):
        status, _, body = conn.request("GET", path, cookie=cookie)
        tally.count(f"GET {path}", status == 200 and body.startswith(b"{"), str(status))
    status, _, _ = conn.request("POST", "/api/logout", {}, cookie=cookie)
    tally.count("POST /api/logout", status == 200, str(status))
    status, _, _ = conn.request("GET", "/api/session", cookie=cookie)
    tally.count("GET /api/session (after logout)", status == 401, str(status))


def api_worker(stop, tally, seed):
    conn, n = None, seed
    while not stop.is_set():
        try:
            conn = conn or Conn()
            session_round(conn, tally, n % 7 == 0)
            n += 1
        except (OSError, EOFError, ValueError) as e:
            tally.count("API session round", False, str(e))
            conn = None
            stop.wait(0.2)


def main():
    global PORT
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0)
    args = p.parse_args()
    PORT = port()
    tally = Tally()
    ctl = Conn()
    status, cookie = login(ctl)
    if status != 200:
        sys.exit(f"soak: FAILED: operator login answered {status}")
    warm = Conn()
    for i in range(3):
        session_round(warm, tally, i == 0)
        warm.request("GET", "/healthz")
    warm.close()
    base = settled(ctl, cookie, SETTLE_S)
    procs_base = processes(ctl, cookie)
    print(f"soak: baseline: {base[0]} KiB of frames used outside the kernel heap, {base[1]} bytes live in it; "
          f"load for {args.seconds:.0f} s", flush=True)
    stop = threading.Event()
    # daemon threads: if this process dies on an error, the load dies with it
    threads = [threading.Thread(target=healthz_worker, args=(stop, tally), daemon=True) for _ in range(HEALTHZ_CONNS)]
    threads += [threading.Thread(target=api_worker, args=(stop, tally, i), daemon=True) for i in range(API_WORKERS)]
    for t in threads:
        t.start()
    start = time.monotonic()
    try:
        load(args, start, tally, procs_base, ctl, cookie)
    finally:
        stop.set()
    for t in threads:
        t.join()
    return finish(base, tally, ctl, cookie)


def load(args, start, tally, procs_base, ctl, cookie):
    """Report progress until the load's time is up."""
    while time.monotonic() - start < args.seconds:
        time.sleep(min(10.0, max(0.1, args.seconds - (time.monotonic() - start))))
        with tally.lock:
            done = sum(tally.ok.values())
            bad = len(tally.failed)
        print(f"soak: {time.monotonic() - start:.0f} s: {done} requests answered as expected, {bad} failed; "
              f"grown: {'; '.join(growth(procs_base, processes(ctl, cookie))) or 'nothing'}", flush=True)


def finish(base, tally, ctl, cookie):
    """Wait for the counters, print the table: the exit status."""
    deadline = time.monotonic() + SETTLE_S
    now = settled(ctl, cookie, SETTLE_S)
    while now != base and time.monotonic() < deadline:
        time.sleep(1.0)
        now = memory(ctl, cookie)
    ctl.request("POST", "/api/logout", {}, cookie=cookie)
    print(f"soak: {'request':34} {'answered as expected':>22}")
    for what, n in sorted(tally.ok.items()):
        print(f"soak: {what:34} {n:>22}")
    print(f"soak: frames used outside the kernel heap {base[0]} KiB before, {now[0]} KiB after; "
          f"live in the kernel heap {base[1]} bytes before, {now[1]} after")
    failed = [f for f in tally.failed if f] + ([] if now == base else ["the counters did not come back"])
    for f in failed:
        print(f"soak: FAILED {f}")
    if tally.failed and len(tally.failed) > 20:
        print(f"soak: ... {len(tally.failed) - 20} more failures")
    print("soak: ok" if not failed else "soak: FAILED", flush=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())

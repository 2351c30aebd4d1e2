#!/usr/bin/env python3
"""The host side of the Web UI's QEMU test (tests/qemu/webui): drives webui
through QEMU's forward of guest port 80 (CAPOS_HOSTFWD_MAP, from
ci/qemu_run.py --net-exec).  Steps, in the order given on the command line:

  corpus      every request of requests.py on its own connection: its
              status, the hardening headers on every answer, Cache-Control
              no-store on all but static files, Connection: close after a
              violation
  headers     the static files (bytes and Content-Type as in apps/webui/www)
              and /healthz (200, small fixed body, no cookie)
  keepalive   five requests one after the other on one connection, then
              three pipelined in one write, then sixty (more than lwIP's
              send buffer), all answered in order on it; a client that
              half-closes after two requests gets both answers and a FIN
  deadline    a request left unfinished gets 408 after the header deadline
  idle        the server's slots all held by idle keep-alive connections:
              a new client is served at once (an idle one gives way)
  proxy       /healthz with X-Forwarded-For 203.0.113.9 (behind the
              proxy 198.51.100.7) and X-Forwarded-Proto https, answered 200;
              whether webui believed them is read off its log line by the
              QEMU test (trusted: 203.0.113.9; else the peer, 10.0.2.2)
  login       (the default system: sessiond, the broker, init's graph) a
              wrong password: 401 "login incorrect" held back 250 ms, then
              500 ms, while /healthz on another connection is answered at
              once; operator/capos: 200, a 64-hex-digit HttpOnly,
              SameSite=Strict, Path=/ cookie; with it /api/session,
              processes (init is pid 1), memory, uptime and the graph
              (services and their links); a guest sees its processes but
              not the graph or memory (403); logout clears the cookie and
              the old cookie, like a forged one, gets 401; a missing or
              foreign Origin on login is 403
  idle_expiry (webui with idle=2) a logged-in browser left alone for 4 s:
              its next request gets 401, and so does every later one
  slowloris   FLOOD connections, half trickling a header byte a second,
              half silent (more than the server's connection slots: the
              surplus gets 503),
              then a new client retries /healthz until served: it must be
              within the header deadline and a margin; the flood ends
Exit status 0 when every step passed.
"""
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import requests  # noqa: E402  (tests/qemu/webui/requests.py, not the PyPI package)

WWW = os.path.join(HERE, "..", "..", "..", "apps", "webui", "www")
TIMEOUT = 15.0
HEADER_MS = 10000          # apps/webui/http.h WEBUI_HEADER_MS
CONNS = 16                 # apps/webui/server.h WEBUI_CONNS
FLOOD = 40
PIPELINED = 60             # answers to one write: more than lwIP's TCP_SND_BUF (32 segments)
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
HARDENING = ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"]
CSP_MUST = ["default-src 'self'", "frame-ancestors 'none'", "script-src 'self'", "style-src 'self'"]


def port():
    for item in os.environ.get("CAPOS_HOSTFWD_MAP", "").split(","):
        if "=" in item:
            g, h = item.split("=")
            if int(g) == 80:
                return int(h)
    sys.exit("webpeer: no forward of guest port 80 in CAPOS_HOSTFWD_MAP")


PORT = None


def connect():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Answers read off one connection, one at a time."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buf += chunk

    def answer(self, head_only=False):
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        n = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._more()
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body


def fail(msg):
    print("webpeer: FAILED " + msg)
    sys.exit(1)


def check_hardening(name, status, headers):
    for h in HARDENING:
        if h not in headers:
            fail(f"{name}: answer {status} without {h}")
    csp = headers["content-security-policy"]
    for part in CSP_MUST:
        if part not in csp:
            fail(f"{name}: CSP lacks {part!r}: {csp}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        fail(f"{name}: CSP allows inline code: {csp}")
    if headers["x-content-type-options"] != "nosniff" or headers["referrer-policy"] != "no-referrer":
        fail(f"{name}: nosniff/no-referrer wrong: {headers}")


def step_corpus():
    for name, want, data in requests.CORPUS:
        s = connect()
        s.sendall(data)
        try:
            status, headers, body = Reader(s).answer(head_only=data.startswith(b"HEAD "))
        except (EOFError, ConnectionResetError) as e:
            fail(f"{name}: no answer ({e})")
        s.close()
        if status != want:
            fail(f"{name}: status {status}, expected {want}: {body[:200]!r}")
        check_hardening(name, status, headers)
        static = want == 200 and not data.startswith(b"GET /healthz")
        cache = headers.get("cache-control", "")
        if static != (cache != "no-store"):
            fail(f"{name}: Cache-Control {cache!r}")
        # a malformed request or a limit passed ends the connection; a login body
        # of the wrong shape (400 from the route) is well-formed HTTP and does not
        protocol_violation = want in (413, 414, 431) or (want == 400 and not name.startswith("login-"))
        if protocol_violation != (headers.get("connection") == "close") and want != 200:
            fail(f"{name}: Connection: {headers.get('connection')} after {want}")
        if want >= 400 and not headers.get("content-type", "").startswith("application/json"):
            fail(f"{name}: error answer is not JSON")
        if want == 405 and "allow" not in headers:
            fail(f"{name}: 405 without Allow")
    print(f"webpeer: corpus: {len(requests.CORPUS)} requests, every status and header as expected")


def get(reader, sock, path, extra=""):
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode())
    return reader.answer()


def step_headers():
    s = connect()
    r = Reader(s)
    files = sorted(f for f in os.listdir(WWW) if os.path.splitext(f)[1] in TYPES)
    for f in files:
        status, headers, body = get(r, s, "/" + f)
        want = open(os.path.join(WWW, f), "rb").read()
        if status != 200 or body != want:
            fail(f"/{f}: status {status}, {len(body)} bytes (expected {len(want)})")
        if headers.get("content-type") != TYPES[os.path.splitext(f)[1]]:
            fail(f"/{f}: Content-Type {headers.get('content-type')}")
        check_hardening(f, status, headers)
    status, headers, body = get(r, s, "/")
    if status != 200 or body != open(os.path.join(WWW, "index.html"), "rb").read():
        fail("/ is not index.html")
    status, headers, body = get(r, s, "/healthz")
    if status != 200 or body != b"ok\n" or "set-cookie" in headers or headers.get("cache-control") != "no-store":
        fail(f"/healthz: {status} {headers} {body!r}")
    status, headers, body = get(r, s, "/api/session")
    if status != 401 or headers.get("cache-control") != "no-store" or b'"error"' not in body:
        fail(f"/api/session: {status} {headers} {body!r}")
    s.close()
    print(f"webpeer: headers: {len(files)} static files, /healthz, /api/session as expected")


def step_keepalive():
    s = connect()
    r = Reader(s)
    for i in range(5):
        status, headers, _ = get(r, s, "/healthz")
        if status != 200 or headers.get("connection") != "keep-alive":
            fail(f"keep-alive request {i}: {status} {headers.get('connection')}")
    s.sendall(b"GET /healthz HTTP/1.1\r\n\r\nGET /nothing HTTP/1.1\r\n\r\nGET /api/uptime HTTP/1.1\r\n\r\n")
    got = [r.answer()[0] for _ in range(3)]
    if got != [200, 404, 401]:
        fail(f"pipelined answers {got}")
    # more answers than lwIP's send buffer holds at once: the rest goes out as the client acknowledges
    css = open(os.path.join(WWW, "app.css"), "rb").read()
    s.sendall(b"GET /app.css HTTP/1.1\r\n\r\n" * PIPELINED)
    for i in range(PIPELINED):
        status, _, body = r.answer()
        if status != 200 or body != css:
            fail(f"pipelined /app.css {i}: {status}, {len(body)} bytes")
    s.close()
    # a client that half-closes after its requests gets every answer, then the server's FIN at once
    s = connect()
    r = Reader(s)
    s.sendall(b"GET /healthz HTTP/1.1\r\n\r\nGET /api/memory HTTP/1.1\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    start = time.monotonic()
    got = [r.answer()[0] for _ in range(2)]
    s.settimeout(3.0)
    try:
        rest = s.recv(100)
    except socket.timeout:
        rest = None
    s.close()
    if got != [200, 401] or rest != b"":
        fail(f"half-closed client: answers {got}, then {rest!r} after {time.monotonic() - start:.1f} s")
    print(f"webpeer: keepalive: 5 sequential, 3 and {PIPELINED} pipelined requests on one connection "
          f"({PIPELINED * len(css) // 1024} KiB of answers); a half-closed client answered and closed")


def step_deadline():
    s = connect()
    s.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")
    start = time.monotonic()
    s.settimeout(HEADER_MS / 1000 + 10)
    status, headers, _ = Reader(s).answer()
    took = time.monotonic() - start
    s.close()
    if status != 408 or not (HEADER_MS / 1000 - 1 <= took <= HEADER_MS / 1000 + 5):
        fail(f"unfinished request: {status} after {took:.1f} s")
    print(f"webpeer: deadline: 408 after {took:.1f} s")


def trickle(sock, stop):
    """Half the flood trickles a header byte a second; the other half says nothing at all."""
    if sock.fileno() % 2:
        stop.wait()
        return
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nX-Slow: ")
        while not stop.is_set():
            sock.sendall(b"a")
            stop.wait(1.0)
    except OSError:
        pass


def step_idle():
    idle = []
    for _ in range(CONNS):
        s = connect()
        if get(Reader(s), s, "/healthz")[0] != 200:
            fail("idle: a keep-alive request was not answered")
        idle.append(s)
    start = time.monotonic()
    s = connect()
    status = get(Reader(s), s, "/healthz")[0]
    took = time.monotonic() - start
    s.close()
    if status != 200 or took > 2.0:
        fail(f"idle: a new client got {status} after {took:.1f} s with every slot idle")
    closed = 0
    for c in idle:
        c.settimeout(0.5)
        try:
            closed += c.recv(1) == b""
        except socket.timeout:
            pass
        c.close()
    if closed < 1:
        fail("idle: no idle connection gave way")
    print(f"webpeer: idle: {CONNS} idle keep-alive connections; a new client served in {took:.2f} s, "
          f"{closed} idle one(s) closed")


def step_slowloris():
    stop = threading.Event()
    flood, threads = [], []
    for _ in range(FLOOD):
        s = connect()
        flood.append(s)
        t = threading.Thread(target=trickle, args=(s, stop), daemon=True)
        t.start()
        threads.append(t)
    time.sleep(1.0)
    start = time.monotonic()
    busy = tries = 0
    served = None
    while time.monotonic() - start < HEADER_MS / 1000 + 10:
        tries += 1
        try:
            s = connect()
            status, _, body = get(Reader(s), s, "/healthz")
            s.close()
        except (OSError, EOFError):
            time.sleep(0.2)
            continue
        if status == 503:
            busy += 1
            time.sleep(0.2)
            continue
        if status == 200 and body == b"ok\n":
            served = time.monotonic() - start
            break
        fail(f"slowloris: new client got {status}")
    stop.set()
    for s in flood:
        s.close()
    if served is None:
        fail(f"slowloris: a new client was not served within {HEADER_MS / 1000 + 10:.0f} s ({tries} tries)")
    if busy == 0:
        fail("slowloris: the flood never filled the server (no 503 seen)")
    print(f"webpeer: slowloris: {FLOOD} slow or silent connections; a new client served after {served:.1f} s "
          f"({busy} answers 503 before)")
    # the server is usable at once afterwards
    time.sleep(0.5)
    s = connect()
    if get(Reader(s), s, "/healthz")[0] != 200:
        fail("slowloris: not serving after the flood")
    s.close()


ORIGIN = "http://127.0.0.1:8080"


def api(method, path, body=None, cookie=None, origin=ORIGIN):
    """One request on its own connection: (status, headers, parsed JSON body or None, seconds)."""
    import json
    s = connect()
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if origin:
        head += f"Origin: {origin}\r\n"
    if cookie:
        head += f"Cookie: theme=dark; {cookie}\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    t0 = time.monotonic()
    s.sendall(head.encode() + b"\r\n" + data)
    status, headers, raw = Reader(s).answer()
    took = time.monotonic() - t0
    s.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return status, headers, parsed, took


def session_cookie(headers):
    c = headers.get("set-cookie", "")
    parts = [p.strip() for p in c.split(";")]
    if not parts[0].startswith("capos_session=") or len(parts[0]) != len("capos_session=") + 64:
        fail(f"login: no session cookie: {c!r}")
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/"):
        if attr not in parts:
            fail(f"login: cookie without {attr}: {c!r}")
    if "Secure" in parts:
        fail(f"login: Secure cookie over http: {c!r}")
    return parts[0]


def wrong_login_held(user, want_ms):
    """A wrong password: 401 after at least want_ms, while /healthz is served meanwhile."""
    result = {}

    def attempt():
        result["answer"] = api("POST", "/api/login", {"username": user, "password": "not-the-password"})
    t = threading.Thread(target=attempt)
    t.start()
    time.sleep(0.05)
    status, _, _, took = api("GET", "/healthz", origin=None)
    t.join()
    lstatus, _, body, ltook = result["answer"]
    if lstatus != 401 or (body or {}).get("error") != "login incorrect":
        fail(f"login: wrong password answered {lstatus} {body}")
    if ltook < want_ms / 1000.0 * 0.9:
        fail(f"login: a failure answered after {ltook * 1000:.0f} ms, before its delay of {want_ms} ms")
    if status != 200 or took > ltook:
        fail(f"login: /healthz waited for the held failure ({took * 1000:.0f} ms, status {status})")
    return ltook


def step_login():
    first = wrong_login_held("operator", 250)
    second = wrong_login_held("operator", 500)
    status, headers, body, _ = api("POST", "/api/login", {"username": "operator", "password": "capos"})
    if status != 200 or body != {"user": "operator", "profile": "operator"}:
        fail(f"login: operator/capos answered {status} {body}")
    cookie = session_cookie(headers)
    if headers.get("cache-control") != "no-store":
        fail("login: the answer may be cached")
    status, _, body, _ = api("GET", "/api/session", cookie=cookie, origin=None)
    if status != 200 or body.get("user") != "operator":
        fail(f"session: {status} {body}")
    status, _, body, _ = api("GET", "/api/processes", cookie=cookie, origin=None)
    procs = (body or {}).get("processes", [])
    if status != 200 or not any(p["pid"] == 1 and p["state"] == "live" for p in procs) or \
            not any(p["name"] == "webui" and p["caps"] > 0 and p["frames"] > 0 for p in procs):
        fail(f"processes: {status} {body}")
    status, _, mem, _ = api("GET", "/api/memory", cookie=cookie, origin=None)
    if status != 200 or not 0 < mem["used_kib"] < mem["total_kib"] or mem["free_kib"] + mem["used_kib"] != mem["total_kib"]:
        fail(f"memory: {status} {mem}")
    status, _, up, _ = api("GET", "/api/uptime", cookie=cookie, origin=None)
    if status != 200 or up["uptime_ms"] <= 0 or up["running"] < 5:
        fail(f"uptime: {status} {up}")
    status, _, graph, _ = api("GET", "/api/capgraph", cookie=cookie, origin=None)
    labels = {n["id"]: n.get("label") for n in (graph or {}).get("nodes", [])}
    links = [(labels.get(e["from"]), labels.get(e["to"]), e["label"]) for e in (graph or {}).get("edges", [])]
    if status != 200 or "webui" not in labels.values() or ("sessiond", "webui", "sessions") not in links or \
            ("nic", "webui", "nic") not in links:
        fail(f"capgraph: {status} {labels} {links}")
    # a guest: its own processes only, no graph or memory
    status, headers, body, _ = api("POST", "/api/login", {"username": "guest", "password": "guest"})
    if status != 200 or body.get("profile") != "guest":
        fail(f"guest login: {status} {body}")
    guest = session_cookie(headers)
    status, _, body, _ = api("GET", "/api/processes", cookie=guest, origin=None)
    if status != 200 or any(p["pid"] == 1 for p in body["processes"]):
        fail(f"guest processes: {status} {body}")
    for path in ("/api/capgraph", "/api/memory"):
        status, _, body, _ = api("GET", path, cookie=guest, origin=None)
        if status != 403:
            fail(f"guest {path}: {status} {body}")
    # logout ends it; the old cookie and a forged one are refused
    status, _, _, _ = api("POST", "/api/logout", {}, cookie=guest, origin=None)
    if status != 403:
        fail(f"logout without Origin: {status}")
    status, headers, body, _ = api("POST", "/api/logout", {}, cookie=cookie)
    if status != 200 or "Max-Age=0" not in headers.get("set-cookie", ""):
        fail(f"logout: {status} {headers.get('set-cookie')}")
    forged = "capos_session=" + "0123456789abcdef" * 4
    for c, what in ((cookie, "the old cookie"), (forged, "a forged cookie")):
        for path in ("/api/session", "/api/processes"):
            status, _, _, _ = api("GET", path, cookie=c, origin=None)
            if status != 401:
                fail(f"{what} on {path}: {status}")
    status, _, body, _ = api("GET", "/api/session", cookie=guest, origin=None)
    if status != 200:
        fail(f"the guest session ended with the operator's: {status}")
    status, _, _, _ = api("POST", "/api/login", {"username": "operator", "password": "capos"}, origin=None)
    if status != 403:
        fail(f"login without Origin: {status}")
    print(f"webpeer: login: failures held {first * 1000:.0f} ms and {second * 1000:.0f} ms while others were "
          f"served; operator and guest pages as their profiles allow; logout and forged cookies refused")


def step_idle_expiry():
    status, headers, _, _ = api("POST", "/api/login", {"username": "operator", "password": "capos"})
    if status != 200:
        fail(f"idle: login answered {status}")
    cookie = session_cookie(headers)
    status, _, _, _ = api("GET", "/api/session", cookie=cookie, origin=None)
    if status != 200:
        fail(f"idle: a fresh session answered {status}")
    time.sleep(4.0)
    for path in ("/api/processes", "/api/session"):
        status, _, body, _ = api("GET", path, cookie=cookie, origin=None)
        if status != 401:
            fail(f"idle: {path} after 4 s unused answered {status} {body}")
    print("webpeer: idle: a session unused past its idle time ends: 401")


def step_proxy():
    s = connect()
    status, headers, _ = get(Reader(s), s, "/healthz",
                             "X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\nX-Forwarded-Proto: https\r\n")
    s.close()
    if status != 200:
        fail(f"proxy: /healthz with forwarding headers answered {status}")
    check_hardening("proxy", status, headers)
    print("webpeer: proxy: /healthz with X-Forwarded-For and X-Forwarded-Proto answered 200")


def main():
    global PORT
    PORT = port()
    steps = {"corpus": step_corpus, "headers": step_headers, "keepalive": step_keepalive,
             "deadline": step_deadline, "idle": step_idle, "slowloris": step_slowloris, "proxy": step_proxy,
             "login": step_login, "idle_expiry": step_idle_expiry}
    for word in sys.argv[1:]:
        if word not in steps:
            sys.exit(f"webpeer: unknown step {word}")
        steps[word]()
    print("webpeer: all steps passed")


if __name__ == "__main__":
    main()

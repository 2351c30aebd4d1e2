"""The Web UI's request corpus: raw HTTP requests, each with the status the
server must answer (docs/webui.md).  tests/qemu/webui/webpeer.py sends
them over the network; tests/fuzz/mkcorpus.py writes them as the seeds of
the webui fuzz target (tests/fuzz/corpus/webui/STATUS-NAME).  The Origin
is the one the tests configure: http://127.0.0.1:8080.
"""

ORIGIN = "http://127.0.0.1:8080"
BODY_MAX = 16384
HEADER_MAX = 8192
URL_MAX = 1024
VALUE_MAX = 256


def _req(line, headers=(), body=b""):
    text = line + "\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    return text.encode() + body


def _post(path, body, ctype="application/json", origin=ORIGIN, extra=()):
    headers = ["Host: 127.0.0.1"]
    if origin is not None:
        headers.append("Origin: " + origin)
    if ctype is not None:
        headers.append("Content-Type: " + ctype)
    headers.append("Content-Length: %d" % len(body))
    return _req("POST %s HTTP/1.1" % path, list(headers) + list(extra), body)


LOGIN = b'{"username":"guest","password":"guest"}'

# (name, status, request bytes); every request is alone on its connection
CORPUS = [
    ("get-index", 200, _req("GET / HTTP/1.1", ["Host: 127.0.0.1"])),
    ("get-app-js", 200, _req("GET /app.js HTTP/1.1", ["Host: 127.0.0.1"])),
    ("head-index", 200, _req("HEAD /index.html HTTP/1.1", ["Host: 127.0.0.1"])),
    ("healthz", 200, _req("GET /healthz HTTP/1.1", ["Host: 127.0.0.1"])),
    ("healthz-http10", 200, _req("GET /healthz HTTP/1.0")),
    ("garbage", 400, b"GARBAGE\r\n\r\n"),
    ("bad-header-name", 400, _req("GET / HTTP/1.1", ["Bad Header: x"])),
    ("bad-version", 400, _req("GET / HTTP/2.0")),
    ("two-content-lengths", 400, _req("POST /api/login HTTP/1.1", ["Content-Length: 1", "Content-Length: 2"], b"x")),
    ("length-and-chunked", 400, _req("POST /api/login HTTP/1.1",
                                     ["Content-Length: 5", "Transfer-Encoding: chunked"], b"0\r\n\r\n")),
    ("two-origins", 400, _req("POST /api/login HTTP/1.1", ["Origin: " + ORIGIN, "Origin: " + ORIGIN])),
    ("login-not-object", 400, _post("/api/login", b"[1]")),
    ("login-no-password", 400, _post("/api/login", b'{"username":"guest"}')),
    ("login-bad-json", 400, _post("/api/login", b'{"username":')),
    ("session", 401, _req("GET /api/session HTTP/1.1", ["Host: 127.0.0.1"])),
    ("processes", 401, _req("GET /api/processes HTTP/1.1")),
    ("logout", 401, _post("/api/logout", b"{}")),
    ("login-no-origin", 403, _post("/api/login", LOGIN, origin=None)),
    ("login-foreign-origin", 403, _post("/api/login", LOGIN, origin="http://evil.example")),
    ("login-null-origin", 403, _post("/api/login", LOGIN, origin="null")),
    ("nothing", 404, _req("GET /nothing HTTP/1.1")),
    ("api-nothing", 404, _req("GET /api/nothing HTTP/1.1")),
    ("traversal", 404, _req("GET /../../boot.pkg HTTP/1.1")),
    ("get-login", 405, _req("GET /api/login HTTP/1.1")),
    ("post-index", 405, _post("/", b"{}")),
    ("delete-session", 405, _req("DELETE /api/session HTTP/1.1")),
    ("body-length", 413, _req("POST /api/login HTTP/1.1", ["Origin: " + ORIGIN, "Content-Type: application/json",
                                                          "Content-Length: %d" % (BODY_MAX + 1)])),
    ("body-chunked", 413, _req("POST /api/login HTTP/1.1", ["Transfer-Encoding: chunked"],
                               b"%x\r\n" % (BODY_MAX + 1) + b"x" * (BODY_MAX + 1) + b"\r\n0\r\n\r\n")),
    ("long-url", 414, _req("GET /" + "a" * URL_MAX + " HTTP/1.1")),
    ("login-form", 415, _post("/api/login", b"username=guest&password=guest",
                              ctype="application/x-www-form-urlencoded")),
    ("login-no-type", 415, _post("/api/login", LOGIN, ctype=None)),
    ("huge-header", 431, _req("GET / HTTP/1.1", ["X-Pad: " + "a" * HEADER_MAX])),
    ("long-origin", 431, _req("POST /api/login HTTP/1.1", ["Origin: http://" + "a" * VALUE_MAX])),
    ("login", 503, _post("/api/login", LOGIN)),
]

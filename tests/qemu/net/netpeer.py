#!/usr/bin/env python3
"""The host side of the network tests (tests/qemu/net): talks to netcheck
through QEMU's host forwards and injects raw frames through the hub that
ci/qemu_run.py --net-inject sets up.  Steps, run in the order given:

  echo          a 64-byte round trip on guest port 7
  http          GET / on guest port 80 answers "hello from capOS"
  churn=N       N sequential connections (connect, 64 bytes there and back,
                close), none may stall (5 s each); prints the rate
  inject        the malformed-frame corpus and malformed ICMP echo replies,
                three rounds with an echo after each: the server keeps
                serving, netcheck's counters show the drops, and every
                forged reply is rejected by its ping
  die           "die" on the echo port: netcheck ends with the NIC running;
                then wait until the serial log shows it listening again
                (its restart re-initialised the device and got a lease)
  quit          "quit" on the echo port: netcheck prints its counters, ends

Ports come from CAPOS_HOSTFWD_MAP (guest=host,...), the injection socket
from CAPOS_INJECT_PORT.  Exit status 0 when every step passed.
"""
import os
import socket
import struct
import sys
import time

TIMEOUT = 5.0
GUEST_MAC = bytes.fromhex("525400123456")     # QEMU's default for the first NIC
PEER_MAC = bytes.fromhex("02000000beef")        # a host on the link that does not exist
GUEST_IP = socket.inet_aton("10.0.2.15")
PEER_IP = socket.inet_aton("10.0.2.99")


def ports():
    m = {}
    for item in os.environ.get("CAPOS_HOSTFWD_MAP", "").split(","):
        if "=" in item:
            g, h = item.split("=")
            m[int(g)] = int(h)
    return m


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def roundtrip(port, payload):
    with connect(port) as s:
        s.sendall(payload)
        back = recv_exactly(s, len(payload))
    if back != payload:
        raise AssertionError(f"echo gave {back!r}, sent {payload!r}")


def step_echo(p):
    roundtrip(p[7], bytes(range(64)))
    print("netpeer: echo: 64 bytes came back")


def step_http(p):
    with connect(p[80]) as s:
        s.sendall(b"GET / HTTP/1.0\r\nHost: capos\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    if not data.startswith(b"HTTP/1.0 200") or b"hello from capOS" not in data:
        raise AssertionError(f"http answer {data!r}")
    print("netpeer: http: 200, hello from capOS")


def step_churn(p, n):
    start = time.monotonic()
    for i in range(n):
        try:
            roundtrip(p[7], struct.pack(">I", i) * 16)
        except (OSError, AssertionError) as e:
            raise AssertionError(f"connection {i} of {n} stalled or failed: {e}")
    dt = time.monotonic() - start
    print(f"netpeer: churn: {n} connections in {dt:.1f} s ({n / dt:.0f}/s), none stalled")


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def eth(payload, ethertype=0x0800, dst=GUEST_MAC):
    return dst + PEER_MAC + struct.pack(">H", ethertype) + payload


def ipv4(payload, proto=1, ihl=5, options=b"", total=None, good_sum=True):
    total = 20 + len(options) + len(payload) if total is None else total
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, total, 0x1234, 0, 64, proto, 0, PEER_IP, GUEST_IP)
    hdr += options
    c = cksum(hdr)
    if not good_sum:
        c ^= 0x5555
    return hdr[:10] + struct.pack(">H", c) + hdr[12:] + payload


def icmp_echo(good_sum=True):
    body = struct.pack(">BBHHH", 8, 0, 0, 0x77, 1) + b"x" * 16
    c = cksum(body) ^ (0 if good_sum else 0xffff)
    return body[:2] + struct.pack(">H", c) + body[4:]


def tcp(flags, sport=40000, dport=7, good_sum=True):
    hdr = struct.pack(">HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 8192, 0, 0)
    pseudo = PEER_IP + GUEST_IP + struct.pack(">BBH", 0, 6, len(hdr))
    c = cksum(pseudo + hdr) ^ (0 if good_sum else 0x00ff)
    return hdr[:16] + struct.pack(">H", c) + hdr[18:]


def corpus():
    good_ping = eth(ipv4(icmp_echo()))
    return [
        ("runt (10 bytes)", good_ping[:10]),
        ("truncated IPv4 header", good_ping[:14 + 12]),
        ("wrong ethertype 0x88b5", eth(ipv4(icmp_echo()), ethertype=0x88b5)),
        ("bad IPv4 header checksum", eth(ipv4(icmp_echo(), good_sum=False))),
        ("IPv4 total length past the frame", eth(ipv4(icmp_echo(), total=1400))),
        ("IPv4 IHL below 5", eth(ipv4(icmp_echo(), ihl=4))),
        ("IPv4 options past the header", eth(ipv4(icmp_echo(), ihl=15))),
        ("IPv4 bad option (length 0)", eth(ipv4(icmp_echo(), ihl=6, options=b"\x07\x00\x00\x00"))),
        ("bad ICMP checksum", eth(ipv4(icmp_echo(good_sum=False)))),
        ("oversized frame (4000 bytes)", eth(ipv4(icmp_echo())) + b"\xa5" * 4000),
        ("TCP bad checksum", eth(ipv4(tcp(0x02, good_sum=False), proto=6))),
        ("TCP SYN+FIN", eth(ipv4(tcp(0x03), proto=6))),
        ("TCP all flags", eth(ipv4(tcp(0x3f), proto=6))),
        ("TCP no flags", eth(ipv4(tcp(0x00), proto=6))),
        ("TCP data offset past the segment", eth(ipv4(tcp(0x02)[:12] + b"\xf0" + tcp(0x02)[13:], proto=6))),
        ("UDP truncated", eth(ipv4(b"\x00\x35\x00", proto=17))),
        ("ARP truncated", eth(b"\x00\x01\x08\x00\x06", ethertype=0x0806)),
    ]


def echo_reply(mutate):
    body = bytearray(struct.pack(">BBHHH", 0, 0, 0, 0x4242, 1) + bytes(range(32)))
    c = cksum(bytes(body))
    body[2:4] = struct.pack(">H", c)
    return bytes(mutate(body))


def bad_replies():
    """Echo replies a ping must reject: each is counted by netcheck, never taken as an answer."""
    def badsum(b):
        b[2] ^= 0x40
        return b

    def cut(b):
        return b[:6]

    def payload(b):
        b[20] ^= 0xff
        c = cksum(bytes(b[:2]) + b"\0\0" + bytes(b[4:]))
        b[2:4] = struct.pack(">H", c)
        return b

    def code(b):
        b[1] = 3
        c = cksum(bytes(b[:2]) + b"\0\0" + bytes(b[4:]))
        b[2:4] = struct.pack(">H", c)
        return b
    return [("echo reply, bad checksum", eth(ipv4(echo_reply(badsum)))),
            ("echo reply, truncated", eth(ipv4(echo_reply(cut)))),
            ("echo reply, payload changed", eth(ipv4(echo_reply(payload)))),
            ("echo reply, code 3", eth(ipv4(echo_reply(code))))]


def stats(p):
    with connect(p[7]) as s:
        s.sendall(b"stats\n")
        time.sleep(0.5)
        return s.recv(4096).decode(errors="replace")


def ping_rejected(text):
    for line in text.splitlines():
        if line.startswith("ping good"):
            return int(line.split()[4])
    raise AssertionError(f"no ping line in {text!r}")


def drops(text):
    """Sum of every drop/error counter netcheck reports."""
    total = 0
    for line in text.splitlines():
        words = line.split()
        for k, v in zip(words[1::2], words[2::2]):
            if k in ("runt", "oversize", "bad_desc", "drop", "chkerr", "lenerr", "proterr", "opterr"):
                total += int(v)
    return total


def step_inject(p):
    port = int(os.environ["CAPOS_INJECT_PORT"])
    before_text = stats(p)
    before, rejected_before = drops(before_text), ping_rejected(before_text)
    frames = corpus()
    replies = bad_replies()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for rnd in range(3):
            for name, frame in frames + replies:
                s.sendto(frame, ("127.0.0.1", port))
            roundtrip(p[7], b"still serving %d" % rnd)
    time.sleep(0.5)
    after_text = stats(p)
    after = drops(after_text)
    print(after_text, end="")
    rejected = ping_rejected(after_text) - rejected_before
    print(f"netpeer: inject: {3 * len(frames)} malformed frames, drop counters +{after - before}, "
          f"{3 * len(replies)} malformed echo replies, {rejected} rejected; echo answered between rounds")
    if rejected != 3 * len(replies):
        raise AssertionError(f"{rejected} malformed echo replies rejected, {3 * len(replies)} sent")
    if after - before < 3 * (len(frames) - 4):
        raise AssertionError(f"only {after - before} drops counted for {3 * len(frames)} frames")


def step_die(p):
    log = os.environ["CAPOS_SERIAL_LOG"]
    before = open(log, errors="replace").read().count("netcheck: listening on tcp")
    with connect(p[7]) as s:
        s.sendall(b"die\n")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if open(log, errors="replace").read().count("netcheck: listening on tcp") > before:
            print("netpeer: die: netcheck is listening again")
            return
        time.sleep(0.2)
    raise AssertionError("netcheck did not come back within 90 s")


def step_quit(p):
    with connect(p[7]) as s:
        s.sendall(b"quit\n")
        time.sleep(0.5)
    print("netpeer: quit sent")


def main(argv):
    p = ports()
    for step in argv:
        name, _, arg = step.partition("=")
        if name == "churn":
            step_churn(p, int(arg))
        else:
            globals()["step_" + name](p)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (OSError, AssertionError, KeyError) as e:
        print(f"netpeer: FAILED: {e}")
        sys.exit(1)

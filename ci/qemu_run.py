#!/usr/bin/env python3
"""Boot a capOS ESP image in QEMU + OVMF and judge the run.

Two modes:
  test (default)  serial console goes to a log file; the run is bounded by
                  --timeout; the guest's verdict (isa-debug-exit status or a
                  clean ACPI power-off) and regexes over the serial log decide
                  pass or fail.  On failure the log's tail and its path are
                  printed.  Exit status 0 = pass, 1 = fail, 2 = usage error.
  --interactive   a serial port on this terminal (Ctrl-A X quits QEMU), no
                  timeout; used by `./capos run`.  Which port:
                    (alone)                 COM1 (the kernel's log); no COM2
                    --console-log FILE      COM2, the session terminal; COM1
                                            goes to FILE
                    --session-socket PATH   COM1; COM2 is a unix socket
                                            server at PATH (connect with
                                            `socat -,raw,echo=0 UNIX-CONNECT:PATH`)

The session UART (COM2, docs/terminal.md) exists only when a --session-*
option is given: it is a pair of FIFOs (QEMU's pipe chardev) through which
the test types --session-type/--session-input once --session-after matches
the console log, and whose output is kept in --session-log and checked with
--session-expect/--session-reject.

A dialog with the session terminal, for tests that drive it the way a
person would: --session-script FILE, a text file of steps, one a line,
run in order from the start (or once --session-after matches, after any
--session-type/--session-input text):

  expect REGEX   wait until the session output since the previous expect
                 (since the start, for the first) matches REGEX (Python re,
                 MULTILINE); the next expect searches from the end of this
                 match.  No timeout of its own: the test's --timeout.
  type TEXT      type TEXT, Python escapes allowed (\r Enter, \x03 ^C,
                 \x04 ^D, \x7f Backspace, \\ a backslash), one byte at a
                 time, TYPE_PAUSE_MS apart, so the echo interleaves as it
                 would for a person.  TEXT is everything after "type ".
  sleep-ms N     wait N milliseconds
  # ...          a comment; blank lines are skipped too

A script that has not run to its end when QEMU stops fails the test; the
report names the step (FILE:LINE), what it waited for, and the tail of the
session log.  --session-expect and --session-reject still judge the whole
session output afterwards.

Networking (docs/network.md): --net user gives the guest a virtio-net NIC
on QEMU user networking (slirp: DHCP 10.0.2.15, gateway 10.0.2.2, DNS
10.0.2.3), with --net-model choosing what the device offers
(transitional: legacy and modern, q35's and pc's default; modern:
disable-legacy=on, 1af4:1041; legacy: disable-modern=on, the 0.9 device of
Google Compute Engine), --hostfwd forwarding host ports to the guest
(tcp:127.0.0.1:8080-:80; a host port of 0 picks a free one) and
--net-dump writing QEMU's side of the traffic as pcap (filter-dump).  A
test can then act from the host: --net-exec CMD runs once the serial log
matches --net-after REGEX, with CAPOS_HOSTFWD_PORT (the first forward's
host port), CAPOS_HOSTFWD_MAP (GUEST=HOST,...) and CAPOS_SERIAL_LOG in its
environment; a failing CMD fails
the test and its output is shown (--net-exec-stops: QEMU is stopped when
it ends, for a system that runs forever).  --net-inject puts a hub between the NIC,
slirp and a UDP socket pair, so the command can send raw Ethernet frames
to the guest (CAPOS_INJECT_PORT; the link's frames come to
CAPOS_INJECT_LISTEN).

The ESP image is never modified: each run works on a private copy, into
which --cmdline and the --esp-* options write their changes with mtools.
Verdict numbers must match exo/include/capos/verdict.h.
"""

import argparse
import os
import socket
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# QEMU exit status -> verdict name.  isa-debug-exit gives (value << 1) | 1.
STATUS_VERDICT = {0: "poweroff", 33: "pass", 35: "fail", 37: "panic"}
TAIL_LINES = 40
TYPE_PAUSE_MS = 20  # between the bytes of a script's "type" step


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--esp", required=True, help="ESP image to boot (copied first)")
    p.add_argument("--name", help="test name, for messages and the default log name")
    p.add_argument("--cmdline", help="kernel command line written to \\capos\\cmdline.txt")
    p.add_argument("--expect-exit", default="pass",
                   choices=["pass", "fail", "panic", "poweroff", "any"],
                   help="verdict the guest must give (default: pass)")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="regex that must match the serial log, in the order given")
    p.add_argument("--reject", action="append", default=[], metavar="REGEX",
                   help="regex that must not match anywhere in the serial log")
    p.add_argument("--timeout", type=float, default=120, help="seconds before the run is failed")
    p.add_argument("--log", help="serial log path (default: qemu-logs/<name>.log here)")
    p.add_argument("--accel", default=os.environ.get("CAPOS_ACCEL", "tcg"), choices=["tcg", "kvm"])
    p.add_argument("--cpu", default=os.environ.get("CAPOS_CPU", "max"))
    p.add_argument("--mem", default=os.environ.get("CAPOS_MEM", "512"), help="MiB")
    p.add_argument("--smp", default=os.environ.get("CAPOS_SMP", "1"))
    p.add_argument("--machine", default=os.environ.get("CAPOS_MACHINE", "q35"), choices=["q35", "pc"],
                   help="QEMU machine: q35 (PCIe, ECAM) or pc (i440FX, legacy PCI ports)")
    p.add_argument("--esp-delete", action="append", default=[], metavar="PATH",
                   help="delete a file from the image copy, e.g. /capos/kernel.elf")
    p.add_argument("--esp-put", action="append", default=[], metavar="PATH=HOSTFILE",
                   help="replace or add a file in the image copy")
    p.add_argument("--esp-truncate", action="append", default=[], metavar="PATH=BYTES",
                   help="truncate a file in the image copy")
    p.add_argument("--esp-poke", action="append", default=[], metavar="PATH=OFFSET:HEX",
                   help="overwrite bytes of a file in the image copy; OFFSET may be "
                        "bootpkg-entry:N, where entry N's data starts in a boot package")
    p.add_argument("--interactive", action="store_true", help="serial on this terminal, no timeout")
    p.add_argument("--console-log", metavar="FILE",
                   help="interactive: COM1 to FILE, the session terminal (COM2) on this terminal")
    p.add_argument("--session-socket", metavar="PATH",
                   help="interactive: COM1 on this terminal, COM2 on a unix socket server at PATH")
    p.add_argument("--gdb", action="store_true", help="start QEMU's gdb stub on :1234 and wait")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    p.add_argument("--net", default="none", choices=["none", "user"],
                   help="a virtio-net NIC on QEMU user networking, or none of ours (default: QEMU's "
                        "own default NIC, e1000e on q35, which tests use; add --qemu-arg=-nic "
                        "--qemu-arg=none for no NIC at all)")
    p.add_argument("--net-model", default="transitional", choices=["transitional", "modern", "legacy"],
                   help="what the virtio-net device offers (default transitional)")
    p.add_argument("--hostfwd", action="append", default=[], metavar="[tcp:]HOST:PORT-:GUESTPORT",
                   help="forward a host port to the guest (user networking); port 0: a free one")
    p.add_argument("--net-dump", metavar="FILE", help="pcap of the NIC's traffic (QEMU filter-dump)")
    p.add_argument("--net-inject", action="store_true",
                   help="a hub between NIC, user networking and a UDP socket: --net-exec sends raw "
                        "Ethernet frames to 127.0.0.1:$CAPOS_INJECT_PORT and sees the link's frames "
                        "on $CAPOS_INJECT_LISTEN")
    p.add_argument("--net-after", metavar="REGEX", help="run --net-exec once the serial log matches")
    p.add_argument("--net-exec", metavar="CMD", help="host command (shell) run after --net-after; must exit 0")
    p.add_argument("--net-exec-timeout", type=float, default=60, help="seconds --net-exec may run")
    p.add_argument("--net-exec-stops", action="store_true",
                   help="stop QEMU once --net-exec ended (a system that runs forever): the verdict is "
                        "the command's status and the log's expects, not the guest's exit")
    p.add_argument("--session-type", action="append", default=[], metavar="TEXT",
                   help="bytes to type on COM2, with Python escapes (\\r, \\x7f, \\x03)")
    p.add_argument("--session-input", action="append", default=[], metavar="FILE",
                   help="a file whose bytes are typed on COM2 (after the --session-type text)")
    p.add_argument("--session-after", metavar="REGEX",
                   help="type only once the console log matches this (default: at once)")
    p.add_argument("--session-log", help="COM2 output (default: the log path + .session)")
    p.add_argument("--session-expect", action="append", default=[], metavar="REGEX",
                   help="regex that must match the COM2 output, in the order given")
    p.add_argument("--session-reject", action="append", default=[], metavar="REGEX",
                   help="regex that must not match anywhere in the COM2 output")
    p.add_argument("--session-script", metavar="FILE",
                   help="steps (expect REGEX, type TEXT, sleep-ms N) run against COM2; see the top of this file")
    return p.parse_args(argv)


def session_wanted(args):
    return bool(args.session_type or args.session_input or args.session_after or args.session_log
                or args.session_expect or args.session_reject or args.session_script)


def fail_usage(msg):
    print(f"qemu_run: {msg}", file=sys.stderr)
    sys.exit(2)


def mtools(args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1")
    r = subprocess.run(args, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail_usage(f"{' '.join(args)} failed: {r.stderr.strip()}")
    return r


def esp_get(image, path, dest):
    mtools(["mcopy", "-n", "-i", image, "::" + path, dest])


def esp_put(image, path, src):
    mtools(["mcopy", "-o", "-i", image, src, "::" + path])


def esp_delete(image, path):
    mtools(["mdel", "-i", image, "::" + path])


def split_assignment(text, what):
    if "=" not in text:
        fail_usage(f"{what} wants PATH=VALUE, got '{text}'")
    return text.split("=", 1)


def edit_file(image, path, work, edit):
    """Copy path out of the image, apply edit(bytearray), put it back."""
    local = os.path.join(work, "edit.bin")
    esp_get(image, path, local)
    with open(local, "rb") as f:
        data = bytearray(f.read())
    data = edit(data)
    with open(local, "wb") as f:
        f.write(data)
    esp_put(image, path, local)


def prepare_image(args, work):
    image = os.path.join(work, "esp.img")
    shutil.copyfile(args.esp, image)
    for path in args.esp_delete:
        esp_delete(image, path)
    for item in args.esp_put:
        path, host = split_assignment(item, "--esp-put")
        esp_put(image, path, host)
    for item in args.esp_truncate:
        path, size = split_assignment(item, "--esp-truncate")
        edit_file(image, path, work, lambda d, n=int(size, 0): d[:n])
    for item in args.esp_poke:
        path, spec = split_assignment(item, "--esp-poke")
        offset, hexbytes = spec.rsplit(":", 1)

        def poke(d, where=offset, b=bytes.fromhex(hexbytes)):
            o = poke_offset(d, where)
            d[o:o + len(b)] = b
            return d
        edit_file(image, path, work, poke)
    if args.cmdline is not None:
        local = os.path.join(work, "cmdline.txt")
        with open(local, "w") as f:
            f.write(args.cmdline + "\n")
        esp_put(image, "/capos/cmdline.txt", local)
    return image


def poke_offset(data, where):
    """A byte offset, or bootpkg-entry:N: where entry N's data starts in a boot package."""
    if not where.startswith("bootpkg-entry:"):
        return int(where, 0)
    n = int(where.split(":", 1)[1], 0)
    entry = 64 + 64 * n                     # struct capos_bootpkg_entry[n] (capos/bootpkg.h)
    count = int.from_bytes(data[12:16], "little")
    if n >= count:
        fail_usage(f"--esp-poke {where}: the package has {count} entries")
    return int.from_bytes(data[entry + 40:entry + 48], "little")


def qemu_command(args, image, vars_copy, serial):
    if args.accel == "kvm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        fail_usage("--accel kvm needs read/write access to /dev/kvm")
    cmd = ["qemu-system-x86_64", "-accel", args.accel, "-M", args.machine, "-cpu", args.cpu,
           "-m", str(args.mem), "-smp", str(args.smp), "-display", "none",
           "-no-reboot",
           "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
           "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}",
           "-drive", f"format=raw,file={image}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    cmd += serial + net_args(args)
    if args.gdb:
        cmd += ["-s", "-S"]
    return cmd + args.qemu_arg


NET_MODELS = {"transitional": "virtio-net-pci",
              "modern": "virtio-net-pci,disable-legacy=on,disable-modern=off",
              "legacy": "virtio-net-pci,disable-modern=on"}


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resolve_hostfwd(args):
    """Normalise --hostfwd to tcp:HOST:PORT-:GUEST, a host port 0 replaced by a free one."""
    out = []
    for spec in args.hostfwd:
        m = re.fullmatch(r"(?:(tcp|udp):)?([0-9.]*):(\d+)-(?:[0-9.]*):(\d+)", spec)
        if not m:
            fail_usage(f"--hostfwd {spec}: expected [tcp:]HOST:PORT-:GUESTPORT, e.g. 127.0.0.1:8080-:80")
        proto, host, port, guest = m.group(1) or "tcp", m.group(2) or "127.0.0.1", int(m.group(3)), m.group(4)
        if port == 0:
            port = free_port()
        out.append((proto, host, port, guest))
    args.hostfwd_resolved = out
    return out


def net_args(args):
    if args.net == "none":
        if args.hostfwd or args.net_dump or args.net_exec or args.net_inject:
            fail_usage("--hostfwd, --net-dump, --net-inject and --net-exec need --net user")
        # QEMU's default NIC (e1000e on q35, e1000 on pc) stays: tests lean on it
        return []
    fwd = "".join(f",hostfwd={p}:{h}:{port}-:{g}" for p, h, port, g in resolve_hostfwd(args))
    # not restrict=on: slirp then leaves the router and DNS options out of its DHCP answers
    a = ["-netdev", f"user,id=n0{fwd}"]
    nic = "n0"
    if args.net_inject:
        # QEMU's hub repeats every frame to every other port: the NIC, slirp and
        # a UDP socket pair (QEMU listens on inject, sends the link's frames to listen)
        args.inject_port, args.inject_listen = free_udp_port(), free_udp_port()
        a += ["-netdev", "hubport,id=hp0,hubid=0,netdev=n0",
              "-netdev", f"dgram,id=inj0,local.type=inet,local.host=127.0.0.1,local.port={args.inject_port},"
                         f"remote.type=inet,remote.host=127.0.0.1,remote.port={args.inject_listen}",
              "-netdev", "hubport,id=hp1,hubid=0,netdev=inj0",
              "-netdev", "hubport,id=hp2,hubid=0"]
        nic = "hp2"
    a += ["-device", NET_MODELS[args.net_model] + f",netdev={nic}"]
    if args.net_dump:
        a += ["-object", f"filter-dump,id=dump0,netdev={nic},file={args.net_dump}"]
    return a


def interactive_serial(args):
    """The -serial arguments of an interactive run: mon:stdio keeps Ctrl-A X on whichever port is here."""
    if args.console_log and args.session_socket:
        fail_usage("--console-log and --session-socket exclude each other")
    if args.console_log:
        return ["-chardev", f"file,id=serial0,path={args.console_log}", "-serial", "chardev:serial0",
                "-serial", "mon:stdio", "-monitor", "none"]
    if args.session_socket:
        if os.path.exists(args.session_socket):
            os.remove(args.session_socket)
        return ["-serial", "mon:stdio", "-monitor", "none",
                "-chardev", f"socket,id=serial1,path={args.session_socket},server=on,wait=off",
                "-serial", "chardev:serial1"]
    return ["-serial", "mon:stdio", "-monitor", "none"]


def run_interactive(args, image, vars_copy):
    cmd = qemu_command(args, image, vars_copy, interactive_serial(args))
    print(f"qemu_run: {' '.join(cmd)}", file=sys.stderr)
    for proto, host, port, guest in getattr(args, "hostfwd_resolved", []):
        print(f"qemu_run: network: {proto} {host}:{port} -> guest port {guest}", file=sys.stderr)
    if args.gdb:
        print("qemu_run: waiting for gdb on localhost:1234 (./capos gdb)", file=sys.stderr)
    status = subprocess.call(cmd)
    verdict = STATUS_VERDICT.get(status, f"status {status}")
    print(f"\nqemu_run: QEMU exited ({verdict})", file=sys.stderr)
    return 0 if status in (0, 33) else 1


def stop_qemu(proc):
    """End QEMU: SIGTERM, then SIGKILL if it has not gone within 5 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def wait_qemu(proc, timeout):
    try:
        return proc.wait(timeout=timeout), False
    except subprocess.TimeoutExpired:
        stop_qemu(proc)
        return None, True


def check_log(text, expects, rejects):
    """Return a list of problems: expects must match in order, rejects never."""
    problems = []
    pos = 0
    for pattern in expects:
        m = re.compile(pattern, re.MULTILINE).search(text, pos)
        if not m:
            where = "anywhere" if not re.search(pattern, text, re.MULTILINE) else "after the previous expectation"
            problems.append(f"expected /{pattern}/ {where} in the serial log")
            continue
        pos = m.end()
    for pattern in rejects:
        m = re.search(pattern, text, re.MULTILINE)
        if m:
            problems.append(f"serial log must not match /{pattern}/ but has: {m.group(0)!r}")
    return problems


def judge(args, status, timed_out, text):
    problems = []
    if timed_out:
        problems.append(f"timed out after {args.timeout:.0f} s with no verdict")
    elif status == "stopped":
        pass                  # --net-exec-stops: the command's status is the verdict
    else:
        verdict = STATUS_VERDICT.get(status)
        if verdict is None:
            problems.append(f"QEMU exited with status {status}, which is no capOS verdict")
        elif args.expect_exit != "any" and verdict != args.expect_exit:
            problems.append(f"guest verdict was '{verdict}', expected '{args.expect_exit}'")
    return problems + check_log(text, args.expect, args.reject)


def print_tail(what, text):
    lines = text.splitlines()
    print(f"--- last {min(TAIL_LINES, len(lines))} lines of the {what} ---")
    for line in lines[-TAIL_LINES:]:
        print(line)


def print_failure(name, problems, text, log, session=None):
    print(f"FAIL {name}:")
    for p in problems:
        print(f"  - {p}")
    print_tail("serial log", text)
    print(f"--- full serial log: {log}")
    if session:
        if session.script_failed():
            print_tail("session log (COM2), CR LF shown as lines", session.text.replace("\r\n", "\n"))
        print(f"--- session log (COM2): {session.log}")


def unescape(text):
    """Python-style escapes (\\r, \\x03, ...) to bytes."""
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


class ScriptStep:
    def __init__(self, where, kind, arg, line):
        self.where, self.kind, self.arg, self.line = where, kind, arg, line


def parse_script(path):
    """The steps of a --session-script file; a bad line is a usage error naming FILE:LINE."""
    steps = []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        fail_usage(f"--session-script: {e}")
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        kind, _, arg = line.partition(" ")
        if kind == "expect":
            try:
                arg = re.compile(arg, re.MULTILINE)
            except re.error as e:
                fail_usage(f"{where}: bad regex: {e}")
        elif kind == "type":
            try:
                arg = unescape(arg)
            except UnicodeError as e:
                fail_usage(f"{where}: bad escape: {e}")
            if not arg:
                fail_usage(f"{where}: type needs text")
        elif kind == "sleep-ms":
            if not arg.isdigit():
                fail_usage(f"{where}: sleep-ms needs a number of milliseconds, got '{arg}'")
            arg = int(arg)
        else:
            fail_usage(f"{where}: unknown step '{kind}' (expect, type, sleep-ms, # comment)")
        steps.append(ScriptStep(where, kind, arg, line))
    return steps


class Script:
    """Runs the steps of a --session-script against the session output, without blocking."""

    def __init__(self, steps):
        self.steps = steps
        self.index = 0          # the step under way
        self.pos = 0            # where the next expect searches from
        self.typing = b""       # bytes of the current type step not yet typed
        self.next_at = 0.0      # monotonic time before which nothing more happens
        self.sleeping = False   # the current sleep-ms step has started

    def done(self):
        return self.index == len(self.steps)

    def run(self, text, type_byte, final=False):
        """Advance as far as the output so far and the clock allow (final: QEMU has stopped; only expects)."""
        while not self.done() and (final or time.monotonic() >= self.next_at):
            step = self.steps[self.index]
            if final and step.kind != "expect":
                return
            if step.kind == "expect":
                m = step.arg.search(text, self.pos)
                if not m:
                    return
                self.pos = m.end()
            elif step.kind == "type":
                if not self.typing:
                    self.typing = step.arg
                type_byte(self.typing[:1])
                self.typing = self.typing[1:]
                self.next_at = time.monotonic() + TYPE_PAUSE_MS / 1000
                if self.typing:
                    continue
            elif step.kind == "sleep-ms" and not self.sleeping:
                self.sleeping = True
                self.next_at = time.monotonic() + step.arg / 1000
                continue
            self.sleeping = False
            self.index += 1

    def problem(self, text):
        """What went wrong when the script did not finish (None when it did)."""
        if self.done():
            return None
        step = self.steps[self.index]
        if step.kind == "expect":
            since = text[self.pos:]
            shown = since if len(since) <= 200 else "..." + since[-200:]
            return (f"session script {step.where}: `{step.line}` never matched; the output since the "
                    f"previous expect ({len(since)} bytes) ends {shown!r}")
        return f"session script {step.where}: `{step.line}` was under way when QEMU stopped"


class Session:
    """COM2 as two FIFOs: typed input goes into base.in, output comes from base.out."""

    def __init__(self, args, work, log):
        self.base = os.path.join(work, "com2")
        os.mkfifo(self.base + ".in")
        os.mkfifo(self.base + ".out")
        # O_RDWR: neither open blocks, and QEMU never sees end of file.
        self.in_fd = os.open(self.base + ".in", os.O_RDWR | os.O_NONBLOCK)
        self.out_fd = os.open(self.base + ".out", os.O_RDWR | os.O_NONBLOCK)
        self.log = os.path.abspath(args.session_log or log + ".session")
        self.out = open(self.log, "wb")
        self.text = ""  # everything COM2 has said so far
        self.after = re.compile(args.session_after, re.MULTILINE) if args.session_after else None
        self.pending = b"".join([unescape(t) for t in args.session_type] +
                                [open(f, "rb").read() for f in args.session_input])
        self.script = Script(parse_script(args.session_script)) if args.session_script else None
        self.typed = not self.pending and not (self.after and self.script)

    def qemu_args(self):
        return ["-chardev", f"pipe,id=serial1,path={self.base}", "-serial", "chardev:serial1"]

    def pump(self, console_log, final=False):
        """Keep COM2's output; type the input once the console says so (final: QEMU has stopped)."""
        while True:
            try:
                data = os.read(self.out_fd, 65536)
            except BlockingIOError:
                break
            if not data:
                break
            self.out.write(data)
            self.text += data.decode("latin-1")
        if not self.typed:
            if self.after:
                text = open(console_log, errors="replace").read() if os.path.exists(console_log) else ""
                if not self.after.search(text):
                    return
            os.write(self.in_fd, self.pending)
            self.typed = True
        if self.script and self.typed:
            self.script.run(self.text, lambda b: os.write(self.in_fd, b), final)

    def script_failed(self):
        return bool(self.script and not self.script.done())

    def close(self, console_log):
        self.pump(console_log, final=True)
        self.out.close()
        os.close(self.in_fd)
        os.close(self.out_fd)
        return self.text


def wait_qemu_pumping(proc, timeout, session, log):
    """wait_qemu that keeps the session UART going while QEMU runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session.pump(log)
        try:
            return proc.wait(timeout=0.01), False
        except subprocess.TimeoutExpired:
            continue
    stop_qemu(proc)
    return None, True


class NetExec:
    """The host side of a network test: --net-exec, started once the serial log matches --net-after."""

    def __init__(self, args, log):
        self.args, self.log, self.proc, self.out, self.deadline = args, log, None, None, None
        self.after = re.compile(args.net_after or "", re.MULTILINE)
        self.result = None   # (status, output) once it ended

    def pump(self):
        if self.result is not None:
            return
        if self.proc is None:
            text = open(self.log, errors="replace").read() if os.path.exists(self.log) else ""
            if not self.after.search(text):
                return
            env = dict(os.environ, CAPOS_SERIAL_LOG=self.log)
            fwd = getattr(self.args, "hostfwd_resolved", [])
            if fwd:
                env["CAPOS_HOSTFWD_PORT"] = str(fwd[0][2])
                env["CAPOS_HOSTFWD_MAP"] = ",".join(f"{g}={port}" for _, _, port, g in fwd)
            if getattr(self.args, "inject_port", None):
                env["CAPOS_INJECT_PORT"] = str(self.args.inject_port)
                env["CAPOS_INJECT_LISTEN"] = str(self.args.inject_listen)
            self.out = tempfile.TemporaryFile(mode="w+")
            # its own process group: killing it takes what the shell started along (no orphan keeps load running)
            self.proc = subprocess.Popen(self.args.net_exec, shell=True, env=env, stdin=subprocess.DEVNULL,
                                         stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)
            self.deadline = time.monotonic() + self.args.net_exec_timeout
            return
        status = self.proc.poll()
        if status is None and time.monotonic() > self.deadline:
            self.kill_group()
            status = self.proc.wait()
            self.out.write(f"\n(killed after {self.args.net_exec_timeout:.0f} s)\n")
        if status is not None:
            self.out.seek(0)
            self.result = (status, self.out.read())
            self.out.close()

    def kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def stop(self):
        if self.proc is not None and self.result is None:
            self.kill_group()
            self.proc.wait()
            self.out.seek(0)
            self.result = (-9, self.out.read() + "\n(QEMU ended first)\n")
            self.out.close()

    def problems(self):
        if self.result is None:
            return [f"--net-exec never ran: the serial log did not match {self.args.net_after!r}"]
        status, out = self.result
        print_tail("--net-exec output", out)
        if status == 0:
            return []
        return [f"--net-exec exited with status {status}"]


def wait_qemu_net(proc, timeout, net):
    """wait_qemu that starts and watches --net-exec while QEMU runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        net.pump()
        if net.result is not None and net.args.net_exec_stops:
            time.sleep(0.5)   # the guest's last lines reach the log
            stop_qemu(proc)
            return "stopped", False
        try:
            status = proc.wait(timeout=0.05)
            net.pump()
            net.stop()
            return status, False
        except subprocess.TimeoutExpired:
            continue
    stop_qemu(proc)
    net.stop()
    return None, True


def judge_session(args, session, text):
    problems = []
    if not session.typed:
        problems.append(f"the input for COM2 was never typed: /{args.session_after}/ never matched")
    elif session.script and session.script.problem(text):
        problems.append(session.script.problem(text))
    for p in check_log(text, args.session_expect, args.session_reject):
        problems.append(p.replace("serial log", "session log (COM2)"))
    return problems


def run_test(args, image, vars_copy):
    name = args.name or os.path.basename(args.esp)
    log = os.path.abspath(args.log or os.path.join("qemu-logs", name + ".log"))
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if os.path.exists(log):
        os.remove(log)
    session = Session(args, os.path.dirname(image), log) if session_wanted(args) else None
    cmd = qemu_command(args, image, vars_copy,
                       ["-chardev", f"file,id=serial0,path={log}", "-serial", "chardev:serial0",
                        "-monitor", "none"] + (session.qemu_args() if session else []))
    print(f"qemu_run: {name}: booting ({args.accel}, cpu {args.cpu}, {args.mem} MiB, "
          f"timeout {args.timeout:.0f} s); serial log {log}", flush=True)
    start = time.monotonic()
    with open(os.path.join(os.path.dirname(image), "qemu.stderr"), "w+") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        net = NetExec(args, log) if args.net_exec else None
        if session and net:
            fail_usage("--net-exec and the session options exclude each other")
        if session:
            status, timed_out = wait_qemu_pumping(proc, args.timeout, session, log)
        elif net:
            status, timed_out = wait_qemu_net(proc, args.timeout, net)
        else:
            status, timed_out = wait_qemu(proc, args.timeout)
        err.seek(0)
        qemu_stderr = err.read().strip()
    elapsed = time.monotonic() - start
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    problems = judge(args, status, timed_out, text)
    if session:
        problems += judge_session(args, session, session.close(log))
    if net:
        problems += net.problems()
    if problems and qemu_stderr:
        problems.append(f"QEMU said: {qemu_stderr}")
    if problems:
        print_failure(name, problems, text, log, session)
        return 1
    print(f"PASS {name} ({elapsed:.1f} s)")
    return 0


def main(argv):
    args = parse_args(argv)
    if not os.path.exists(args.esp):
        fail_usage(f"no ESP image at {args.esp} (build first: ./capos build)")
    for f in (OVMF_CODE, OVMF_VARS):
        if not os.path.exists(f):
            fail_usage(f"{f} is missing: install the 'ovmf' package (./capos deps)")
    with tempfile.TemporaryDirectory(prefix="capos-qemu-") as work:
        image = prepare_image(args, work)
        vars_copy = os.path.join(work, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_copy)
        if args.interactive:
            return run_interactive(args, image, vars_copy)
        return run_test(args, image, vars_copy)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

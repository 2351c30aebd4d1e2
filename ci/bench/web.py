"""The web rows of ./capos bench (--web): GET /healthz driven by wrk from
the host through QEMU's user networking, capOS's Web UI beside Linux
serving the same bytes on the same machine and NIC model
(virtio-net-pci, q35's transitional device).

capOS boots the default system (the Web UI owns the NIC and serves port
80).  Linux boots the benchmark initramfs in its `web` mode
(ci/bench/init.sh): Debian's nginx on port 80 (ci/bench/nginx.conf) and
busybox httpd, a process per request, on port 81, both serving
ci/bench/www/healthz.  Once a server answers 200, wrk runs against it
twice — keep-alive, and `Connection: close` (a TCP connection per
request) — with a few connections for a fixed time, and the table gives
requests/s, the median and 99th-percentile latency, and errors (socket
errors and non-2xx answers).  Host wall clock only: under -icount guest
time is decoupled from the host's.
"""

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request

import boot
import net

CONNECTIONS = 4
MODES = [("keep-alive", []), ("close", ["-H", "Connection: close"])]
LINUX_SERVERS = [("nginx", 80), ("busybox httpd", 81)]
CAPOS_SERVERS = [("capOS Web UI", 80)]
STOP = {"capos": boot.CAPOS_STOP, "linux": boot.LINUX_STOP + [r"bench-error side=linux row=web.*"]}


def fwd_args(ports):
    """A NIC whose guest ports are forwarded from free host ports: (args, {guest: host})."""
    mapping = {guest: net.free_port() for guest in ports}
    fwd = ",".join(f"hostfwd=tcp:127.0.0.1:{host}-:{guest}" for guest, host in mapping.items())
    return ["-netdev", f"user,id=n0,{fwd}", "-device", net.NIC], mapping


@contextlib.contextmanager
def prepared(side, machine, paths, log, nic):
    """The QEMU command of side; capOS's image copy lives until the block ends."""
    if side == "linux":
        yield boot.linux_command(machine, False, paths["kernel"], paths["initrd"], ["web"], log) + nic
        return
    argv = ["--esp", paths["esp"], "--cmdline", "", "--accel", machine.accel, "--cpu", machine.cpu,
            "--mem", str(machine.mem), "--smp", str(machine.smp)] + [f"--qemu-arg={a}" for a in nic]
    args = boot.qemu_run.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="capos-bench-web-") as work:
        image = boot.qemu_run.prepare_image(args, work)
        vars_copy = os.path.join(work, "OVMF_VARS.fd")
        shutil.copyfile(boot.qemu_run.OVMF_VARS, vars_copy)
        serial = ["-chardev", f"file,id=serial0,path={log}", "-serial", "chardev:serial0", "-monitor", "none"]
        yield boot.qemu_run.qemu_command(args, image, vars_copy, serial)


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def wait_healthy(proc, log, side, ports, timeout):
    """Until every server answers 200: None, or why it will not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(healthy(p) for p in ports):
            return None
        stop = boot.first_match(STOP[side], boot.read_log(log))
        if stop:
            return f"stopped: {stop}"
        if proc.poll() is not None:
            return f"QEMU exited (status {proc.returncode})"
        time.sleep(0.5)
    return f"GET /healthz not answered 200 within {timeout:.0f} s"


def duration_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        raise ValueError(f"wrk duration {text!r}")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def parse_wrk(out):
    """requests/s, p50 and p99 (ms) and errors from wrk --latency's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (rps and p50 and p99):
        raise ValueError("wrk printed no requests/s or latency distribution")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": float(rps.group(1)), "p50_ms": duration_ms(p50.group(1)),
            "p99_ms": duration_ms(p99.group(1)), "errors": errors + (int(bad.group(1)) if bad else 0)}


def drive(port, seconds, headers):
    cmd = ["wrk", "-t", "1", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency", "--timeout", "5s"] + \
        headers + [f"http://127.0.0.1:{port}/healthz"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    return parse_wrk(out)


def run(side, machine, paths, log, quick):
    """Boot side, drive each of its servers in both modes, stop it: (rows or None, problem or None)."""
    servers = CAPOS_SERVERS if side == "capos" else LINUX_SERVERS
    nic, mapping = fwd_args([guest for _, guest in servers])
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if os.path.exists(log):
        os.remove(log)
    if not shutil.which("wrk"):
        return None, "no wrk on the host (./capos deps installs it)"
    with prepared(side, machine, paths, log, nic) as cmd:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            problem = wait_healthy(proc, log, side, list(mapping.values()), machine.timeout)
            if problem:
                return None, problem
            rows = []
            for name, guest in servers:
                for mode, headers in MODES:
                    try:
                        r = drive(mapping[guest], 3 if quick else 10, headers)
                    except (ValueError, OSError, subprocess.SubprocessError) as e:
                        return None, f"{name} {mode}: {e}"
                    rows.append(dict(server=name, side=side, mode=mode, connections=CONNECTIONS, **r))
            return rows, None
        finally:
            if proc.poll() is None:
                boot.qemu_run.stop_qemu(proc)


def format_table(rows, seconds):
    head = (f"Web: wrk against GET /healthz, {CONNECTIONS} connections, {seconds} s each "
            f"(host wall clock through QEMU's forwarded port)")
    cols = [("server", 16), ("connection", 11), ("requests/s", 11), ("p50 ms", 8), ("p99 ms", 8), ("errors", 7)]
    lines = [head, "  ".join(n.ljust(w) if i < 2 else n.rjust(w) for i, (n, w) in enumerate(cols))]
    order = [mode for mode, _ in MODES]
    for r in sorted(rows, key=lambda r: (order.index(r["mode"]), r["side"] != "capos")):
        cells = [r["server"], r["mode"], f"{r['rps']:.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}",
                 str(r["errors"])]
        lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, (_, w)) in enumerate(zip(cells, cols))))
    return "\n".join(lines)

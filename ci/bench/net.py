"""The network rows of ./capos bench (--net): TCP measured from the host
through QEMU's user networking, capOS beside Linux on the same machine with
the same NIC model (virtio-net-pci, q35's transitional device).

capOS boots netcheck as init (virtio-net driver + lwIP, a TCP echo server
on port 7); Linux boots the benchmark initramfs with virtio-net's modules
and busybox's nc as the echo server (ci/bench/init.sh, `net`).  Once the
guest says it listens, the host measures, through a forwarded port:

  tcp_connect_rr64   connect, 64 bytes there and back, close (unit: one
                     such round trip, ns)
  tcp_echo_64k       on one connection, 64 KiB sent and echoed back (unit:
                     64 KiB each way, ns; MB/s = 65536 / ns * 1000)

Host-measured wall time only: the rows join the wall clock's table (under
-icount guest time is decoupled from the host's, so there are none).
"""

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

import boot

READY = {"capos": r"netcheck: listening on tcp", "linux": r"bench-net-ready side=linux"}
STOP = {"capos": boot.CAPOS_STOP + [r"netcheck: \w+: FAILED.*"], "linux": boot.LINUX_STOP}
NIC = "virtio-net-pci,netdev=n0"
CHUNK = 64 * 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def net_args(port):
    return ["-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:7", "-device", NIC]


def row(samples, unit):
    s = sorted(samples)
    return {"unit": unit, "iters": float(len(s)), "tsc_median": None, "tsc_min": None, "tsc_max": None,
            "ns_median": float(statistics.median(s)), "ns_min": float(s[0]), "ns_max": float(s[-1])}


def recv_exactly(sock, n):
    got = bytearray()
    while len(got) < n:
        chunk = sock.recv(min(n - len(got), 65536))
        if not chunk:
            raise OSError("connection closed early")
        got += chunk
    return bytes(got)


def measure(port, quick):
    """The two rows, measured against the echo server behind port."""
    payload = bytes(range(64))
    samples = []
    for _ in range(20 if quick else 300):
        t0 = time.perf_counter_ns()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(payload)
            if recv_exactly(s, 64) != payload:
                raise OSError("echo changed the bytes")
        samples.append(time.perf_counter_ns() - t0)
    rows = {"tcp_connect_rr64": row(samples, "roundtrip")}
    block = os.urandom(CHUNK)
    samples = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(8 if quick else 64):
            t0 = time.perf_counter_ns()
            s.sendall(block)
            if recv_exactly(s, CHUNK) != block:
                raise OSError("echo changed the bytes")
            samples.append(time.perf_counter_ns() - t0)
    rows["tcp_echo_64k"] = row(samples, "64KiB")
    return rows


def wait_ready(proc, log, side, timeout):
    """Until the guest listens: None, or why it will not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = boot.read_log(log)
        if re.search(READY[side], text):
            return None
        stop = boot.first_match(STOP[side], text)
        if stop:
            return f"stopped: {stop}"
        if proc.poll() is not None:
            return f"QEMU exited (status {proc.returncode})"
        time.sleep(0.25)
    return f"not listening within {timeout:.0f} s"


@contextlib.contextmanager
def prepared(side, machine, paths, log, port):
    """The QEMU command of side with a NIC; capOS's image copy lives until the block ends."""
    if side == "linux":
        yield boot.linux_command(machine, False, paths["kernel"], paths["initrd"], ["net"], log) + \
            net_args(port)
        return
    argv = ["--esp", paths["esp"], "--cmdline", "init=netcheck exit=debug", "--accel", machine.accel,
            "--cpu", machine.cpu, "--mem", str(machine.mem), "--smp", str(machine.smp)] + \
        [f"--qemu-arg={a}" for a in boot.DEVICES + net_args(port)]
    args = boot.qemu_run.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="capos-bench-net-") as work:
        image = boot.qemu_run.prepare_image(args, work)
        vars_copy = os.path.join(work, "OVMF_VARS.fd")
        shutil.copyfile(boot.qemu_run.OVMF_VARS, vars_copy)
        serial = ["-chardev", f"file,id=serial0,path={log}", "-serial", "chardev:serial0",
                  "-monitor", "none"]
        yield boot.qemu_run.qemu_command(args, image, vars_copy, serial)


def run(side, machine, paths, log, quick):
    """Boot side with a NIC, measure, stop it: (rows or None, problem or None)."""
    port = free_port()
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if os.path.exists(log):
        os.remove(log)
    with prepared(side, machine, paths, log, port) as cmd:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            problem = wait_ready(proc, log, side, machine.timeout)
            if problem:
                return None, problem
            try:
                return measure(port, quick), None
            except OSError as e:
                return None, f"measuring: {e}"
        finally:
            if proc.poll() is None:
                boot.qemu_run.stop_qemu(proc)

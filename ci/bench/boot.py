"""Boot one side of the benchmark in QEMU and collect its serial log.

Both sides run on the same machine shape (Machine: accelerator, CPU model,
memory, CPUs) and, for the deterministic clock, the same `-icount` setting.
Linux boots Debian's kernel directly (-kernel/-initrd, no firmware) with
the benchmark initramfs; capOS boots its ESP image through OVMF, prepared
by ci/qemu_run.py's own functions (a private copy with the command line
written into it).  A run ends when QEMU exits (the guest powers off or
gives its verdict), when the log shows the guest cannot go on (no `bench`
program, a panic), or at the timeout.
"""

import dataclasses
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import qemu_run  # noqa: E402  (ci/qemu_run.py)

# Guest time advances one ns per guest instruction; idle time is skipped,
# never slept, so a run's TSC deltas are the same on every host.
ICOUNT = "shift=0,align=off,sleep=off"

# Devices on both sides' machine: QEMU's edu, whose interrupt the capOS
# row irq_wakeup measures.  Linux has no driver for it; it is there so both
# guests run on the same machine.
DEVICES = ["-device", "edu"]

# Serial-log lines after which a guest cannot produce results any more.
LINUX_STOP = [r"Kernel panic - not syncing.*"]
CAPOS_STOP = [r"userboot: no program '\S+' in the boot package", r"no init to run",
              r"KERNEL PANIC.*"]


@dataclasses.dataclass
class Machine:
    accel: str
    cpu: str
    mem: str
    smp: str
    timeout: float


@dataclasses.dataclass
class Boot:
    """What one QEMU run left behind."""
    log: str
    text: str
    status: int | None          # QEMU's exit status; None if it was stopped
    elapsed: float
    stopped_by: str | None      # the log line that ended the run early
    timed_out: bool
    qemu_stderr: str


def newest_kernel(pattern="/boot/vmlinuz-*"):
    """The Debian kernel with the highest version, or None."""
    def version_key(path):
        return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", path)]
    kernels = sorted(glob.glob(pattern), key=version_key)
    return kernels[-1] if kernels else None


def machine_args(machine, icount):
    args = ["-accel", machine.accel, "-M", "q35", "-cpu", machine.cpu, "-m", str(machine.mem),
            "-smp", str(machine.smp)] + DEVICES
    return args + (["-icount", ICOUNT] if icount else [])


def linux_command(machine, icount, kernel, initrd, init_args, log):
    append = "console=ttyS0 quiet loglevel=1 panic=-1 -- " + " ".join(init_args)
    return (["qemu-system-x86_64"] + machine_args(machine, icount) +
            ["-display", "none", "-no-reboot", "-kernel", kernel, "-initrd", initrd,
             "-append", append.strip(), "-chardev", f"file,id=serial0,path={log}",
             "-serial", "chardev:serial0", "-monitor", "none"])


def boot_linux(machine, icount, kernel, initrd, init_args, log):
    return run_qemu(linux_command(machine, icount, kernel, initrd, init_args, log),
                    log, machine.timeout, LINUX_STOP)


def boot_capos(machine, icount, esp, cmdline, log):
    argv = ["--esp", esp, "--cmdline", cmdline, "--accel", machine.accel, "--cpu", machine.cpu,
            "--mem", str(machine.mem), "--smp", str(machine.smp)] + [f"--qemu-arg={a}" for a in DEVICES]
    if icount:
        argv += ["--qemu-arg=-icount", f"--qemu-arg={ICOUNT}"]
    args = qemu_run.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="capos-bench-") as work:
        image = qemu_run.prepare_image(args, work)
        vars_copy = os.path.join(work, "OVMF_VARS.fd")
        shutil.copyfile(qemu_run.OVMF_VARS, vars_copy)
        serial = ["-chardev", f"file,id=serial0,path={log}", "-serial", "chardev:serial0",
                  "-monitor", "none"]
        return run_qemu(qemu_run.qemu_command(args, image, vars_copy, serial),
                        log, machine.timeout, CAPOS_STOP)


def read_log(log):
    try:
        with open(log, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def first_match(patterns, text):
    for pattern in patterns:
        m = re.search(pattern, text, re.MULTILINE)
        if m:
            return m.group(0)
    return None


def run_qemu(cmd, log, timeout, stop_patterns):
    """Run QEMU until it exits, a stop pattern shows up in log, or timeout."""
    os.makedirs(os.path.dirname(log), exist_ok=True)
    if os.path.exists(log):
        os.remove(log)
    start = time.monotonic()
    stopped_by, timed_out = None, False
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        while proc.poll() is None:
            time.sleep(0.25)
            stopped_by = first_match(stop_patterns, read_log(log))
            timed_out = time.monotonic() - start > timeout
            if stopped_by or timed_out:
                qemu_run.stop_qemu(proc)
                break
        err.seek(0)
        qemu_stderr = err.read().strip()
    status = None if stopped_by or timed_out else proc.returncode
    return Boot(log, read_log(log), status, time.monotonic() - start, stopped_by, timed_out,
                qemu_stderr)

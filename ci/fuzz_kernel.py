#!/usr/bin/env python3
"""Long runs of the guest system-call fuzzer (tests/user/kfuzz.h): ./capos fuzz-kernel.

Boots the ESP image again and again with init=kfuzz, a fresh seed each time
(the first is --seed, then seed+1, ...), under leakcheck, for --minutes.  A
run passes when the kernel's verdict is pass (kfuzz's own checks and the
leakcheck census) and the log shows neither a kernel panic nor a kernel
exception.  After each run one progress line: seeds done, fuzz operations,
failures, and for a failure its seed and the path of its kept serial log
(passing logs are deleted).  build/fuzz-kernel/summary.json keeps the
totals, including the CPU time QEMU used.  Exit status 1 when any run
failed.  Replay a failure with --seed S --runs 1 (same --ms and --procs).
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time

OPS = re.compile(r"kfuzz: pid \d+ depth \d+ ops (\d+)")
BAD = re.compile(r"KERNEL PANIC|EXCEPTION:|LEAK|kfuzz: FAILED"
                 # kfuzz never unmaps its own program: a fetch fault inside it means the kernel took it away
                 r"|\(kfuzz\): page fault at rip (0x4[0-9a-f]{5}), address \1 \(not present, read, instruction fetch\)")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True, help="the build directory")
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--seed", type=int, default=None, help="first seed (default: from the clock)")
    p.add_argument("--runs", type=int, default=0, help="stop after this many runs (0: only --minutes)")
    p.add_argument("--ms", type=int, default=20000, help="fuzzing time per boot (ms of guest time)")
    p.add_argument("--procs", type=int, default=3, help="fuzzing processes started by the top")
    p.add_argument("--depth", type=int, default=2, help="levels of fuzzing children")
    p.add_argument("--timeout", type=float, default=180, help="seconds of host time per boot")
    return p.parse_args(argv)


def one_run(a, seed, logdir):
    log = os.path.join(logdir, f"seed-{seed}.log")
    esp = os.path.join(a.build, "exo", "boot", "capos-esp.img")
    cmdline = (f"init=kfuzz init.args=seed={seed},ms={a.ms},procs={a.procs},depth={a.depth} "
               "leakcheck exit=debug")
    runner = os.path.join(os.path.dirname(os.path.abspath(__file__)), "qemu_run.py")
    r = subprocess.run([sys.executable, runner, "--esp", esp, "--name", f"kfuzz-{seed}", "--log", log,
                        "--cmdline", cmdline, "--timeout", str(a.timeout), "--expect-exit", "pass",
                        "--expect", f"kfuzz: seed {seed}: done",
                        "--expect", "leakcheck: every frame and heap object is back",
                        "--reject", "KERNEL PANIC", "--reject", "EXCEPTION:", "--reject", BAD.pattern],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    ops = sum(int(m) for m in OPS.findall(text))
    procs = len(OPS.findall(text))
    bad = BAD.search(text)
    ok = r.returncode == 0 and not bad
    reasons = [l.strip()[2:] for l in r.stdout.splitlines() if l.startswith("  - ")]  # qemu_run's FAIL list
    why = "" if ok else (bad.group(0) if bad else "; ".join(reasons) or "the run failed")
    if ok:
        os.unlink(log)
    return ok, ops, procs, log, why


def main(argv):
    a = parse_args(argv)
    logdir = os.path.join(a.build, "fuzz-kernel")
    os.makedirs(logdir, exist_ok=True)
    seed = a.seed if a.seed is not None else int(time.time()) % 1000000007
    start = time.monotonic()
    total = {"seeds": 0, "operations": 0, "processes": 0, "failures": [], "first_seed": seed}
    while True:
        if a.runs and total["seeds"] >= a.runs:
            break
        if not a.runs and time.monotonic() - start >= a.minutes * 60:
            break
        ok, ops, procs, log, why = one_run(a, seed, logdir)
        total["seeds"] += 1
        total["operations"] += ops
        total["processes"] += procs
        if not ok:
            total["failures"].append({"seed": seed, "log": log, "why": why})
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        total["cpu_seconds"] = round(cpu.ru_utime + cpu.ru_stime, 1)
        total["wall_seconds"] = round(time.monotonic() - start, 1)
        print(f"fuzz-kernel: seeds {total['seeds']}, operations {total['operations']}, "
              f"failures {len(total['failures'])}, {total['wall_seconds']:.0f} s"
              + ("" if ok else f"  FAILED seed {seed}: {why} (log {log})"), flush=True)
        with open(os.path.join(logdir, "summary.json"), "w") as f:
            json.dump(total, f, indent=1)
        seed += 1
    print(f"fuzz-kernel: done: {total['seeds']} seeds, {total['operations']} operations by "
          f"{total['processes']} fuzzing processes, {len(total['failures'])} failures, "
          f"{total.get('cpu_seconds', 0)} s of QEMU CPU time")
    for f in total["failures"]:
        print(f"fuzz-kernel: failure: seed {f['seed']}: {f['why']}: {f['log']}")
    return 1 if total["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

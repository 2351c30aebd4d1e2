#!/usr/bin/env python3
"""Build newlib 3.3.0 for capOS: configure + make + install, once per build dir.

Called by the overlay's meson.build as one custom target.  Steps:
  1. configure newlib/ (out of tree, in WORK/build) for --host=x86_64-elf with
     the host gcc made freestanding; skipped when WORK/build was configured
     with exactly the same command before (WORK/configure.args);
  2. make -jJOBS (incremental: a rerun only re-checks);
  3. make install into WORK/stage, append the capOS block (capos-config.h) to
     the installed newlib.h, then copy into SYSROOT only the headers whose
     bytes changed, so a rebuild does not touch the header mtimes programs
     depend on;
  4. copy libc.a and libm.a to OUTDIR (the custom target's outputs) and
     write the stamp header.
All output goes to WORK/newlib-build.log; on failure its tail is printed.
"""

import argparse
import filecmp
import os
import shlex
import shutil
import subprocess
import sys
import time

CONFIGURE_OPTIONS = [
    "--host=x86_64-elf",
    "--build=x86_64-pc-linux-gnu",
    "--disable-multilib",
    "--disable-newlib-supplied-syscalls",
    "--enable-newlib-reent-small",
    "--enable-newlib-retargetable-locking",
    "--enable-newlib-global-stdio-streams",
    "--enable-lite-exit",
    "--enable-newlib-io-c99-formats",
    "--enable-newlib-io-long-long",
    "--enable-newlib-io-long-double",
]

# Freestanding host gcc: no glibc headers, gcc's own (stddef.h, stdarg.h, ...)
# after newlib's; no Linux predefines; static non-PIC code like the programs.
CC_FLAGS = ["-nostdinc", "-ffreestanding", "-fno-stack-protector", "-fno-pic", "-fno-pie",
            "-U__linux__", "-U__gnu_linux__"]

# -O2 whatever the meson build type: the C library is always optimised.
# Frame pointers stay so the kernel's user backtraces walk through libc.
# __DYNAMIC_REENT__: _REENT is __getreent() (per-thread state, libos/libc/reent.c);
# REENTRANT_SYSCALLS_PROVIDED (with the target's MISSING_SYSCALL_NAMES): no
# _xxx_r wrapper layer, the OS hooks are the plain names (write, sbrk, ...);
# GETREENT_PROVIDED: the libOS defines __getreent; read and write return
# ssize_t as POSIX says (newlib's default for this target is int).  The
# installed newlib.h repeats what programs must agree on (capos-config.h).
CFLAGS = ["-O2", "-g", "-fno-omit-frame-pointer", "-fno-asynchronous-unwind-tables",
          "-D__DYNAMIC_REENT__", "-DREENTRANT_SYSCALLS_PROVIDED", "-DGETREENT_PROVIDED",
          "-D_READ_WRITE_RETURN_TYPE=_ssize_t"]

TARGET = "x86_64-elf"


def log_tail(path, lines=60):
    try:
        with open(path, errors="replace") as f:
            tail = f.readlines()[-lines:]
    except OSError:
        tail = []
    sys.stderr.write("".join(tail))


def run(cmd, cwd, log, env):
    log.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
    log.flush()
    r = subprocess.run(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed with status %d" % (cmd[0], r.returncode))


def sync_tree(src, dst):
    """Copy src over dst, rewriting only files whose bytes differ."""
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        out = os.path.join(dst, rel)
        os.makedirs(out, exist_ok=True)
        for name in files:
            s, d = os.path.join(root, name), os.path.join(out, name)
            if not os.path.exists(d) or not filecmp.cmp(s, d, shallow=False):
                shutil.copyfile(s, d)


def copy_always(src, dst):
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--src", required=True, help="the newlib-3.3.0 source tree")
    p.add_argument("--work", required=True, help="build and staging directory")
    p.add_argument("--sysroot", required=True, help="install here: SYSROOT/x86_64-elf/{include,lib}")
    p.add_argument("--config", required=True, help="capos-config.h, appended to newlib.h")
    p.add_argument("--cc", required=True, help="the host gcc")
    p.add_argument("--gcc-include", required=True, help="gcc -print-file-name=include")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--outdir", required=True)
    p.add_argument("--stamp", required=True, help="stamp header to write (a custom target output)")
    a = p.parse_args()

    work = os.path.abspath(a.work)
    build = os.path.join(work, "build")
    stage = os.path.join(work, "stage")
    logpath = os.path.join(work, "newlib-build.log")
    os.makedirs(work, exist_ok=True)

    cc = " ".join([a.cc] + CC_FLAGS + ["-idirafter", a.gcc_include])
    configure = [os.path.join(os.path.abspath(a.src), "newlib", "configure")] + CONFIGURE_OPTIONS + [
        "--prefix=" + stage, "CC=" + cc, "CFLAGS=" + " ".join(CFLAGS), "AR=ar", "RANLIB=ranlib"]
    signature = "\n".join(configure) + "\n"
    sigpath = os.path.join(work, "configure.args")

    env = {k: v for k, v in os.environ.items()
           if k not in ("CFLAGS", "CPPFLAGS", "LDFLAGS", "CC", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["LC_ALL"] = "C"

    t0 = time.monotonic()
    with open(logpath, "w") as log:
        try:
            old = open(sigpath).read() if os.path.exists(sigpath) else None
            if old != signature or not os.path.exists(os.path.join(build, "config.status")):
                shutil.rmtree(build, ignore_errors=True)
                os.makedirs(build)
                if os.path.exists(sigpath):
                    os.remove(sigpath)
                run(configure, build, log, env)
                with open(sigpath, "w") as f:
                    f.write(signature)
            run(["make", "-j%d" % a.jobs], build, log, env)
            shutil.rmtree(stage, ignore_errors=True)
            run(["make", "install"], build, log, env)
        except RuntimeError as e:
            log.flush()
            log_tail(logpath)
            sys.stderr.write("newlib: %s; full log: %s\n" % (e, logpath))
            return 1

    staged_inc = os.path.join(stage, TARGET, "include")
    staged_lib = os.path.join(stage, TARGET, "lib")
    with open(a.config) as f:
        extra = f.read()
    with open(os.path.join(staged_inc, "newlib.h"), "a") as f:
        f.write("\n" + extra)
    sync_tree(staged_inc, os.path.join(a.sysroot, TARGET, "include"))
    sync_tree(staged_lib, os.path.join(a.sysroot, TARGET, "lib"))
    for lib in ("libc.a", "libm.a"):
        copy_always(os.path.join(staged_lib, lib), os.path.join(a.outdir, lib))
    with open(a.stamp, "w") as f:
        f.write("/* newlib 3.3.0 for capOS: headers in %s */\n" % os.path.join(a.sysroot, TARGET, "include"))
    sys.stdout.write("newlib: built in %.0f s (log %s)\n" % (time.monotonic() - t0, logpath))
    return 0


if __name__ == "__main__":
    sys.exit(main())

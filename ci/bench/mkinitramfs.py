#!/usr/bin/env python3
"""Write the Linux benchmark guest's initramfs: an uncompressed newc cpio.

Contents: /init (ci/bench/init.sh), /bin/busybox (it must be static: the
busybox-static package), /capos-linux-bench (the static benchmark program,
bench/linux/), the programs its spawn rows start (static too, at / under
their own names), empty /proc /sys /dev, and /dev/console, which the kernel
opens for init before devtmpfs is mounted.  No kernel modules: everything
the benchmark uses is built into Debian's kernel.
"""

import argparse
import os
import stat
import sys

NEWC_MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def is_static_elf(path):
    """True if path is an ELF without a PT_INTERP program header."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    phoff = int.from_bytes(data[32:40], "little")
    phentsize = int.from_bytes(data[54:56], "little")
    phnum = int.from_bytes(data[56:58], "little")
    for i in range(phnum):
        p_type = int.from_bytes(data[phoff + i * phentsize:phoff + i * phentsize + 4], "little")
        if p_type == 3:   # PT_INTERP
            return False
    return True


class Newc:
    """A newc ("070701") archive being written: entries, then the trailer."""

    def __init__(self, out):
        self.out = out
        self.ino = 1

    def _pad(self, length):
        self.out.write(b"\0" * (-length % 4))

    def entry(self, name, mode, data=b"", rdev=(0, 0)):
        fields = [self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1],
                  len(name) + 1, 0]
        header = NEWC_MAGIC + b"".join(b"%08X" % v for v in fields)
        self.out.write(header + name.encode() + b"\0")
        self._pad(len(header) + len(name) + 1)
        self.out.write(data)
        self._pad(len(data))
        self.ino += 1

    def directory(self, name):
        self.entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, executable=True):
        self.entry(name, stat.S_IFREG | (0o755 if executable else 0o644), data)

    def chardev(self, name, major, minor):
        self.entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self):
        self.entry(TRAILER, 0)


def write_initramfs(path, init, busybox, bench, modules=(), children=()):
    with open(path, "wb") as out:
        cpio = Newc(out)
        for d in ("bin", "dev", "proc", "sys", "tmp", "modules"):
            cpio.directory(d)
        # the network rows' kernel modules, loaded by /init in this order
        for i, module in enumerate(modules):
            cpio.file(f"modules/{i:02d}-{os.path.basename(module)}", open(module, "rb").read(), False)
        cpio.chardev("dev/console", 5, 1)
        cpio.file("init", open(init, "rb").read())
        cpio.file("bin/busybox", open(busybox, "rb").read())
        cpio.entry("bin/sh", stat.S_IFLNK | 0o777, b"busybox")
        cpio.file("capos-linux-bench", open(bench, "rb").read())
        for child in children:
            cpio.file(os.path.basename(child), open(child, "rb").read())
        cpio.finish()


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--init", required=True, help="the /init script")
    p.add_argument("--busybox", required=True, help="a statically linked busybox")
    p.add_argument("--bench", required=True, help="the static capos-linux-bench")
    p.add_argument("--child", action="append", default=[],
                   help="a static program the benchmark starts (the spawn rows), put at /NAME")
    p.add_argument("--module", action="append", default=[],
                   help="a kernel module for the network rows (loaded in the order given)")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args(argv)
    programs = [("busybox", args.busybox), ("capos-linux-bench", args.bench)]
    programs += [(os.path.basename(c), c) for c in args.child]
    for what, path in programs:
        if not is_static_elf(path):
            print(f"mkinitramfs: {path} is not a static ELF program; {what} must be "
                  f"(busybox: install busybox-static, ./capos deps)", file=sys.stderr)
            return 1
    write_initramfs(args.output, args.init, args.busybox, args.bench, args.module, args.child)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Write the Linux benchmark guest's initramfs: an uncompressed newc cpio.

Contents: /init (ci/bench/init.sh), /bin/busybox (it must be static: the
busybox-static package), /capos-linux-bench (the static benchmark program,
bench/linux/), the programs its spawn rows start (static too, at / under
their own names), empty /proc /sys /dev, and /dev/console, which the kernel
opens for init before devtmpfs is mounted.  For the network and web rows:
virtio-net's kernel modules (/modules, in load order), Debian's nginx with
the shared libraries it loads at their own paths, and its configuration and
files (--file).
"""

import argparse
import os
import stat
import subprocess
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


def shared_libraries(program):
    """The files a dynamically linked program loads (ldd), its loader included, by absolute path."""
    out = subprocess.run(["ldd", program], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        words = line.split()
        if "=>" in words and len(words) > words.index("=>") + 1 and words[words.index("=>") + 1].startswith("/"):
            paths.append(words[words.index("=>") + 1])
        elif words and words[0].startswith("/"):
            paths.append(words[0])
    return paths


def parents(path):
    """Every directory above path (relative, outermost first)."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:i + 1]) for i in range(len(parts))]


def write_initramfs(path, init, busybox, bench, modules=(), children=(), programs=(), files=()):
    """programs: dynamically linked programs copied with their libraries at their own paths;
    files: (path in the image, host file) pairs, e.g. a server's configuration."""
    extra = [(p.lstrip("/"), p, True) for prog in programs for p in [prog] + shared_libraries(prog)]
    extra += [(dest.lstrip("/"), src, False) for dest, src in files]
    with open(path, "wb") as out:
        cpio = Newc(out)
        dirs = ["bin", "dev", "proc", "sys", "tmp", "modules"]
        for dest, _, _ in extra:
            dirs += [d for d in parents(dest) if d not in dirs]
        for d in dirs:
            cpio.directory(d)
        for dest, src, executable in dict((e[0], e) for e in extra).values():
            cpio.file(dest, open(os.path.realpath(src), "rb").read(), executable)
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
    p.add_argument("--program", action="append", default=[],
                   help="a dynamically linked program (the web rows' nginx), with its libraries")
    p.add_argument("--file", action="append", default=[], metavar="DEST=SRC",
                   help="a plain file at DEST in the image")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args(argv)
    programs = [("busybox", args.busybox), ("capos-linux-bench", args.bench)]
    programs += [(os.path.basename(c), c) for c in args.child]
    for what, path in programs:
        if not is_static_elf(path):
            print(f"mkinitramfs: {path} is not a static ELF program; {what} must be "
                  f"(busybox: install busybox-static, ./capos deps)", file=sys.stderr)
            return 1
    files = [tuple(f.split("=", 1)) for f in args.file]
    write_initramfs(args.output, args.init, args.busybox, args.bench, args.module, args.child,
                    args.program, files)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Build the capOS EFI system partition image (a bare FAT file system).

Layout:  \\EFI\\BOOT\\BOOTX64.EFI   the loader (the firmware's default path)
         \\capos\\kernel.elf        the kernel
         \\capos\\boot.pkg          the boot package
         \\capos\\cmdline.txt       optional kernel command line
The image is 64 MiB FAT32 (mformat -F), written through mtools so no
mounting or root rights are needed.  A partial image is removed on failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

IMAGE_MIB = 64


def run(*cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), result.stderr.strip()))


def check_inputs(args):
    for label, path in (("loader", args.loader), ("kernel", args.kernel),
                        ("boot package", args.bootpkg)):
        if not os.path.isfile(path):
            raise RuntimeError("%s file not found: %s" % (label, path))
    if args.cmdline is not None and not all(0x20 <= ord(c) < 0x7f for c in args.cmdline):
        raise RuntimeError("--cmdline must be printable ASCII")


def make_image(args):
    with open(args.out, "wb") as f:
        f.truncate(IMAGE_MIB << 20)
    img = "-i" + args.out
    run("mformat", img, "-F", "-v", "CAPOS", "::")
    run("mmd", img, "::/EFI", "::/EFI/BOOT", "::/capos")
    run("mcopy", img, args.loader, "::/EFI/BOOT/BOOTX64.EFI")
    run("mcopy", img, args.kernel, "::/capos/kernel.elf")
    run("mcopy", img, args.bootpkg, "::/capos/boot.pkg")
    if args.cmdline is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as t:
            t.write(args.cmdline + "\n")
        try:
            run("mcopy", img, t.name, "::/capos/cmdline.txt")
        finally:
            os.unlink(t.name)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="image file to write")
    p.add_argument("--loader", required=True, help="BOOTX64.EFI")
    p.add_argument("--kernel", required=True, help="kernel ELF")
    p.add_argument("--bootpkg", required=True, help="boot package")
    p.add_argument("--cmdline", help="kernel command line text")
    args = p.parse_args()
    os.environ.setdefault("MTOOLS_SKIP_CHECK", "1")
    try:
        check_inputs(args)
        make_image(args)
    except (RuntimeError, OSError) as e:
        if os.path.exists(args.out):
            os.unlink(args.out)
        print("mkesp: " + str(e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

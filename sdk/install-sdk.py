#!/usr/bin/env python3
"""Install the capOS SDK from a build directory into a prefix.

usage: sdk/install-sdk.py BUILD_DIR PREFIX      (./capos sdk PREFIX runs it)

BUILD_DIR must be compiled (./capos build).  The SDK is relocatable: no
file refers to BUILD_DIR or the source tree; capos.pc uses ${pcfiledir} and
the tools find the SDK from their own location.  The meson cross files name
PREFIX in one line (meson 1.0 has no @DIRNAME@): after moving or copying the
SDK run PREFIX/bin/capos-sdk-relocate, which rewrites that line.

Layout under PREFIX
  bin/capos-image, bin/capos-run       make a bootable ESP image, boot it
  bin/capos-sdk-relocate               fix the cross files after a move
  bin/mkbootpkg, bin/capos-manifest    host tools (boot package, manifests)
  lib/pkgconfig/capos.pc               pkg-config: Cflags / Libs
  x86_64-capos/include/                newlib's headers + capos/ (libOS, ABI,
                                       generated iface.h, iface_client.h)
  x86_64-capos/gcc-include/            gcc's freestanding headers (stddef.h,
                                       stdarg.h, intrinsics) of the gcc used
  x86_64-capos/lib/                    libcapos_rt.a libc.a libm.a libgcc.a
                                       capos-app.ld
  share/capos/x86_64-capos.ini         meson cross file: plain executable()
  share/capos/x86_64-capos-pkgconfig.ini   meson cross file: dependency('capos')
  share/capos/boot/                    kernel.elf BOOTX64.EFI, in-tree boot
                                       programs (init.elf ...), capos-version.txt
  share/capos/tools/                   mkesp.py qemu_run.py
  share/capos/sdk.txt                  version, gcc version, what is where
"""
import glob
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
TRIPLE = "x86_64-capos"

# The flavour's flags (libos/meson.build's capos_user_c_args and
# capos_user_link_args), with every path relative to the SDK.  Keep in step
# with libos/meson.build and subprojects/packagefiles/newlib/meson.build.
# The user flavour's path-free flags, as libos/meson.build defines them
# (written to BUILD/libos/user-flavour.json): one definition for both.
C_FLAGS = []
LINK_FLAGS = []


def load_flavour(build):
    path = need(os.path.join(build, "libos", "user-flavour.json"), "user flavour flags")
    with open(path) as f:
        flavour = json.load(f)
    C_FLAGS[:] = flavour["c_args"]
    LINK_FLAGS[:] = flavour["link_args"]


def die(msg):
    print("install-sdk: error: " + msg, file=sys.stderr)
    sys.exit(1)


def say(msg):
    print("install-sdk: " + msg)


def need(path, what):
    if not os.path.exists(path):
        die("%s not found: %s (is the build directory compiled? ./capos build)" % (what, path))
    return path


def copy(src, dst_dir, name=None, mode=None):
    os.makedirs(dst_dir, exist_ok=True)
    dst = os.path.join(dst_dir, name or os.path.basename(src))
    shutil.copyfile(src, dst)
    if mode is not None:
        os.chmod(dst, mode)
    elif os.access(src, os.X_OK):
        os.chmod(dst, 0o755)
    else:
        os.chmod(dst, 0o644)
    return dst


def copy_tree(src, dst):
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        for f in files:
            copy(os.path.join(root, f), os.path.normpath(os.path.join(dst, rel)), mode=0o644)


def copy_archive(src, dst_dir):
    """Copy a static library; a thin archive (meson's default, members left
    in the build directory) becomes an ordinary one holding the objects."""
    with open(src, "rb") as f:
        magic = f.read(8)
    if magic != b"!<thin>\n":
        return copy(src, dst_dir, mode=0o644)
    members = subprocess.run(["ar", "t", src], check=True, capture_output=True,
                             text=True).stdout.split()
    base = os.path.dirname(src)
    members = [m if os.path.isabs(m) else os.path.join(base, m) for m in members]
    names = [os.path.basename(m) for m in members]
    if len(set(names)) != len(names):
        die("%s: two members share a name" % src)
    os.makedirs(dst_dir, exist_ok=True)
    dst = os.path.join(dst_dir, os.path.basename(src))
    if os.path.exists(dst):
        os.unlink(dst)
    subprocess.run(["ar", "rcsD", dst] + members, check=True)
    os.chmod(dst, 0o644)
    return dst


def write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def project_version(build):
    # meson-info/intro-projectinfo.json carries the version.
    with open(need(os.path.join(build, "meson-info", "intro-projectinfo.json"), "meson introspection")) as f:
        return json.load(f)["version"]


def gcc_query(*args):
    return subprocess.run(["gcc"] + list(args), check=True, capture_output=True, text=True).stdout.strip()


def compile_flags(sdk):
    """The compile flags, with sdk standing for the SDK root."""
    inc = sdk + "/" + TRIPLE + "/include"
    gccinc = sdk + "/" + TRIPLE + "/gcc-include"
    return ["-nostdinc", "-isystem", inc, "-idirafter", gccinc] + C_FLAGS


def link_flags(sdk):
    lib = sdk + "/" + TRIPLE + "/lib"
    return LINK_FLAGS + ["-Wl,-T," + lib + "/capos-app.ld", "-L" + lib,
                         "-Wl,--start-group", lib + "/libcapos_rt.a", lib + "/libc.a",
                         lib + "/libm.a", lib + "/libgcc.a", "-Wl,--end-group"]


def meson_list(items):
    return "[" + ", ".join(items) + "]"


def cross_file(version, prefix, with_flags):
    # meson 1.0 has no @DIRNAME@ in machine files: the one absolute path is
    # the constant sdk, which install-sdk writes and capos-sdk-relocate
    # rewrites after the SDK moved.
    sdk = "sdk"
    q = lambda s: "'" + s + "'"
    # Paths: the constant sdk joined with the rest (machine files concatenate with +).
    def expr(flag):
        if "@SDK@" in flag:
            before, after = flag.split("@SDK@", 1)
            parts = ([q(before)] if before else []) + [sdk] + ([q(after)] if after else [])
            return " + ".join(parts)
        return q(flag)
    lines = [
        "# meson cross file for capOS programs (capOS SDK %s)." % version,
        "#   meson setup BUILD --cross-file PREFIX/share/capos/%s" % (
            "x86_64-capos.ini" if with_flags else "x86_64-capos-pkgconfig.ini"),
    ]
    if with_flags:
        lines += [
            "# c_args/c_link_args carry the whole capOS flavour, so a plain",
            "# executable('hello', 'hello.c') is a capOS program; do not add",
            "# dependency('capos') as well (the linker script would be given twice):",
            "# projects that want pkg-config use x86_64-capos-pkgconfig.ini.",
        ]
    else:
        lines += [
            "# Toolchain only: the flags come from dependency('capos') (capos.pc,",
            "# found through pkg_config_libdir below).",
        ]
    lines += [
        "",
        "[constants]",
        "sdk = " + repr(prefix) + "   # the SDK; capos-sdk-relocate rewrites this line",
        "",
        "[binaries]",
        "c = 'gcc'",
        "ar = 'ar'",
        "strip = 'strip'",
        "objcopy = 'objcopy'",
        "nm = 'nm'",
        "pkgconfig = 'pkg-config'",
        "",
        "[built-in options]",
        "c_std = 'gnu11'",
        "b_pie = false",
        "b_staticpic = false",
    ]
    if with_flags:
        lines += [
            "c_args = " + meson_list([expr(f) for f in compile_flags("@SDK@")]),
            "c_link_args = " + meson_list([expr(f) for f in link_flags("@SDK@")]),
        ]
    lines += [
        "",
        "[properties]",
        "needs_exe_wrapper = true",
        "pkg_config_libdir = sdk / 'lib' / 'pkgconfig'",
        "capos_sdk = sdk",
        "capos_flags_in_cross_file = %s" % ("true" if with_flags else "false"),
        "",
        "[host_machine]",
        "system = 'capos'",
        "cpu_family = 'x86_64'",
        "cpu = 'x86_64'",
        "endian = 'little'",
        "",
    ]
    return "\n".join(lines)


def pc_file(version):
    sdk = "${prefix}"
    return "\n".join([
        "# capOS SDK: pkg-config --cflags --libs capos (relocatable: ${pcfiledir})",
        "prefix=${pcfiledir}/../..",
        "sysroot=${prefix}/" + TRIPLE,
        "includedir=${sysroot}/include",
        "libdir=${sysroot}/lib",
        "linker_script=${libdir}/capos-app.ld",
        "",
        "Name: capos",
        "Description: capOS libOS (newlib 3.3.0 + libcapos_rt): hosted C programs for capOS",
        "Version: " + version,
        "Cflags: " + " ".join(compile_flags(sdk)).replace(sdk + "/" + TRIPLE + "/include", "${includedir}"),
        "Libs: " + " ".join(link_flags(sdk)).replace(sdk + "/" + TRIPLE + "/lib", "${libdir}"),
        "",
    ])


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[0] + "\n\n" + __doc__.strip().split("\n\n")[1])
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    build = os.path.abspath(argv[1])
    prefix = os.path.abspath(argv[2])
    need(os.path.join(build, "build.ninja"), "build directory")
    load_flavour(build)
    version = project_version(build)
    newlib_build = os.path.join(build, "subprojects", "newlib-3.3.0")
    newlib_inc = need(os.path.join(newlib_build, "sysroot", "x86_64-elf", "include"), "newlib headers")

    inputs = {
        "libcapos_rt.a": os.path.join(build, "libos", "libcapos_rt.a"),
        "libc.a": os.path.join(newlib_build, "libc.a"),
        "libm.a": os.path.join(newlib_build, "libm.a"),
        "iface.h": os.path.join(build, "exo", "include", "capos", "iface.h"),
        "iface_client.h": os.path.join(build, "libos", "include", "capos", "iface_client.h"),
        "kernel": os.path.join(build, "exo", "capos-kernel.elf"),
        "loader": os.path.join(build, "exo", "boot", "BOOTX64.EFI"),
        "mkbootpkg": os.path.join(build, "manifests", "mkbootpkg"),
        "capos-manifest": os.path.join(build, "manifests", "capos-manifest"),
        "capos-version.txt": os.path.join(build, "manifests", "capos-version.txt"),
    }
    for what, path in inputs.items():
        need(path, what)
    boot_programs = sorted(glob.glob(os.path.join(build, "apps", "*.elf")))
    if not any(os.path.basename(p) == "init.elf" for p in boot_programs):
        die("the in-tree init (apps/init.elf) is not built in " + build)

    say("installing the capOS SDK %s from %s into %s" % (version, build, prefix))
    sysroot = os.path.join(prefix, TRIPLE)
    inc = os.path.join(sysroot, "include")
    lib = os.path.join(sysroot, "lib")
    share = os.path.join(prefix, "share", "capos")
    # Replace what an earlier install left, never anything else.
    for d in (sysroot, os.path.join(share, "boot"), os.path.join(share, "tools")):
        if os.path.isdir(d):
            shutil.rmtree(d)

    # Headers: newlib's, then capos/ (libOS, ABI, generated).
    copy_tree(newlib_inc, inc)
    capinc = os.path.join(inc, "capos")
    for h in sorted(glob.glob(os.path.join(TOP, "exo", "include", "capos", "*.h")) +
                    glob.glob(os.path.join(TOP, "libos", "include", "capos", "*.h"))):
        copy(h, capinc, mode=0o644)
    copy(inputs["iface.h"], capinc, mode=0o644)
    copy(inputs["iface_client.h"], capinc, mode=0o644)
    # gcc's own freestanding headers (-nostdinc drops them from the path).
    copy_tree(gcc_query("-print-file-name=include"), os.path.join(sysroot, "gcc-include"))

    # Archives and the linker script.
    copy_archive(inputs["libcapos_rt.a"], lib)
    for a in ("libc.a", "libm.a"):
        copy_archive(inputs[a], lib)
    copy(gcc_query("-print-libgcc-file-name"), lib, "libgcc.a", mode=0o644)
    copy(os.path.join(TOP, "libos", "capos-app.ld"), lib, mode=0o644)

    # What an image needs.
    boot = os.path.join(share, "boot")
    copy(inputs["kernel"], boot, "kernel.elf", mode=0o644)
    copy(inputs["loader"], boot, "BOOTX64.EFI", mode=0o644)
    copy(inputs["capos-version.txt"], boot, mode=0o644)
    for p in boot_programs:
        copy(p, boot, mode=0o644)

    # Host tools.
    bindir = os.path.join(prefix, "bin")
    copy(inputs["mkbootpkg"], bindir, mode=0o755)
    copy(inputs["capos-manifest"], bindir, mode=0o755)
    tools = os.path.join(share, "tools")
    copy(os.path.join(TOP, "exo", "boot", "mkesp.py"), tools, mode=0o755)
    copy(os.path.join(TOP, "ci", "qemu_run.py"), tools, mode=0o755)
    for name in ("capos-image", "capos-run", "capos-sdk-relocate"):
        copy(os.path.join(HERE, name), bindir, mode=0o755)

    # pkg-config and meson.
    write(os.path.join(prefix, "lib", "pkgconfig", "capos.pc"), pc_file(version))
    write(os.path.join(share, "x86_64-capos.ini"), cross_file(version, prefix, True))
    write(os.path.join(share, "x86_64-capos-pkgconfig.ini"), cross_file(version, prefix, False))
    gcc_version = gcc_query("-dumpfullversion")
    write(os.path.join(share, "sdk.txt"), "\n".join([
        "capOS SDK " + version,
        "gcc " + gcc_version + " (gcc-include/ and libgcc.a come from it; build programs with the same gcc major version)",
        "boot programs: " + " ".join(os.path.basename(p)[:-4] for p in boot_programs),
        "",
    ]))

    # Nothing may point back into the build or the source tree.
    for root, _dirs, files in os.walk(prefix):
        for f in files:
            path = os.path.join(root, f)
            if f.endswith((".pc", ".ini", ".txt", ".py")) or f in ("capos-image", "capos-run"):
                with open(path, errors="replace") as fh:
                    text = fh.read().replace(prefix, "PREFIX")
                for bad in (build, TOP):
                    if bad in text:
                        die("%s still names %s" % (path, bad))
    say("done: add %s to PATH; meson setup BUILD --cross-file %s" % (
        bindir, os.path.join(share, "x86_64-capos.ini")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""The SDK round trip: install the SDK from this build directory, build
examples/hello-sdk out of tree with it alone, make an image with hello as
init, boot it and judge the output and the verdict.

usage: sdk_roundtrip.py --build BUILD_DIR --source SOURCE_DIR [RUNNER OPTIONS...]

Steps (each printed; the work directory BUILD_DIR/sdk-roundtrip/ is kept
for inspection and wiped at the next run):
  1. sdk/install-sdk.py BUILD_DIR <work>/stage, then move the prefix to
     <work>/sdk and run capos-sdk-relocate (the SDK must survive a move);
     no text file of the SDK may name BUILD_DIR or SOURCE_DIR
  2. copy examples/hello-sdk to <work>/src; meson setup + compile with
     x86_64-capos.ini (flags from the cross file) and with
     x86_64-capos-pkgconfig.ini (dependency('capos')); both must give an
     ELF with entry 0x400000
  3. capos-image -o <work>/hello.img --init hello <build>/hello
  4. capos-run <work>/hello.img --expect ... (RUNNER OPTIONS passed on)
"""
import os
import shutil
import subprocess
import sys

EXPECT = [
    r"process 1 \(hello\) started",
    r"hello from a capOS SDK program: slept [0-9]+ ms, time\(\) = [0-9]+",
    r"process 1 \(hello\) exited: normal, code 0",
    r"init exited \(success, code 0\)",
]
REJECT = ["KERNEL PANIC", "EXCEPTION"]


def step(msg):
    print("sdk-roundtrip: " + msg, flush=True)


def run(cmd, **kw):
    print("  $ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        print("sdk-roundtrip: FAIL: command failed (status %d)" % r.returncode, flush=True)
        sys.exit(1)


def main(argv):
    if len(argv) < 4 or argv[0] != "--build" or argv[2] != "--source":
        print(__doc__.strip(), file=sys.stderr)
        return 2
    build, source, runner = os.path.abspath(argv[1]), os.path.abspath(argv[3]), argv[4:]
    work = os.path.join(build, "sdk-roundtrip")
    if os.path.exists(work):
        shutil.rmtree(work)
    os.makedirs(work)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PKG_CONFIG", "MESON", "CC", "CFLAGS", "LDFLAGS"))}

    step("1. install the SDK and move it")
    stage, sdk = os.path.join(work, "stage"), os.path.join(work, "sdk")
    run([sys.executable, os.path.join(source, "sdk", "install-sdk.py"), build, stage], env=env)
    os.rename(stage, sdk)
    run([os.path.join(sdk, "bin", "capos-sdk-relocate")], env=env)
    for root, _dirs, files in os.walk(sdk):
        for f in files:
            path = os.path.join(root, f)
            if f.endswith((".h", ".ld", ".pc", ".ini", ".txt", ".py")) or root.endswith("bin"):
                with open(path, "rb") as fh:
                    data = fh.read().replace(sdk.encode(), b"SDK")
                for bad in (build, source, stage):
                    if bad.encode() + b"/" in data and not path.endswith(("mkbootpkg", "capos-manifest")):
                        step("FAIL: %s names %s" % (path, bad))
                        return 1
    env["PATH"] = os.path.join(sdk, "bin") + os.pathsep + env.get("PATH", "")

    step("2. build examples/hello-sdk out of tree, with the SDK only")
    src = os.path.join(work, "src")
    shutil.copytree(os.path.join(source, "examples", "hello-sdk"), src)
    share = os.path.join(sdk, "share", "capos")
    for bdir, cross in (("build", "x86_64-capos.ini"), ("build-pc", "x86_64-capos-pkgconfig.ini")):
        b = os.path.join(work, bdir)
        run(["meson", "setup", b, src, "--cross-file", os.path.join(share, cross)],
            env=env, stdout=subprocess.DEVNULL)
        run(["meson", "compile", "-C", b], env=env, stdout=subprocess.DEVNULL)
        hdr = subprocess.run(["readelf", "-h", os.path.join(b, "hello")], capture_output=True,
                             text=True, env=env).stdout
        if "Entry point address:               0x400000" not in hdr or "EXEC" not in hdr:
            step("FAIL: %s/hello is not a capOS program:\n%s" % (bdir, hdr))
            return 1
        step("   %s/hello: static ELF, entry 0x400000 (%s)" % (bdir, cross))

    step("3. make an image with hello as init")
    image = os.path.join(work, "hello.img")
    run(["capos-image", "-o", image, "--init", "hello", os.path.join(work, "build", "hello")], env=env)

    step("4. boot it")
    cmd = ["capos-run", image, "--name", "sdk-roundtrip",
           "--log", os.path.join(build, "qemu-logs", "sdk-roundtrip.log")]
    for e in EXPECT:
        cmd += ["--expect", e]
    for r in REJECT:
        cmd += ["--reject", r]
    run(cmd + runner, env=env)
    step("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Debian's patches over an orig tarball's sources, for the wraps whose
Debian package carries fixes that matter (http-parser's request-smuggling
fix CVE-2020-8287, cJSON's null checks and overflow fixes).

meson unpacks the orig tarball (the wrap) and copies our overlay over it;
it has no way to apply a Debian patch series.  This script does, at build
time, into the build directory, so the unpacked source stays as Debian
shipped it: it copies the source tree to a scratch directory, unpacks the
package's debian.tar.* from subprojects/packagecache/ (fetched by
`./capos deps`), applies debian/patches/series in order with patch(1), and
writes the files asked for to the output directory.

usage: debian_patched.py PACKAGE CACHE SRCDIR OUTDIR FILE...
"""
import glob
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile


def debian_tarball(package, cache):
    found = sorted(glob.glob(os.path.join(cache, package + "_*.debian.tar.*")))
    if not found:
        sys.exit(f"debian_patched: no {package}_*.debian.tar.* in {cache}: run ./capos deps")
    return found[-1]


def series(debian_dir):
    path = os.path.join(debian_dir, "patches", "series")
    if not os.path.exists(path):
        return []
    names = []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line.split()[0])
    return names


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    package, cache, srcdir, outdir = sys.argv[1:5]
    wanted = sys.argv[5:]
    with tempfile.TemporaryDirectory() as tmp:
        tree = os.path.join(tmp, "src")
        shutil.copytree(srcdir, tree, symlinks=True)
        with tarfile.open(debian_tarball(package, cache)) as t:
            t.extractall(tmp, filter="data") if hasattr(tarfile, "data_filter") else t.extractall(tmp)
        for name in series(os.path.join(tmp, "debian")):
            patch = os.path.join(tmp, "debian", "patches", name)
            r = subprocess.run(["patch", "-p1", "--batch", "--silent", "--no-backup-if-mismatch",
                                "-d", tree, "-i", patch], capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"debian_patched: {package}: {name} does not apply:\n{r.stdout}{r.stderr}")
        os.makedirs(outdir, exist_ok=True)
        for f in wanted:
            shutil.copyfile(os.path.join(tree, f), os.path.join(outdir, os.path.basename(f)))


if __name__ == "__main__":
    main()

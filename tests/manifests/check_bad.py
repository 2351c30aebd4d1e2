#!/usr/bin/env python3
"""Check that the manifest compiler rejects one bad manifest as it must.

usage: check_bad.py COMPILER MANIFEST [--binary NAME]...

The manifest's first line says what must happen:
    # expect: LINE:COL: MESSAGE
The compiler must exit with status 1 and print exactly one line that
starts with "MANIFEST:LINE:COL: error: MESSAGE".  Exit 0 if so, 1 if not.
"""
import subprocess
import sys


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    tool, manifest, extra = argv[0], argv[1], argv[2:]
    first = open(manifest, encoding="utf-8", errors="replace").readline()
    if not first.startswith("# expect: "):
        print(f"{manifest}: first line must be '# expect: LINE:COL: MESSAGE'")
        return 1
    loc, message = first[len("# expect: "):].rstrip().split(": ", 1)
    want = f"{manifest}:{loc}: error: {message}"
    r = subprocess.run([tool] + extra + [manifest], capture_output=True, text=True)
    got = r.stderr.strip()
    if r.returncode == 1 and len(got.splitlines()) == 1 and got.startswith(want):
        print(f"ok: {got}")
        return 0
    print(f"FAIL {manifest}\n  want status 1 and: {want}\n  got status {r.returncode}: {got}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

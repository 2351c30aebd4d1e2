#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/).

ELF seeds are small x86_64 executables shaped like the capOS kernel (three
segments R-X, R--, RW- with bss, a symbol table) plus near-misses that hit
particular checks; boot-package seeds are valid packages of 0, 1 and 3
entries plus near-misses.  The text targets start from what the system
really feeds them, read from the tree: the credential files in manifests/,
the args strings of manifests/system.yaml and tests/manifests/boot/, the
lines typed by tests/qemu/shell/*.script; then near-misses, one per check.
Run from anywhere:  python3 tests/fuzz/mkcorpus.py
The output is deterministic, so re-running changes nothing.
"""
import glob
import os
import re
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
KBASE = 0xffffffff80200000
UBASE = 0x400000


def sym(name_off, info, shndx, value, size):
    return struct.pack("<IBBHQQ", name_off, info, 0, shndx, value, size)


def elf_image(base, wx=False, entry_off=0x100):
    """A three-segment executable at base, packed into about 1.2 KiB."""
    strtab = b"\0_start\0helper\0table\0nosize\0"
    syms = (sym(0, 0, 0, 0, 0) + sym(1, 0x12, 1, base + 0x100, 0x20) +
            sym(8, 0x12, 1, base + 0x120, 0x40) + sym(15, 0x11, 2, base + 0x1200, 0x10) +
            sym(21, 0x12, 1, base + 0x160, 0))
    text_off, ro_off, data_off, sym_off = 0x100, 0x200, 0x300, 0x340
    str_off = sym_off + len(syms)
    sh_off = (str_off + len(strtab) + 7) & ~7
    phdrs = [(1, 5 | (2 if wx else 0), text_off, base + text_off, 0x80, 0x80),
             (1, 4, ro_off, base + 0x1000 + ro_off, 0x20, 0x20),
             (1, 6, data_off, base + 0x2000 + data_off, 0x10, 0x3000)]
    ph = b"".join(struct.pack("<IIQQQQQQ", t, f, o, v, v, fs, ms, 0x1000)
                  for t, f, o, v, fs, ms in phdrs)
    shdrs = [(0, 0, 0, 0, 0, 0), (1, 6, text_off, 0x80, 0, 0), (1, 2, ro_off, 0x20, 0, 0),
             (2, 0, sym_off, len(syms), 4, 24), (3, 0, str_off, len(strtab), 0, 0)]
    sh = b"".join(struct.pack("<IIQQQQIIQQ", 0, t, fl, 0, o, s, link, 0, 8, es)
                  for t, fl, o, s, link, es in shdrs)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, base + entry_off, 64, sh_off, 0,
                             64, 56, len(phdrs), 64, len(shdrs), 0)
    img = bytearray(sh_off + len(sh))
    img[0:64] = eh
    img[64:64 + len(ph)] = ph
    img[text_off:text_off + 4] = b"\x55\x48\x89\xe5"
    img[ro_off:ro_off + 5] = b"capOS"
    img[sym_off:sym_off + len(syms)] = syms
    img[str_off:str_off + len(strtab)] = strtab
    img[sh_off:] = sh
    return bytes(img)


def bootpkg(entries):
    """entries: list of (name, kind, data)."""
    table, blobs = b"", []
    off = 64 + 64 * len(entries)
    for name, kind, data in entries:
        off = (off + 4095) & ~4095
        table += struct.pack("<40sQQII", name.encode(), off, len(data), kind, zlib.crc32(data))
        blobs.append((off, data))
        off += len(data)
    out = bytearray(off)
    hdr = bytearray(struct.pack("<8sIIQII32s", b"CAPOSPKG", 1, len(entries), off,
                                zlib.crc32(table), 0, bytes(32)))
    struct.pack_into("<I", hdr, 28, zlib.crc32(bytes(hdr)))
    out[0:64] = hdr
    out[64:64 + len(table)] = table
    for o, data in blobs:
        out[o:o + len(data)] = data
    return bytes(out)


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(rel):
    with open(os.path.join(TOP, rel), "rb") as f:
        return f.read()


def service_args(service):
    """The args strings of every manifest naming binary `service`, in file order."""
    found = []
    for rel in ["manifests/system.yaml"] + sorted(glob.glob("tests/manifests/boot/*.yaml", root_dir=TOP)):
        text = read(rel).decode()
        for m in re.finditer(r'binary: *%s\n *args: *"([^"]*)"' % re.escape(service), text):
            if m.group(1).encode() not in found:
                found.append(m.group(1).encode())
    return found


def account(user, profile="guest", iterations=20000, salt=b"00" * 16, key=b"ab" * 32):
    return b"%s %s %d %s %s\n" % (user.encode(), profile.encode(), iterations, salt, key)


def accounts_corpus():
    for name in ("accounts", "accounts-nooperator", "accounts-bad"):
        write("accounts", name, read("manifests/" + name))
    write("accounts", "crlf-tabs", b"# comment\r\n\r\n\talice\tops 1000 " + b"0f" * 16 + b" " +
          b"F0" * 32 + b"\r\n" + account("bob", iterations=1000000)[:-1])
    write("accounts", "iterations-low", account("carol", iterations=999))
    write("accounts", "user-twice", account("dave") + b"   \n" + account("dave", "ops"))
    write("accounts", "bad-hex", account("erin", salt=b"0g" * 16))
    write("accounts", "long-line", account("frank") + b"# " + b"x" * 300 + b"\n" + b"frank2 " * 40 + b"\n")
    write("accounts", "nul-byte", account("gina") + b"hal\0 guest 20000\n")
    write("accounts", "too-many", b"".join(account("user%d" % i) for i in range(33)))
    write("accounts", "six-fields", account("ivan")[:-1] + b" extra\n")
    # The same words as sessiond's arguments (one per line).
    for i, args in enumerate(service_args("sessiond")):
        write("accounts", "args-%d" % i, args.replace(b" ", b"\n") + b"\n")
    write("accounts", "args-lifetimes", b"guest.lifetime_ms=60000\naccounts=accounts\n"
          b"operator.lifetime_ms=31622400000\n")
    write("accounts", "args-bad", b"accounts=a\nops.lifetime_ms=31622400001\naccounts=b\n")
    write("accounts", "args-none", b"guest.lifetime_ms=5\nguest.lifetime_ms=6\n")


def bundles_corpus():
    for i, args in enumerate(service_args("broker")):
        write("bundles", "args-%d" % i, args + b"\n")
    write("bundles", "empty-bundle", b"operator= guest=echo\n")
    write("bundles", "profile-twice", b"guest=echo guest=procs\n")
    write("bundles", "name-twice", b"ops=echo,procs,echo\n")
    write("bundles", "bad-name", b"ops=echo,9lives\n")
    write("bundles", "trailing-comma", b"ops=echo,\n")
    write("bundles", "no-equals", b"operator\n")
    write("bundles", "too-many-caps", b"ops=" + b",".join(b"c%d" % i for i in range(16)) + b"\n")
    write("bundles", "too-long", b"ops=" + b",".join(b"%c" % (97 + i) * 30 for i in range(9)) + b"\n")
    write("bundles", "too-many-profiles", b" ".join(b"p%d=echo" % i for i in range(9)) + b"\n")


def shell_corpus():
    for path in sorted(glob.glob("tests/qemu/shell/*.script", root_dir=TOP)):
        lines = [l[5:] for l in read(path).decode().splitlines() if l.startswith("type ")]
        typed = "".join(l.encode().decode("unicode_escape") for l in lines)
        write("shell", os.path.basename(path).replace(".script", ".lines"),
              typed.replace("\r", "\n").encode("latin-1"))
    write("shell", "quotes", b"run probe 'exit=3' \"a\\\"b\" c\\=d x=y\n"
          b"echo \"unterminated\n"
          b"echo trailing\\\n"
          b"run probe ''\n")
    write("shell", "grants", b"run echo-client echo=echo procs=procs power=power\n"
          b"run echo-client vm=echo\n"
          b"run echo-client a=@vm\n"
          b"run echo-client a=x b=x\n"
          b"run echo-client a=x a=y\n"
          b"run Bad\n"
          b"run " + b"p" * 40 + b"\n"
          b"run echo-client " + b"n" * 24 + b"=echo\n")
    write("shell", "limits", b" ".join(b"w%d" % i for i in range(33)) + b"\n" +
          b"run x " + b" ".join(b"g%d=c%d" % (i, i) for i in range(16)) + b"\n" +
          b"run x " + b"a" * 250 + b"\n" + b"y" * 257 + b"\n")


def pcicaps_corpus():
    import struct

    def image(size=256):
        b = bytearray(size)
        b[0:4] = struct.pack("<HH", 0x1234, 0x11e8)
        return b

    def caps(b, first, chain):
        b[6] = 0x10
        b[0x34] = first
        for off, cid, nxt, body in chain:
            b[off] = cid
            b[off + 1] = nxt
            b[off + 2:off + 2 + len(body)] = body
        return bytes(b)

    write("pcicaps", "edu-msi", caps(image(), 0x40, [(0x40, 0x05, 0, struct.pack("<H", 0x0080))]))
    write("pcicaps", "msix-pm", caps(image(), 0x50, [(0x50, 0x01, 0x60, b""),
                                                      (0x60, 0x11, 0, struct.pack("<HII", 0x1f, 0x2001, 0x3001))]))
    write("pcicaps", "loop", caps(image(), 0x40, [(0x40, 0x09, 0x44, b""), (0x44, 0x09, 0x40, b"")]))
    write("pcicaps", "into-header", caps(image(), 0x40, [(0x40, 0x09, 0x10, b"")]))
    ext = bytearray(caps(image(4096), 0x40, [(0x40, 0x10, 0, b"")]))
    ext[0x100:0x104] = struct.pack("<I", (0x140 << 20) | (1 << 16) | 1)
    ext[0x140:0x144] = struct.pack("<I", (0x100 << 20) | 0xb)
    write("pcicaps", "ext-loop", bytes(ext))


def virtq_corpus():
    # ops: 0 post (2 bytes), 1 publish, 2 used entry (id, len hi, len lo), 3 set used idx (2 bytes), 4 take
    post_rx = bytes([0, 1, 0x85])
    honest = bytes([1]) + post_rx * 4 + bytes([1]) + bytes([2, 0, 0, 40, 2, 1, 1, 0, 4]) + post_rx + bytes([1, 4])
    write("virtq", "honest", honest)
    write("virtq", "bad-id", bytes([0]) + post_rx + bytes([1, 2, 0x90, 0, 10, 2, 0xff, 0, 10, 4]))
    write("virtq", "twice", bytes([0]) + post_rx + bytes([1, 2, 0, 0, 10, 2, 0, 0, 10, 4]))
    write("virtq", "long", bytes([0]) + post_rx + bytes([1, 2, 0, 0xff, 0xff, 4]))
    write("virtq", "index-jump", bytes([0]) + post_rx + bytes([1, 3, 0x10, 0x00, 4]) + post_rx + bytes([4]))
    write("virtq", "full", bytes([4]) + post_rx * 40 + bytes([1]) + bytes([2, 0, 0, 1]) * 40 + bytes([4]))


def kcall_input(slots, sqe, remap=0x7f, handler=0, window=b""):
    """An input of fuzz_kcall: struct head (fuzz_kcall.c), then the user window's bytes."""
    head = bytes([len(slots)]) + b"".join(bytes(s) for s in slots) + b"\0" * 4 * (12 - len(slots))
    return head + sqe + bytes([remap, handler]) + window


def kcall_sqe(opcode=1, flags=0, xfer_count=0, cap=0, iface=0, method=0, params=0x1000, params_len=0,
              result=0x2000, result_len=0, xfer=0x3000, aux=0, user_data=7):
    return struct.pack("<BBHIQIHHQIIQQQ", opcode, flags, xfer_count, cap, user_data, iface, method, 0,
                       params, params_len, result_len, result, xfer, aux)


def kcall_corpus():
    """One CALL per kernel method with its own sizes, then one near-miss per decoder check."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("gen_iface", os.path.join(TOP, "exo", "iface", "gen_iface.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    ifaces = gen.parse(os.path.join(TOP, "exo", "iface", "interfaces.def"))
    xfers = struct.pack("<IIII", 1, 1, 2, 2)          # slot 1 copied, slot 2 moved (handles remapped)
    window = b"\0" * 0x1000 + bytes(range(256)) * 16 + b"\0" * 0x1000 + xfers
    for iface in ifaces:
        # slot 0: the target; 1: Null, transferable; 2: a copy of 0, transferable; 3: a revoked copy of 1;
        # 4: a stale handle; 5: an endpoint client
        slots = [(iface.id, 0, 1, 0), (1, 0, 1, 0), (0, 2, 1, 0), (0, 2, 3, 1), (1, 0, 5, 1), (0x80, 1, 1, 0)]
        for m in iface.methods:
            sqe = kcall_sqe(cap=0, method=m.id, params_len=m.inp.size, result_len=m.out.size,
                            xfer_count=2 if m.id % 2 else 0)
            write("kcall", f"{iface.name}.{m.name}", kcall_input(slots, sqe, window=window,
                                                                handler=3 if m.is_async else 0))
    null = [(1, 0, 1, 0), (1, 0, 1, 0), (1, 2, 1, 0), (1, 2, 3, 1), (1, 0, 5, 1), (0x80, 1, 1, 0),
            (17, 0, 1, 0), (1, 0, 9, 0)]
    ok = dict(cap=0, method=0, params_len=0, result_len=0)
    def miss(name, remap=0x7f, handler=0, win=window, **kw):
        write("kcall", "miss-" + name, kcall_input(null, kcall_sqe(**{**ok, **kw}), remap, handler, win))
    miss("null-nop", xfer_count=0)
    miss("stale-handle", cap=4)
    miss("reserved-handle", cap=7)
    miss("revoked-copy", cap=3)
    miss("endpoint-client-call", cap=5, method=3, params_len=40, result_len=64, xfer_count=2)
    miss("wrong-iface", remap=0x7d, iface=2)
    miss("unknown-method", method=1)
    miss("params-too-long", params_len=1)
    miss("result-above-max", result_len=65537)
    miss("result-read-only", result=0x10, result_len=8)
    miss("params-outside", params=0x3ff8, params_len=0)
    miss("xfer-too-many", xfer_count=17)
    miss("xfer-bad-mode", xfer_count=2, win=window[:0x3000] + struct.pack("<IIII", 1, 1, 2, 9))
    miss("xfer-duplicate", xfer_count=2, win=window[:0x3000] + struct.pack("<IIII", 1, 1, 1, 2))
    miss("xfer-revoked", xfer_count=2, win=window[:0x3000] + struct.pack("<IIII", 1, 1, 3, 1))
    miss("xfer-no-right", xfer_count=1, win=window[:0x3000] + struct.pack("<II", 7, 1))
    miss("xfer-moves-fail", xfer_count=2, handler=2)
    miss("xfer-moves-pending", xfer_count=2, handler=3)
    miss("flags-set", flags=1)
    miss("nop-with-fields", remap=0x7f, opcode=0)
    miss("recv-endpoint", remap=0x7f, opcode=2, params=0, result_len=200)
    miss("return-token", opcode=3, cap=0, params_len=8, result=0, aux=6, xfer_count=1)
    miss("return-status", opcode=3, flags=2, params_len=4, result=0, aux=6,
         win=window[:0x1000] + struct.pack("<i", -5) + window[0x1004:])
    miss("return-app-error", opcode=3, flags=1, params_len=12, result=0, aux=6,
         win=window[:0x1000] + struct.pack("<II", 9, 4) + b"oops" + window[0x100c:])
    miss("release", opcode=4, params=0, result=0, xfer=0, cap=2)
    miss("cancel", opcode=5, params=0, result=0, xfer=0, aux=7)
    miss("unknown-opcode", opcode=9)


def webui_corpus():
    """The Web UI's request corpus (tests/qemu/webui/requests.py), each
    request whole and cut in 1- and 7-byte pieces (the first byte picks the
    piece size), and two requests pipelined on one connection."""
    import sys
    sys.path.insert(0, os.path.join(TOP, "tests", "qemu", "webui"))
    import requests as webui_requests
    for name, status, data in webui_requests.CORPUS:
        write("webui", "%d-%s" % (status, name), bytes([63]) + data)
    get = webui_requests.CORPUS[0][2]
    write("webui", "pieces-1", bytes([0]) + get + webui_requests.CORPUS[-1][2])
    write("webui", "pieces-7", bytes([6]) + get + get)


def main():
    kernel = elf_image(KBASE)
    write("elf", "kernel-like.elf", kernel)
    write("elf", "user-like.elf", elf_image(UBASE))
    write("elf", "wx-segment.elf", elf_image(KBASE, wx=True))
    write("elf", "entry-in-rodata.elf", elf_image(KBASE, entry_off=0x1200))
    write("elf", "truncated.elf", kernel[:200])
    write("elf", "header-only.elf", kernel[:64])
    write("bootpkg", "empty.pkg", bootpkg([]))
    write("bootpkg", "version.pkg", bootpkg([("capos-version", 1, b"0.1.0\n")]))
    three = bootpkg([("manifest", 2, b"\x01\x02\x03\x04"), ("init", 3, kernel[:256]),
                     ("empty", 1, b"")])
    write("bootpkg", "three.pkg", three)
    write("bootpkg", "truncated.pkg", three[:4200])
    bad = bytearray(three)
    bad[4096] ^= 0xff
    write("bootpkg", "bad-data-crc.pkg", bytes(bad))
    accounts_corpus()
    bundles_corpus()
    shell_corpus()
    pcicaps_corpus()
    virtq_corpus()
    kcall_corpus()
    webui_corpus()


if __name__ == "__main__":
    main()

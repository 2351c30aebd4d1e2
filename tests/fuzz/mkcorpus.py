#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (tests/fuzz/corpus/).

ELF seeds are small x86_64 executables shaped like the capOS kernel (three
segments R-X, R--, RW- with bss, a symbol table) plus near-misses that hit
particular checks; boot-package seeds are valid packages of 0, 1 and 3
entries plus near-misses.  Run from anywhere:  python3 tests/fuzz/mkcorpus.py
The output is deterministic, so re-running changes nothing.
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
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


if __name__ == "__main__":
    main()

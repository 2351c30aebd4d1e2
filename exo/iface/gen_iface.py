#!/usr/bin/env python3
"""Generate capOS interface code from exo/iface/interfaces.def.

usage: gen_iface.py DEF abi-header OUT.h
       gen_iface.py DEF kernel OUT.h OUT.c
       gen_iface.py DEF client OUT.h OUT.c
       gen_iface.py DEF service OUT.h OUT.c
       gen_iface.py DEF names OUT.c [MORE.def ...]

"service" is for interfaces that user programs serve over endpoints (ids
from 0x1000, e.g. apps/services.def): one header with the message layouts
and the client stubs, named after OUT.h, and the stubs' source.

"names" writes `const char *capos_iface_name(uint32_t id)`, the name of
every interface of DEF and the MORE files (NULL for an unknown id), in a
source that needs only <stdint.h> and <stddef.h> (the shell's `caps`).

The .def syntax is documented at the top of interfaces.def.  Errors name
file:line and exit with status 1.  Output is deterministic.
"""

import re
import sys

SCALARS = {"u8": ("uint8_t", 1), "u16": ("uint16_t", 2), "u32": ("uint32_t", 4),
           "u64": ("uint64_t", 8), "i32": ("int32_t", 4), "i64": ("int64_t", 8),
           "handle": ("uint32_t", 4)}


class DefError(Exception):
    pass


class Field:
    def __init__(self, kind, name, ctype, size, align, count, tail):
        self.kind, self.name, self.ctype = kind, name, ctype
        self.size, self.align, self.count, self.tail = size, align, count, tail
        self.offset = 0


class Message:
    def __init__(self):
        self.fields = []
        self.size = 0       # sizeof the C struct
        self.min_size = 0   # size without the tail (== size when no tail)

    def has_tail(self):
        return bool(self.fields) and self.fields[-1].tail


class Method:
    def __init__(self, name, mid, is_async):
        self.name, self.id, self.is_async = name, mid, is_async
        self.inp, self.out = Message(), Message()


class Interface:
    def __init__(self, name, iid):
        self.name, self.id, self.methods = name, iid, []


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def parse_type(text, where):
    if text in SCALARS:
        ctype, size = SCALARS[text]
        return ctype, size, size, 0, False
    m = re.fullmatch(r"(char|bytes)\[(\d+)\]", text)
    if not m or int(m.group(2)) == 0:
        raise DefError(f"{where}: unknown type '{text}'")
    ctype = "char" if m.group(1) == "char" else "uint8_t"
    n = int(m.group(2))
    return ctype, n, 1, n, m.group(1) == "bytes"


def add_field(msg, words, where):
    if len(words) != 3 or not re.fullmatch(r"[a-z_][a-z0-9_]*", words[2]):
        raise DefError(f"{where}: expected '{words[0]} TYPE NAME'")
    if msg.has_tail():
        raise DefError(f"{where}: a bytes[] tail must be the last field")
    if any(f.name == words[2] for f in msg.fields):
        raise DefError(f"{where}: duplicate field '{words[2]}'")
    ctype, size, align, count, tail = parse_type(words[1], where)
    msg.fields.append(Field(words[1], words[2], ctype, size, align, count, tail))


def parse(path):
    ifaces = []
    for lineno, raw in enumerate(open(path), 1):
        where = f"{path}:{lineno}"
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        try:
            if words[0] == "interface" and len(words) == 3:
                iid = int(words[2], 0)
                if any(i.id == iid or i.name == words[1] for i in ifaces):
                    raise DefError(f"{where}: interface name or id {words[1]} {iid} used twice")
                ifaces.append(Interface(words[1], iid))
            elif words[0] == "method" and len(words) in (3, 4) and ifaces:
                if len(words) == 4 and words[3] != "async":
                    raise DefError(f"{where}: expected 'method NAME ID [async]'")
                mid = int(words[2], 0)
                cur = ifaces[-1]
                if any(m.id == mid or m.name == words[1] for m in cur.methods) or mid > 0xffff:
                    raise DefError(f"{where}: method name or id reused or out of range")
                cur.methods.append(Method(words[1], mid, len(words) == 4))
            elif words[0] in ("in", "out") and ifaces and ifaces[-1].methods:
                m = ifaces[-1].methods[-1]
                add_field(m.inp if words[0] == "in" else m.out, words, where)
            else:
                raise DefError(f"{where}: cannot parse '{raw.strip()}'")
        except ValueError:
            raise DefError(f"{where}: bad number in '{raw.strip()}'")
    for iface in ifaces:
        for m in iface.methods:
            layout(m.inp)
            layout(m.out)
    return ifaces


def layout(msg):
    off = 0
    align = 1
    for f in msg.fields:
        off = (off + f.align - 1) // f.align * f.align
        f.offset = off
        off += f.size
        align = max(align, f.align)
    msg.min_size = msg.fields[-1].offset if msg.has_tail() else off
    msg.size = (off + align - 1) // align * align


def struct_name(iface, method, direction):
    return f"capos_{snake(iface.name)}_{method.name}_{direction}"


def emit_struct(out, name, msg):
    out.append(f"struct {name} {{")
    pos = 0
    pad = 0
    for f in msg.fields:
        if f.offset > pos:
            out.append(f"\tuint8_t _pad{pad}[{f.offset - pos}];")
            pad += 1
        dim = f"[{f.count}]" if f.count else ""
        note = "  /* variable-length tail */" if f.tail else ""
        out.append(f"\t{f.ctype} {f.name}{dim};{note}")
        pos = f.offset + f.size
    if msg.size > pos:
        out.append(f"\tuint8_t _pad{pad}[{msg.size - pos}];")
    out.append("};")
    out.append(f'_Static_assert(sizeof(struct {name}) == {msg.size}, "{name} layout");')
    for f in msg.fields:
        out.append(f"_Static_assert(__builtin_offsetof(struct {name}, {f.name}) == {f.offset}, "
                   f'"{name} layout");')


def guard_of(path):
    return "CAPOS_" + re.sub(r"[^A-Za-z0-9]", "_", path.rsplit("/", 1)[-1]).upper()


def gen_abi_header(ifaces, guard="CAPOS_IFACE_H", count=True):
    out = ["/* Generated by exo/iface/gen_iface.py: do not edit. */",
           f"#ifndef {guard}", f"#define {guard}", "", "#include <stdint.h>", ""]
    for iface in ifaces:
        up = snake(iface.name).upper()
        out.append(f"/* --- interface {iface.name} --- */")
        out.append(f"#define CAPOS_IFACE_{up} {iface.id}u")
        for m in iface.methods:
            mu = f"CAPOS_{up}_{m.name.upper()}"
            out.append(f"#define {mu} {m.id}u")
            for direction, msg in (("in", m.inp), ("out", m.out)):
                emit_struct(out, struct_name(iface, m, direction), msg)
                out.append(f"#define {mu}_{direction.upper()}_MIN {msg.min_size}u")
                out.append(f"#define {mu}_{direction.upper()}_MAX {msg.size}u")
        out.append("")
    if count:
        out.append(f"#define CAPOS_IFACE_COUNT {len(ifaces)}")
    out += ["", "#endif", ""]
    return "\n".join(out)


def handler_name(iface, m):
    return f"kcap_{snake(iface.name)}_{m.name}"


def gen_kernel(ifaces):
    h = ["/* Generated by exo/iface/gen_iface.py from interfaces.def: do not edit. */",
         "#ifndef EXO_IFACE_KERNEL_H", "#define EXO_IFACE_KERNEL_H", "",
         "#include <stdint.h>", "#include <capos/iface.h>", "",
         "struct kcall;", "",
         "/* One row per method: the sizes the decoder checks before any handler runs. */",
         "struct iface_method_info {",
         "\tuint32_t iface;", "\tuint16_t method;", "\tuint16_t is_async;",
         "\tuint32_t in_min, in_max;    /* params_len must lie in [in_min, in_max] */",
         "\tuint32_t out_min, out_max;  /* result capacity must be >= out_min */",
         "\tconst char *iface_name, *method_name;",
         "\t/* the handler, behind a thunk with untyped buffers (iface_dispatch) */",
         "\tint (*call)(struct kcall *call, const void *in, uint32_t in_len, void *out, uint32_t *out_len);",
         "};", "",
         "/* The row for (iface, method), or NULL: unknown ids are -CAPOS_ENOSYS. */",
         "const struct iface_method_info *iface_method_lookup(uint32_t iface, uint16_t method);",
         "/* Name of an interface id, or NULL. */",
         "const char *iface_name(uint32_t iface);", "",
         "/*",
         " * Call the handler of an already-decoded method.  in is a buffer of in_max",
         " * bytes, zero past in_len; out has room for *out_len bytes (at least",
         " * out_min) and the handler sets *out_len to the bytes it produced.",
         " * Returns 0, a negative CAPOS_E* code, or KCALL_PENDING (async methods).",
         " */",
         "int iface_dispatch(struct kcall *call, const struct iface_method_info *info,",
         "\t\t   const void *in, uint32_t in_len, void *out, uint32_t *out_len);", "",
         "/* Handlers, implemented by the kernel objects. */"]
    for iface in ifaces:
        for m in iface.methods:
            h.append(f"int {handler_name(iface, m)}(struct kcall *call, "
                     f"const struct {struct_name(iface, m, 'in')} *in, uint32_t in_len,")
            h.append(f"\t\tstruct {struct_name(iface, m, 'out')} *out, uint32_t *out_len);")
    h += ["", "#endif", ""]
    c = ["/* Generated by exo/iface/gen_iface.py from interfaces.def: do not edit. */",
         "#include <stddef.h>", "#include <capos/error.h>", '#include "iface_kernel.h"', "",
         "/* Thunks: each handler behind one untyped signature, for the method table. */"]
    for iface in ifaces:
        for m in iface.methods:
            c += [f"static int call_{handler_name(iface, m)}(struct kcall *call, const void *in, uint32_t in_len,",
                  "\t\t\t\tvoid *out, uint32_t *out_len)", "{",
                  f"\treturn {handler_name(iface, m)}(call, in, in_len, out, out_len);", "}", ""]
    c += ["static const struct iface_method_info methods[] = {"]
    index, row = {}, 0
    for iface in ifaces:
        for m in iface.methods:
            c.append(f"\t{{ {iface.id}u, {m.id}u, {int(m.is_async)}, {m.inp.min_size}u, {m.inp.size}u, "
                     f"{m.out.min_size}u, {m.out.size}u, \"{iface.name}\", \"{m.name}\", "
                     f"call_{handler_name(iface, m)} }},")
            index[(iface.id, m.id)] = row
            row += 1
    c += ["};", ""]
    # Direct lookup: per interface, a row pointer per method id (NULL for a hole).
    for iface in ifaces:
        count = max((m.id for m in iface.methods), default=-1) + 1
        rows = [f"&methods[{index[(iface.id, i)]}]" if (iface.id, i) in index else "NULL" for i in range(count)]
        c.append(f"static const struct iface_method_info *const rows_{iface.id}[] = {{ "
                 f"{', '.join(rows) if rows else 'NULL'} }};")
    top = max(i.id for i in ifaces) + 1
    c += ["", "static const struct { const struct iface_method_info *const *rows; uint16_t count; } "
          f"by_iface[{top}] = {{"]
    for iface in ifaces:
        count = max((m.id for m in iface.methods), default=-1) + 1
        c.append(f"\t[{iface.id}] = {{ rows_{iface.id}, {count} }},")
    c += ["};", "",
          "const struct iface_method_info *iface_method_lookup(uint32_t iface, uint16_t method)",
          "{", f"\tif (iface >= {top}u || method >= by_iface[iface].count)", "\t\treturn NULL;",
          "\treturn by_iface[iface].rows[method];", "}", "",
          "const char *iface_name(uint32_t iface)", "{",
          "\tfor (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)",
          "\t\tif (methods[i].iface == iface)", "\t\t\treturn methods[i].iface_name;",
          "\treturn NULL;", "}", "",
          "int iface_dispatch(struct kcall *call, const struct iface_method_info *info,",
          "\t\t   const void *in, uint32_t in_len, void *out, uint32_t *out_len)", "{",
          "\treturn info->call(call, in, in_len, out, out_len);", "}", ""]
    return "\n".join(h), "\n".join(c)


def client_params(iface, m):
    """The C parameters of a client stub, and the in/out arguments it passes on."""
    sin, sout = struct_name(iface, m, "in"), struct_name(iface, m, "out")
    args = ["struct capos_ring_client *rc", "uint32_t cap"]
    if m.inp.fields:
        args.append(f"const struct {sin} *in")
        if m.inp.has_tail():
            args.append("uint32_t in_len")
        in_pass = "in, in_len" if m.inp.has_tail() else "in, sizeof *in"
    else:
        in_pass = "NULL, 0"
    if m.out.fields:
        args.append(f"struct {sout} *out")
        out_pass = "out, sizeof *out"
    else:
        out_pass = "NULL, 0"
    return args, in_pass, out_pass


# Interfaces whose methods act on the calling thread: their stubs go
# through capos_submit_self (capos_call_self), so the kernel consumes the
# entry in the caller's own cap_enter and not in another thread's of the
# same ring.  The value names the methods that end the calling thread
# (capos_call_self_noreturn: nobody waits for their completion).
SELF_INTERFACES = {"ThreadControl": {"exit", "exit_process", "exit_unmap"}}


def gen_client_method(iface, m, h, c):
    up = snake(iface.name).upper()
    ids = f"CAPOS_IFACE_{up}, CAPOS_{up}_{m.name.upper()}"
    fn = f"capos_{snake(iface.name)}_{m.name}"
    args, in_pass, out_pass = client_params(iface, m)
    sync_args = args + (["uint32_t *out_len"] if m.out.has_tail() else [])
    out_len = "out_len" if m.out.has_tail() else "NULL"
    sig = f"int {fn}({', '.join(sync_args)})"
    h.append(sig + ";")
    if iface.name in SELF_INTERFACES and m.name in SELF_INTERFACES[iface.name]:
        if m.out.fields:
            raise DefError(f"{iface.name}.{m.name}: a method that ends the thread has no results")
        c += [sig, "{", f"\treturn capos_call_self_noreturn(rc, cap, {ids},",
              f"\t\t\t\t\t{in_pass});", "}", ""]
    else:
        call = "capos_call_self" if iface.name in SELF_INTERFACES else "capos_call_sync"
        c += [sig, "{", f"\treturn {call}(rc, cap, {ids},",
              f"\t\t\t       {in_pass}, {out_pass}, {out_len});", "}", ""]
    if iface.name in SELF_INTERFACES and m.is_async:
        raise DefError(f"{iface.name}.{m.name}: a call on the calling thread cannot be async")
    if not m.is_async:
        return
    sig = f"int {fn}_async({', '.join(args + ['uint64_t *user_data'])})"
    h.append(sig + ";")
    c += [sig, "{", f"\treturn capos_call_async(rc, cap, {ids},",
          f"\t\t\t\t{in_pass}, {out_pass}, user_data);", "}", ""]


def gen_client(ifaces):
    h = ["/* Generated by exo/iface/gen_iface.py from interfaces.def: do not edit. */",
         "#ifndef CAPOS_IFACE_CLIENT_H", "#define CAPOS_IFACE_CLIENT_H", "",
         "#include <stdint.h>", "#include <capos/iface.h>", "#include <capos/ring_client.h>", "",
         "/*",
         " * Typed client stubs, one per method: capos_<interface>_<method>(rc, cap,",
         " * [in], [out]) builds a CALL entry, submits it, waits for its completion",
         " * and returns the CQE status (0, a negative CAPOS_E* code or",
         " * CAPOS_STATUS_APP_ERROR).  A method without parameters (results) takes",
         " * no in (out) argument.  A bytes[] parameter tail takes its length in",
         " * in_len; a bytes[] result tail reports its length in *out_len (may be",
         " * NULL).  Methods marked async also get capos_<interface>_<method>_async,",
         " * which returns at once with the operation's user_data for",
         " * capos_ring_wait / a watch; its out buffer must stay valid until then.",
         " * The ThreadControl stubs act on the calling thread: they go through",
         " * capos_submit_self (capos_call_self), so no other thread's cap_enter",
         " * can perform them; capos_thread_control_exit does not come back when",
         " * the thread ends (a negative code when the entry could not be",
         " * submitted, 0 when the kernel refused).",
         " */"]
    c = ["/* Generated by exo/iface/gen_iface.py from interfaces.def: do not edit. */",
         "#include <stddef.h>", "#include <capos/iface_client.h>", ""]
    for iface in ifaces:
        h.append(f"/* {iface.name} */")
        for m in iface.methods:
            gen_client_method(iface, m, h, c)
    h += ["", "#endif", ""]
    return "\n".join(h), "\n".join(c)


def gen_service(ifaces, header_path):
    """Layouts and client stubs of user-served interfaces in one header."""
    for iface in ifaces:
        if iface.id < 0x1000:
            raise DefError(f"{iface.name}: a served interface needs an id from 0x1000")
    guard = guard_of(header_path)
    abi = gen_abi_header(ifaces, guard, count=False).split("\n")
    h, c = [], []
    for iface in ifaces:
        h.append(f"/* {iface.name} */")
        for m in iface.methods:
            gen_client_method(iface, m, h, c)
    name = header_path.rsplit("/", 1)[-1]
    head = abi[:abi.index("#include <stdint.h>") + 1] + ["#include <capos/ring_client.h>"]
    body = abi[abi.index("#include <stdint.h>") + 1:-3]
    hdr = head + body + ["/* Client stubs: see capos/iface_client.h */"] + h + ["", "#endif", ""]
    src = ["/* Generated by exo/iface/gen_iface.py: do not edit. */", "#include <stddef.h>",
           "#include <capos/iface_client.h>", f'#include "{name}"', ""] + c
    return "\n".join(hdr), "\n".join(src)


def gen_names(ifaces):
    """capos_iface_name: a sorted table searched by id."""
    out = ["/* Generated by exo/iface/gen_iface.py: do not edit. */",
           "#include <stddef.h>", "#include <stdint.h>", "",
           "const char *capos_iface_name(uint32_t id);", "",
           "static const struct { uint32_t id; const char *name; } iface_names[] = {"]
    for iface in sorted(ifaces, key=lambda i: i.id):
        out.append(f'\t{{ {iface.id:#x}u, "{iface.name}" }},')
    out += ["};", "",
            "const char *capos_iface_name(uint32_t id)", "{",
            "\tsize_t lo = 0, hi = sizeof iface_names / sizeof iface_names[0];", "",
            "\twhile (lo < hi) {", "\t\tsize_t mid = lo + (hi - lo) / 2;", "",
            "\t\tif (iface_names[mid].id == id)", "\t\t\treturn iface_names[mid].name;",
            "\t\tif (iface_names[mid].id < id)", "\t\t\tlo = mid + 1;", "\t\telse",
            "\t\t\thi = mid;", "\t}", "\treturn NULL;", "}", ""]
    return "\n".join(out)


def parse_more(ifaces, paths):
    """Add the interfaces of more .def files; ids and names stay unique across all."""
    for path in paths:
        for iface in parse(path):
            if any(i.id == iface.id or i.name == iface.name for i in ifaces):
                raise DefError(f"{path}: interface {iface.name} {iface.id:#x} clashes with another file's")
            ifaces.append(iface)
    return ifaces


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        ifaces = parse(argv[0])
    except DefError as e:
        print(f"gen_iface: {e}", file=sys.stderr)
        return 1
    mode = argv[1]
    if mode == "abi-header" and len(argv) == 3:
        write(argv[2], gen_abi_header(ifaces))
    elif mode == "service" and len(argv) == 4:
        try:
            h, c = gen_service(ifaces, argv[2])
        except DefError as e:
            print(f"gen_iface: {e}", file=sys.stderr)
            return 1
        write(argv[2], h)
        write(argv[3], c)
    elif mode == "names" and len(argv) >= 3:
        try:
            write(argv[2], gen_names(parse_more(ifaces, argv[3:])))
        except DefError as e:
            print(f"gen_iface: {e}", file=sys.stderr)
            return 1
    elif mode in ("kernel", "client") and len(argv) == 4:
        try:
            h, c = (gen_kernel if mode == "kernel" else gen_client)(ifaces)
        except DefError as e:
            print(f"gen_iface: {e}", file=sys.stderr)
            return 1
        write(argv[2], h)
        write(argv[3], c)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

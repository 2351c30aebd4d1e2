"""The benchmark's result lines, the rows each side must give, and how
capOS rows pair with their Linux counterparts.

Each guest prints, on its serial console,
  bench-result side=SIDE row=NAME unit=op|roundtrip|wakeup|spawn iters=N
      tsc_median=.. tsc_min=.. tsc_max=.. ns_median=.. ns_min=.. ns_max=..
  bench-error side=SIDE row=NAME ...      (a row that could not be measured)
  bench-info side=SIDE ...                (context: kernel, clock source)
  bench-done side=SIDE rows=K
Two clocks: under `-icount` the guest TSC counts instructions (the tsc_*
fields are deterministic); without it the ns_* fields are wall time.
"""

import math
import re

CLOCKS = {
    "icount": {"field": "tsc", "title": "guest TSC ticks under -icount shift=0 "
               "(1 tick = 1 guest instruction; deterministic)", "unit": "ticks"},
    "wall": {"field": "ns", "title": "wall-clock ns, no icount (host-dependent)", "unit": "ns"},
}

LINUX_ROWS = ["uring_nop_b1", "uring_nop_b16", "uring_nop_b256", "getpid", "clock_gettime",
              "clock_gettime_syscall",
              "pipe_pingpong", "unix_fd_pingpong", "futex_pingpong", "eventfd_pingpong",
              "spawn_to_main_fork_exec", "spawn_to_main_posix_spawn", "spawn_to_exit_fork_exec",
              "spawn_to_exit_posix_spawn"]
CAPOS_ROWS = ["ring_nop_b1", "ring_nop_b16", "ring_nop_b256", "cap_enter_empty", "null_call_b1",
              "null_call_b16", "endpoint_roundtrip", "endpoint_roundtrip_cap", "timer_now",
              "clock_now", "spawn_to_main", "spawn_to_exit", "park_pingpong", "irq_wakeup"]

# capOS row -> its Linux counterpart, in table order.
PAIRS = [
    ("ring_nop_b1", "uring_nop_b1"),
    ("ring_nop_b16", "uring_nop_b16"),
    ("ring_nop_b256", "uring_nop_b256"),
    ("cap_enter_empty", "getpid"),
    ("null_call_b1", "getpid"),
    ("null_call_b16", "getpid"),
    ("endpoint_roundtrip", "pipe_pingpong"),
    ("endpoint_roundtrip", "eventfd_pingpong"),
    ("endpoint_roundtrip_cap", "unix_fd_pingpong"),
    ("timer_now", "clock_gettime_syscall"),
    ("clock_now", "clock_gettime"),
    ("park_pingpong", "futex_pingpong"),
    ("spawn_to_main", "spawn_to_main_fork_exec"),     # two ways of starting a program on Linux
    ("spawn_to_main", "spawn_to_main_posix_spawn"),
    ("spawn_to_exit", "spawn_to_exit_fork_exec"),
    ("spawn_to_exit", "spawn_to_exit_posix_spawn"),
    ("irq_wakeup", None),      # no honest Linux counterpart (README "Benchmarks")
    ("tcp_connect_rr64", "tcp_connect_rr64"),   # --net: measured from the host (ci/bench/net.py)
    ("tcp_echo_64k", "tcp_echo_64k"),
]

def select_rows(names):
    """The rows of each side that names (of either side) select: those, and their pairs'."""
    capos = [p[0] for p in PAIRS if p[0] in CAPOS_ROWS and (p[0] in names or p[1] in names)]
    linux = [p[1] for p in PAIRS if p[1] in LINUX_ROWS and (p[0] in names or p[1] in names)]
    capos += [n for n in names if n in CAPOS_ROWS and n not in capos]
    linux += [n for n in names if n in LINUX_ROWS and n not in linux]
    return {"capos": list(dict.fromkeys(capos)), "linux": list(dict.fromkeys(linux))}


STAT_KEYS = ["median", "min", "max"]
LINE = re.compile(r"^bench-(result|error|info|done|exit) side=(\w+)(.*)$", re.MULTILINE)


def parse_fields(text):
    fields = {}
    for word in text.split():
        if "=" in word:
            key, value = word.split("=", 1)
            fields[key] = value
    return fields


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def parse_row(fields):
    row = {"unit": fields.get("unit"), "iters": number(fields.get("iters"))}
    for clock in ("tsc", "ns"):
        for key in STAT_KEYS:
            row[f"{clock}_{key}"] = number(fields.get(f"{clock}_{key}"))
    return row


def parse_log(text, side):
    """The rows, errors, info lines and done count one side printed."""
    out = {"rows": {}, "errors": [], "info": [], "done": None}
    for kind, who, rest in LINE.findall(text):
        if who != side:
            continue
        fields = parse_fields(rest)
        if kind == "result" and "row" in fields:
            out["rows"][fields["row"]] = parse_row(fields)
        elif kind == "error":
            out["errors"].append(rest.strip())
        elif kind == "info":
            out["info"].append(rest.strip())
        elif kind == "done":
            out["done"] = number(fields.get("rows"))
    return out


def row_problems(name, row):
    """What is wrong with one row's numbers (no speed is judged)."""
    problems = []
    if not row["iters"] or row["iters"] < 1:
        problems.append(f"{name}: iters {row['iters']}")
    for clock in ("tsc", "ns"):
        values = [row[f"{clock}_{k}"] for k in STAT_KEYS]
        if any(v is None or not math.isfinite(v) or v <= 0 for v in values):
            problems.append(f"{name}: {clock} values {values} are not all positive numbers")
        elif not values[1] <= values[0] <= values[2]:
            problems.append(f"{name}: {clock} min <= median <= max fails: {values}")
    return problems


def check_side(parsed, expected_rows):
    """Problems with one run of one side: missing rows, errors, bad values."""
    problems = ["bench-error " + e for e in parsed["errors"]]
    for name in expected_rows:
        if name not in parsed["rows"]:
            problems.append(f"{name}: no result")
        else:
            problems += row_problems(name, parsed["rows"][name])
    if parsed["done"] is None:
        problems.append("no bench-done line")
    return problems


def stats(row, clock):
    """median/min/max/iters of row in clock ("icount" or "wall"), or None."""
    if row is None:
        return None
    field = CLOCKS[clock]["field"]
    return {k: row[f"{field}_{k}"] for k in STAT_KEYS} | {"iters": row["iters"],
                                                          "unit": row["unit"]}


def pair_table(runs):
    """One entry per pair (and per unpaired row) with both clocks' numbers.

    runs[side][clock] is parse_log's result or None (that run is missing).
    """
    def row_of(side, clock, name):
        parsed = runs.get(side, {}).get(clock)
        return parsed["rows"].get(name) if parsed and name else None

    reported = {name for parsed in runs.get("capos", {}).values() if parsed
                for name in parsed["rows"]}
    names = [p for p in PAIRS if p[0] in CAPOS_ROWS or p[0] in reported]
    for side, rows in (("capos", 0), ("linux", 1)):
        seen = {p[rows] for p in names}
        for clock in CLOCKS:
            parsed = runs.get(side, {}).get(clock)
            for name in (parsed or {}).get("rows", {}):
                if name not in seen:
                    names.append((name, None) if side == "capos" else (None, name))
                    seen.add(name)
    table = []
    for capos_name, linux_name in names:
        entry = {"capos": capos_name, "linux": linux_name}
        for clock in CLOCKS:
            c = stats(row_of("capos", clock, capos_name), clock)
            lx = stats(row_of("linux", clock, linux_name), clock)
            ratio = c["median"] / lx["median"] if c and lx and lx["median"] else None
            entry[clock] = {"capos": c, "linux": lx, "ratio": ratio}
        table.append(entry)
    return table

"""The side-by-side table on the terminal and results.json.

One table per clock: each line pairs a capOS row with its Linux
counterpart (results.PAIRS) and shows median, min, max and iterations of
both, then the ratio of the medians, capOS/Linux.  A missing side shows "-".
"""

import json

from results import CLOCKS

COLUMNS = [("capOS row", 22), ("Linux row", 25), ("unit", 9),
           ("capOS med", 10), ("min", 9), ("max", 10), ("iters", 6),
           ("Linux med", 10), ("min", 9), ("max", 10), ("iters", 6), ("capOS/Linux", 11)]


def fmt(value):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.1f}"


def side_cells(s):
    if s is None:
        return ["-", "", "", ""]
    iters = "-" if s["iters"] is None else f"{s['iters']:.0f}"
    return [fmt(s["median"]), fmt(s["min"]), fmt(s["max"]), iters]


def unit_of(entry, clock):
    for side in ("capos", "linux"):
        s = entry[clock][side]
        if s and s.get("unit"):
            return s["unit"]
    return "-"


def line(cells):
    out = []
    for i, (cell, (_, width)) in enumerate(zip(cells, COLUMNS)):
        out.append(cell.ljust(width) if i < 3 else cell.rjust(width))
    return "  ".join(out).rstrip()


def format_table(table, clock):
    rows = [f"{CLOCKS[clock]['title']}; values in {CLOCKS[clock]['unit']} per unit",
            line([name for name, _ in COLUMNS])]
    for entry in table:
        numbers = entry[clock]
        if not numbers["capos"] and not numbers["linux"]:
            continue
        ratio = f"{numbers['ratio']:.2f}" if numbers["ratio"] is not None else "-"
        rows.append(line([entry["capos"] or "-", entry["linux"] or "-", unit_of(entry, clock)] +
                         side_cells(numbers["capos"]) + side_cells(numbers["linux"]) + [ratio]))
    return "\n".join(rows)


def print_tables(table, clocks):
    for clock in clocks:
        print()
        print(format_table(table, clock))
    print()


def write_json(path, document):
    with open(path, "w") as f:
        json.dump(document, f, indent=2, sort_keys=False)
        f.write("\n")

#!/usr/bin/env python3
"""./capos bench: the ring benchmark, capOS beside a Linux guest.

Boots each side in the same QEMU machine twice: with `-icount shift=0`
(the guest TSC counts instructions: deterministic) and without (wall-clock
ns).  Linux is Debian's kernel (the newest /boot/vmlinuz-*) with the
benchmark initramfs built by meson (bench/); capOS is the ESP image booted
with `init=bench`.  Prints one side-by-side table per clock with
capOS/Linux ratios, writes results.json and draws results.svg (gnuplot)
into the output directory; serial logs go to its logs/ folder.

Exit status: 0 when every run that was asked for gave its rows (with
--check: every row also has positive, ordered numbers), 1 otherwise,
2 for a usage error.
"""

import argparse
import os
import sys
import time

import boot
import chart
import net
import web
import report
import results


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build-dir", default=os.environ.get("CAPOS_BUILD_DIR", "build"))
    p.add_argument("--out-dir", help="results, chart and logs (default BUILD/bench)")
    p.add_argument("--quick", action="store_true", help="few samples: does it run at all?")
    p.add_argument("--check", action="store_true",
                   help="fail unless every expected row has sane non-zero numbers")
    side = p.add_mutually_exclusive_group()
    side.add_argument("--linux-only", action="store_true")
    side.add_argument("--capos-only", action="store_true")
    p.add_argument("--clock", choices=["icount", "wall", "both"], default="both")
    p.add_argument("--rows", type=lambda text: [w for w in text.split(",") if w],
                   help="only these rows (comma-separated, of either side) and their counterparts: "
                        "e.g. spawn_to_main,spawn_to_exit")
    p.add_argument("--kernel", help="Linux kernel to boot (default: newest /boot/vmlinuz-*)")
    p.add_argument("--accel", default=os.environ.get("CAPOS_ACCEL", "tcg"), choices=["tcg", "kvm"])
    p.add_argument("--cpu", default=os.environ.get("CAPOS_CPU", "max"))
    p.add_argument("--mem", default=os.environ.get("CAPOS_MEM", "512"), help="MiB")
    p.add_argument("--smp", default=os.environ.get("CAPOS_SMP", "1"))
    p.add_argument("--timeout", type=float, default=300, help="seconds per boot")
    p.add_argument("--net", action="store_true",
                   help="also the network rows (ci/bench/net.py): TCP connect + 64-byte round trip "
                        "and 64 KiB echo, from the host, wall clock")
    p.add_argument("--web", action="store_true",
                   help="also the web rows (ci/bench/web.py): wrk against GET /healthz of capOS's Web UI, "
                        "nginx and busybox httpd, keep-alive and Connection: close, wall clock")
    return p.parse_args(argv)


def say(text):
    print(f"bench: {text}", flush=True)


def tail(text, lines=30):
    return "\n".join(text.splitlines()[-lines:])


def inputs(args):
    """Paths the asked-for sides need; exits with a message if one is missing."""
    paths = {"initrd": os.path.join(args.build_dir, "bench", "capos-linux-initramfs.cpio"),
             "esp": os.path.join(args.build_dir, "exo", "boot", "capos-esp.img"),
             "kernel": args.kernel or boot.newest_kernel()}
    need = []
    if not args.capos_only:
        need += [("kernel", "no /boot/vmlinuz-*: install linux-image-amd64 (./capos deps)"),
                 ("initrd", "no benchmark initramfs: build first (./capos build; it needs "
                            "liburing-dev and busybox-static)")]
    if not args.linux_only:
        need += [("esp", "no capOS ESP image: build first (./capos build)")]
    for key, why in need:
        if not paths[key] or not os.path.exists(paths[key]):
            say(f"{why} [{paths[key]}]")
            sys.exit(2)
    return paths


def boot_side(side, clock, args, paths, machine, log):
    icount = clock == "icount"
    only = expected_rows(args)[side] if args.rows else []
    if side == "linux":
        init_args = (["--quick"] if args.quick else []) + [w for row in only for w in ("--only", row)]
        return boot.boot_linux(machine, icount, paths["kernel"], paths["initrd"], init_args, log)
    words = (["quick"] if args.quick else []) + [f"only={row}" for row in only]
    # loglevel=warn: the kernel's info lines (a process started, exited) would go out on the
    # serial port inside the spawn rows' samples; Linux boots quiet (boot.py) for the same reason
    cmdline = "init=bench exit=debug loglevel=warn" + (f" init.args={','.join(words)}" if words else "")
    return boot.boot_capos(machine, icount, paths["esp"], cmdline, log)


def describe_failure(side, b, parsed):
    """Why a run gave no results, or None if it did."""
    if side == "capos" and b.stopped_by and "no program" in b.stopped_by:
        return ("the capOS side is missing: the boot package has no 'bench' program "
                f"(the capOS log says: {b.stopped_by})")
    if parsed["done"] is not None:
        return None
    if b.timed_out:
        return f"no bench-done line within {b.elapsed:.0f} s (timeout)"
    if b.stopped_by:
        return f"stopped: {b.stopped_by}"
    return f"QEMU exited (status {b.status}) without a bench-done line" + \
        (f"; QEMU said: {b.qemu_stderr}" if b.qemu_stderr else "")


def run_one(side, clock, args, paths, machine, logs):
    """Boot one side with one clock; its parsed results, or None, and a record."""
    name = {"linux": "Linux", "capos": "capOS"}[side]
    log = os.path.abspath(os.path.join(logs, f"{side}-{clock}.log"))
    say(f"booting {name} ({clock}{', quick' if args.quick else ''})... serial log {log}")
    b = boot_side(side, clock, args, paths, machine, log)
    parsed = results.parse_log(b.text, side)
    failure = describe_failure(side, b, parsed)
    record = {"log": log, "elapsed_s": round(b.elapsed, 1), "qemu_status": b.status,
              "info": parsed["info"], "errors": parsed["errors"], "problem": failure}
    if failure:
        say(f"{name} ({clock}): {failure}")
        if "capOS side is missing" not in failure:
            print(f"--- last lines of {log} ---\n{tail(b.text)}\n--- full log: {log}")
        return None, record
    say(f"{name} ({clock}): {len(parsed['rows'])} rows in {b.elapsed:.1f} s")
    return parsed, record


def run_net(args, sides, paths, machine, logs, runs, records):
    """The network rows of each side, added to its wall-clock run."""
    for side in sides:
        name = {"linux": "Linux", "capos": "capOS"}[side]
        log = os.path.abspath(os.path.join(logs, f"{side}-net.log"))
        say(f"booting {name} with a NIC (network rows)... serial log {log}")
        rows, problem = net.run(side, machine, paths, log, args.quick)
        if problem:
            say(f"{name} network rows: {problem}")
            print(f"--- last lines of {log} ---\n{tail(boot.read_log(log))}\n--- full log: {log}")
            records[side]["net"] = {"log": log, "problem": problem}
            continue
        if runs[side].get("wall") is None:
            runs[side]["wall"] = {"rows": {}, "errors": [], "info": [], "done": None}
        runs[side]["wall"]["rows"].update(rows)
        records[side]["net"] = {"log": log, "problem": None}
        say(f"{name} network rows: {', '.join(rows)}")


def run_web(args, sides, paths, machine, logs, records):
    """The web rows of each side: a list of server measurements (printed as their own table)."""
    rows = []
    for side in sides:
        name = {"linux": "Linux", "capos": "capOS"}[side]
        log = os.path.abspath(os.path.join(logs, f"{side}-web.log"))
        say(f"booting {name} with a NIC (web rows)... serial log {log}")
        got, problem = web.run(side, machine, paths, log, args.quick)
        records[side]["web"] = {"log": log, "problem": problem}
        if problem:
            say(f"{name} web rows: {problem}")
            print(f"--- last lines of {log} ---\n{tail(boot.read_log(log))}\n--- full log: {log}")
            continue
        rows += got
    return rows


def expected_rows(args):
    """Each side's rows: all, or with --rows those named and their counterparts."""
    if not args.rows:
        return {"linux": results.LINUX_ROWS, "capos": results.CAPOS_ROWS}
    return results.select_rows(args.rows)


def check(args, runs, records):
    """--check: every run present and every expected row sane; problem list."""
    expected = expected_rows(args)
    problems = []
    for side, by_clock in records.items():
        for clock, record in by_clock.items():
            if clock in ("net", "web"):
                continue          # its problem already counts (verdict)
            parsed = runs[side][clock]
            if parsed is None:
                problems.append(f"{side} {clock}: {record['problem']}")
                continue
            problems += [f"{side} {clock}: {p}" for p in results.check_side(parsed, expected[side])]
    return problems


def write_outputs(args, out, paths, clocks, runs, records, table, web_rows):
    """results.json and the chart; says where they went."""
    machine_text = (f"{args.accel}, -cpu {args.cpu}, {args.mem} MiB, smp {args.smp}; "
                    f"icount: -icount {boot.ICOUNT}")
    document = {"machine": {"accel": args.accel, "cpu": args.cpu, "mem_mib": int(args.mem),
                            "smp": int(args.smp), "icount": boot.ICOUNT},
                "linux_kernel": paths["kernel"], "quick": args.quick,
                "clocks": {c: results.CLOCKS[c] for c in clocks},
                "runs": records, "results": runs, "pairs": table, "web": web_rows}
    json_path = os.path.join(out, "results.json")
    report.write_json(json_path, document)
    svg = chart.draw(os.path.join(out, "results"), table, clocks, machine_text)
    say(f"wrote {json_path}" + (f" and {svg}" if svg else " (no chart: install gnuplot-nox)"))


def verdict(args, sides, clocks, runs, records):
    """Exit status: 1 if a run gave nothing or --check found a problem."""
    missing = [f"{s} {c}" for s in sides for c in clocks if runs[s][c] is None]
    missing += [f"{s} {extra}" for s in sides for extra in ("net", "web")
                if (records[s].get(extra) or {}).get("problem")]
    problems = check(args, runs, records) if args.check else []
    for p in problems:
        say(f"check: {p}")
    if args.check and not problems:
        say("check: every row of every run has positive, ordered numbers")
    if missing:
        say(f"runs without results: {', '.join(missing)}")
    return 1 if missing or problems else 0


def main(argv):
    args = parse_args(argv)
    if args.rows:
        unknown = [r for r in args.rows if r not in results.LINUX_ROWS + results.CAPOS_ROWS]
        if unknown:
            say(f"no such row: {', '.join(unknown)}")
            return 2
    out = os.path.abspath(args.out_dir or os.path.join(args.build_dir, "bench"))
    logs = os.path.join(out, "logs")
    os.makedirs(logs, exist_ok=True)
    paths = inputs(args)
    machine = boot.Machine(args.accel, args.cpu, args.mem, args.smp, args.timeout)
    sides = ["linux"] if args.linux_only else ["capos"] if args.capos_only else ["capos", "linux"]
    sides = [s for s in sides if expected_rows(args)[s]]   # --rows may leave a side nothing to run
    clocks = ["icount", "wall"] if args.clock == "both" else [args.clock]
    start = time.monotonic()
    runs, records = {s: {} for s in sides}, {s: {} for s in sides}
    for clock in clocks:
        for side in sides:
            runs[side][clock], records[side][clock] = run_one(side, clock, args, paths,
                                                              machine, logs)
    if args.net:
        run_net(args, sides, paths, machine, logs, runs, records)
    web_rows = run_web(args, sides, paths, machine, logs, records) if args.web else []
    table = results.pair_table(runs)
    report.print_tables(table, clocks)
    if web_rows:
        print(web.format_table(web_rows, 3 if args.quick else 10))
        print()
    write_outputs(args, out, paths, clocks, runs, records, table, web_rows)
    say(f"done in {time.monotonic() - start:.0f} s")
    return verdict(args, sides, clocks, runs, records)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The benchmark chart: results.svg, drawn by gnuplot (Debian gnuplot-nox).

Two panels, one per clock, each a clustered bar chart on a log scale:
for every pair, the capOS median beside the Linux median.  The data and
the gnuplot script are kept beside the SVG (results.dat, results.gp).
"""

import shutil
import subprocess

from results import CLOCKS

SCRIPT = """\
set terminal svg size 1200,{height} dynamic font "sans,11" noenhanced background rgb "white"
set output "{svg}"
set datafile missing "-"
set datafile separator "\\t"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set key top left
set xtics rotate by -40 left nomirror
set rmargin 16
set bmargin 13
set multiplot layout {panels},1 title "capOS vs Linux guest, same QEMU machine ({machine})"
{plots}
unset multiplot
"""

PLOT = """\
set title "{title}"
set ylabel "{unit} per op / round trip (median)"
plot "{dat}" using {capos}:xtic(1) title "capOS" linecolor rgb "#1f77b4", \\
     "" using {linux} title "Linux" linecolor rgb "#ff7f0e"
"""


def value(entry, clock, side):
    s = entry[clock][side]
    return "-" if s is None or s["median"] is None else f"{s['median']:.3f}"


def write_data(path, table, clocks):
    with open(path, "w") as f:
        f.write("# pair\t" + "\t".join(f"capos_{c}\tlinux_{c}" for c in clocks) + "\n")
        for entry in table:
            label = f"{entry['capos'] or '-'} : {entry['linux'] or '-'}"
            cells = [value(entry, c, side) for c in clocks for side in ("capos", "linux")]
            f.write(label + "\t" + "\t".join(cells) + "\n")


def draw(out_prefix, table, clocks, machine_text):
    """Write out_prefix.{dat,gp,svg}; the SVG's path, or None without gnuplot."""
    gnuplot = shutil.which("gnuplot")
    dat, gp, svg = (out_prefix + ext for ext in (".dat", ".gp", ".svg"))
    write_data(dat, table, clocks)
    plots = "".join(PLOT.format(title=CLOCKS[c]["title"], unit=CLOCKS[c]["unit"], dat=dat,
                                capos=2 + 2 * i, linux=3 + 2 * i) for i, c in enumerate(clocks))
    with open(gp, "w") as f:
        f.write(SCRIPT.format(height=560 * len(clocks), svg=svg, panels=len(clocks),
                              machine=machine_text, plots=plots))
    if not gnuplot:
        return None
    r = subprocess.run([gnuplot, gp], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"gnuplot failed: {r.stderr.strip()}")
    return svg

"""Charts as image files (``--plot FILE.svg`` / ``FILE.png``): throughput against a
setting's value, one line per driver and direction, the recommended value marked, the
bus ceiling and line rate drawn across -- the chart the seed's author would have drawn.

matplotlib draws them, imported only here and only when a chart is asked for (it is an
optional extra, ``pip install 'nicdb[plot]'``; importing it costs about half a second,
so no one-shot command may load this module otherwise). Its object API is used, never
pyplot: no GUI backend, no global state. The image is WIDTH × HEIGHT pixels; the SVG
keeps its text as text and carries no date, and both formats name their series in
their metadata (``Description``), so a test (or a user) can tell what was drawn.
"""

from __future__ import annotations

import os

from nicdb.errors import InputError
from nicdb.render.blocks import Chart

WIDTH, HEIGHT, DPI = 960, 540, 100
FORMATS = ("svg", "png")


def check_path(path: str) -> str:
    """The format of an image file name (svg or png); InputError for anything else."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext not in FORMATS:
        raise InputError(f"--plot {path!r}: the file name must end in .svg or .png")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"--plot {path!r}: no folder {parent}")
    return ext


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("--plot needs matplotlib: pip install 'nicdb[plot]' (or pip install matplotlib)") from None
    return matplotlib, Figure


def _x(chart: Chart, x):
    if chart.categories is None:
        return x
    return chart.categories.index(str(x)) if str(x) in chart.categories else None


def save(chart: Chart, path: str) -> str:
    """Draw ``chart`` into ``path`` (.svg or .png). Returns the path."""
    fmt = check_path(path)
    if not chart.series:
        raise InputError("nothing to plot: the set has no rows that vary a setting")
    matplotlib, Figure = _matplotlib()
    described = "; ".join(s.label for s in chart.series)
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "nicdb", "font.size": 10}):
        fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        ax = fig.add_subplot()
        colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
        groups: dict[str, str] = {}
        ymax = 0.0
        for s in chart.series:
            color = groups.setdefault(s.group or s.label, colors[len(groups) % len(colors)])
            pts = [(_x(chart, x), y, lo, hi) for x, y, lo, hi in zip(s.xs, s.ys, s.low, s.high)]
            pts = [p for p in pts if p[0] is not None]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            line = ax.plot(xs, ys, marker="o", markersize=4, linestyle="--" if s.dashed else "-", color=color,
                           label=s.label)[0]
            line.set_gid(f"series:{s.label}")
            spread = [(x, y, lo, hi) for x, y, lo, hi in pts if lo is not None and hi is not None]
            if spread:
                ax.errorbar([p[0] for p in spread], [p[1] for p in spread],
                            yerr=[[p[1] - p[2] for p in spread], [p[3] - p[1] for p in spread]],
                            fmt="none", ecolor=color, capsize=3, linewidth=1)
                ymax = max(ymax, max(p[3] for p in spread))
            ymax = max([ymax, *ys])
        for y, label, kind in chart.levels:
            ax.axhline(y, color="0.35" if kind == "bus" else "0.6", linestyle="-." if kind == "bus" else ":",
                       linewidth=1.2, label=label).set_gid(f"level:{kind}")
            ymax = max(ymax, y)
        for x, label in chart.marks:
            xv = _x(chart, x)
            if xv is not None:
                ax.axvline(xv, color="tab:red", linestyle=":", linewidth=1.5, label=label).set_gid("recommended")
        if chart.categories is not None:
            long = max(len(c) for c in chart.categories) > 8
            ax.set_xticks(range(len(chart.categories)), chart.categories, rotation=20 if long else 0,
                          ha="right" if long else "center", fontsize=8 if long else None)
        ax.set_ylim(0, ymax * 1.08 if ymax else 1)
        ax.set_title(chart.title, fontsize=11, wrap=True)
        ax.set_xlabel(chart.xlabel)
        ax.set_ylabel(chart.ylabel)
        ax.grid(True, linewidth=0.4, alpha=0.5)
        ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
        if chart.notes:
            fig.text(0.01, 0.01, " ".join(chart.notes), fontsize=7, color="0.4")
        fig.tight_layout()
        meta = {"Title": chart.title, "Description": f"series: {described}"}
        if fmt == "svg":
            meta["Date"] = None
        else:
            meta["Software"] = "nicdb"
        try:
            fig.savefig(path, format=fmt, dpi=DPI, metadata=meta)
        except OSError as e:
            raise InputError(f"--plot {path!r}: cannot write: {e.strerror or e}") from None
    return path

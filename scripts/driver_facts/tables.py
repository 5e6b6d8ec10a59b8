"""The fact tables: rows from the per-series facts, TSV rendering, series lists.

Every table is a TSV file: one ``# col<TAB>col...`` header line naming the columns, then
one row per line, sorted. A ``series`` cell lists the kernel series a row holds in,
ascending, separated by single spaces (``5.10 6.1 6.12 7.2``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping, Sequence

from .modinfo import ModuleInfo

SERIES_SPELLING = (
    "kernel series are MAJOR.MINOR as upstream numbers them (5.10, 6.1, 6.12); a series cell lists "
    "the series a row holds in, ascending by version, separated by single spaces"
)

COLUMNS = {
    "modules.tsv": ("module", "series", "path"),
    "aliases.tsv": ("alias", "module", "series"),
    "params.tsv": ("module", "parameter", "type", "series"),
    "firmware.tsv": ("module", "firmware", "series"),
    "firmware-packages.tsv": ("file", "release", "package", "version", "target"),
}


def series_key(series: str) -> tuple[int, ...]:
    return tuple(int(x) for x in series.split("."))


def series_cell(series: Iterable[str]) -> str:
    return " ".join(sorted(set(series), key=series_key))


def build(per_series: Mapping[str, Mapping[str, ModuleInfo]],
          shipped: Iterable[tuple[str, str, str, str, str]],
          release_order: Sequence[str]) -> dict[str, list[tuple[str, ...]]]:
    """All tables' rows. ``per_series``: series -> module name -> kept module facts;
    ``shipped``: firmware-packages rows; ``release_order``: releases, oldest first."""
    mods: dict[str, list[str]] = defaultdict(list)
    path: dict[str, str] = {}
    aliases: dict[tuple[str, str], list[str]] = defaultdict(list)
    params: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    firmware: dict[tuple[str, str], list[str]] = defaultdict(list)
    for series in sorted(per_series, key=series_key):  # oldest first: newest path wins
        for name, info in per_series[series].items():
            mods[name].append(series)
            path[name] = info.path
            for a in info.pci_aliases:
                aliases[(a, name)].append(series)
            for p, t in info.params.items():
                params[(name, p, t)].append(series)
            for f in info.firmware:
                firmware[(name, f)].append(series)
    rel_index = {r: i for i, r in enumerate(release_order)}
    out = {
        "modules.tsv": sorted((m, series_cell(s), path[m]) for m, s in mods.items()),
        "aliases.tsv": sorted((a, m, series_cell(s)) for (a, m), s in aliases.items()),
        # a retyped parameter is one row per type, the oldest series' type first
        "params.tsv": sorted(
            ((m, p, t, series_cell(s)) for (m, p, t), s in params.items()),
            key=lambda r: (r[0], r[1], series_key(r[3].split()[0]), r[2]),
        ),
        "firmware.tsv": sorted((m, f, series_cell(s)) for (m, f), s in firmware.items()),
        "firmware-packages.tsv": sorted(set(shipped), key=lambda r: (r[0], rel_index.get(r[1], 99), r[2:])),
    }
    return out


def render(name: str, rows: Iterable[Sequence[str]]) -> str:
    cols = COLUMNS[name]
    lines = ["# " + "\t".join(cols)]
    for row in rows:
        if len(row) != len(cols):
            raise ValueError(f"{name}: row {row!r} has {len(row)} cells, expected {len(cols)}")
        for cell in row:
            if "\t" in cell or "\n" in cell:
                raise ValueError(f"{name}: a cell holds a tab or newline: {cell!r}")
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


def parse(text: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Columns and rows of a table file (what :func:`render` wrote)."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# "):
        raise ValueError("a table starts with a '# column<TAB>...' header line")
    cols = tuple(lines[0][2:].split("\t"))
    return cols, [tuple(ln.split("\t")) for ln in lines[1:] if ln]

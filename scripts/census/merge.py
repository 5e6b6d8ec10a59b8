"""Merge the places found in several kernel trees: a place present in more than one
version (same module, file, function, kind, range and clause) is one row with the
version range."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .scan import Hit


def vkey(v: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[.-]", v))


@dataclass
class Row:
    versions: str
    module: str
    ids: str
    range: str
    kind: str
    read_from: str
    file: str
    line: int
    older_lines: str
    family: str = ""
    note: str = ""
    auto_note: str = ""
    present: list[str] = field(default_factory=list)


def span(present: list[str], order: list[str]) -> str:
    """'5.10-6.12' when the versions are consecutive among the trees read, else a list."""
    idx = sorted(order.index(v) for v in present)
    if idx == list(range(idx[0], idx[-1] + 1)):
        return present[0] if len(idx) == 1 else f"{order[idx[0]]}-{order[idx[-1]]}"
    return ",".join(order[i] for i in idx)


def merge(hits: list[Hit], versions: list[str]) -> list[Row]:
    order = sorted(versions, key=vkey)
    groups: dict[tuple, list[Hit]] = {}
    for h in hits:
        # the module is not part of the key: a renamed module (octeontx2_af -> rvu_af) keeps its rows
        groups.setdefault((h.file, h.function, h.kind, h.range, h.read_from, h.key), []).append(h)
    rows = []
    for g in groups.values():
        g.sort(key=lambda h: vkey(h.version))
        newest = g[-1]
        present = [h.version for h in g]
        older = " ".join(f"{h.version}:{h.line}" for h in g[:-1] if h.line != newest.line)
        ids = newest.ids or next((h.ids for h in reversed(g) if h.ids), "")
        rows.append(Row(span(present, order), newest.module, ids, newest.range, newest.kind, newest.read_from,
                        newest.file, newest.line, older, auto_note=newest.auto_note, present=present))
    rows.sort(key=lambda r: (r.file, r.line, r.versions))
    return rows

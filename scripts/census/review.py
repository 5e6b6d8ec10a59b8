"""The reviewed annotations (data/census/review.tsv) applied to the rows the scan found.

Each review line names a place -- ``FILE:LINE`` (the line in the newest version the row
is found in), ``FILE:*`` (every row of a file) or ``module=NAME`` (every row of a
module) -- and gives any of: a corrected kind, range or PCI IDs, the family id that
covers it, and a note. The most specific line wins, field by field."""

from __future__ import annotations

from pathlib import Path

from .merge import Row

FIELDS = ("where", "kind", "range", "ids", "family", "note")


class ReviewError(ValueError):
    pass


def load(path: Path) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if len(cells) != len(FIELDS):
            raise ReviewError(f"{path}:{n}: expected {len(FIELDS)} tab-separated fields, got {len(cells)}")
        rec = dict(zip(FIELDS, (c.strip() for c in cells)))
        if rec["where"] in out:
            raise ReviewError(f"{path}:{n}: {rec['where']} is reviewed twice")
        out[rec["where"]] = rec
    return out


def apply(rows: list[Row], review: dict[str, dict[str, str]]) -> list[str]:
    """Annotate rows in place; returns the review entries that matched no row."""
    used: set[str] = set()
    for r in rows:
        keys = [f"module={r.module}", f"{r.file}:*", f"{r.file}:{r.line}"]
        for k in keys:  # least to most specific
            rec = review.get(k)
            if not rec:
                continue
            used.add(k)
            for f in ("kind", "range", "ids", "family", "note"):
                if rec[f]:
                    setattr(r, f, "" if rec[f] == "-" and f in ("family", "note") else rec[f])
    return sorted(set(review) - used)

"""The census table as TSV: a provenance header, a '#' column header, one row a place."""

from __future__ import annotations

from pathlib import Path

from .merge import Row

COLUMNS = ("versions", "module", "ids", "range", "kind", "read_from", "file", "line", "older_lines", "family",
           "note")
KINDS = {
    "threshold": "behaviour changes above/below a revision",
    "match": "behaviour for particular revisions (==, !=, switch cases)",
    "table": "a revision-keyed table (array indexed by, or entries matched on, the revision)",
    "refuse": "the probe fails for a revision range",
    "store": "the revision is read and kept or passed on; decisions, if any, are other rows",
    "chip-register": "the revision is read from a chip register instead of PCI config space",
    "other-device": "another device's revision (a bridge, a host chipset) decides",
    "log": "the revision is only printed to the kernel log",
    "ethtool": "the revision is only reported through ethtool (drvinfo, register dump version)",
    "not-revision": "a false positive kept for the record (reviewed)",
}
READ_FROM = ("pci", "register", "other")


def _cell(v) -> str:
    return str(v).replace("\t", " ").replace("\n", " ")


def dump(rows: list[Row], provenance: list[str]) -> str:
    lines = [f"# {p}" for p in provenance]
    lines.append("#" + "\t".join(COLUMNS))
    for r in rows:
        lines.append("\t".join(_cell(getattr(r, c)) for c in COLUMNS))
    return "\n".join(lines) + "\n"


def write(path: Path, rows: list[Row], provenance: list[str]) -> None:
    path.write_text(dump(rows, provenance), encoding="utf-8")


def read(path: Path) -> list[dict[str, str]]:
    """Rows of a written table as dicts (the test over the committed table uses this)."""
    header, rows = None, []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#"):
            cells = raw[1:].split("\t")
            if tuple(cells) == COLUMNS:
                header = cells
            continue
        if not raw.strip():
            continue
        if header is None:
            raise ValueError(f"{path}: no column header before the first row")
        cells = raw.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{path}: a row has {len(cells)} cells, expected {len(header)}")
        rows.append(dict(zip(header, cells)))
    return rows

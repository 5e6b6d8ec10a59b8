"""PROVENANCE.toml: the input packages, the rules, the command and the date of a run.

The ``generated`` date is the only field that is not a function of the input packages.
It is kept from the previous PROVENANCE.toml when the inputs (file names and SHA-256) are
the same, so a re-run on the same packages writes byte-identical files; with new inputs
it is ``SOURCE_DATE_EPOCH`` (as a UTC date) when that is set, else today's UTC date.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = 1
DATE_RULE = (
    "generated is the UTC date of the run that first produced these inputs: kept from the previous "
    "PROVENANCE.toml while the inputs (file names and SHA-256) are unchanged, else SOURCE_DATE_EPOCH "
    "when set, else the day of the run; no other file carries it"
)


class ProvenanceError(ValueError):
    pass


@dataclass
class Input:
    kind: str  # kernel | firmware
    release: str
    file: str
    package: str = ""
    version: str = ""
    suite: str = ""
    series: str = ""  # kernel only
    sha256: str = ""
    matched: int | None = None  # firmware only: declared files it ships

    def key(self) -> tuple[str, str]:
        return (self.file, self.sha256)


@dataclass
class Provenance:
    generated: str
    inputs: list[Input]
    series: list[str]
    releases: list[str]
    rules: dict[str, str]
    counts: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    command: str = "python scripts/gen_driver_facts.py"
    offline_command: str = "python scripts/gen_driver_facts.py --packages DIR"


def q(value: Any) -> str:
    """A TOML value: strings as basic strings (JSON escapes are valid TOML), ints as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(q(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def render(p: Provenance, series_spelling: str) -> str:
    lines = [
        "# Inputs and rules of data/driver-facts/*.tsv, written by scripts/gen_driver_facts.py.",
        f"schema = {SCHEMA}",
        f"generated = {q(p.generated)}",
        f"command = {q(p.command)}",
        f"offline_command = {q(p.offline_command)}",
        f"series = {q(p.series)}",
        f"releases = {q(p.releases)}",
        f"series_spelling = {q(series_spelling)}",
        "",
        "[rules]",
    ]
    lines += [f"{k} = {q(v)}" for k, v in p.rules.items()]
    lines += ["date = " + q(DATE_RULE)]
    for group, table in p.counts.items():
        for name, nums in table.items():
            lines += ["", f"[counts.{group}.{q(name)}]"] + [f"{k} = {v}" for k, v in nums.items()]
    for i in p.inputs:
        lines += ["", "[[inputs]]"]
        for k in ("kind", "series", "release", "suite", "package", "version", "file", "sha256", "matched"):
            v = getattr(i, k)
            if v not in ("", None):
                lines.append(f"{k} = {q(v)}")
    return "\n".join(lines) + "\n"


def read_inputs(path: str | os.PathLike) -> tuple[list[Input], str | None]:
    """The ``[[inputs]]`` of a PROVENANCE.toml (or a hand-written list of the same shape),
    and its ``generated`` date if any."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProvenanceError(f"{path}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ProvenanceError(f"{path}: not TOML: {e}") from None
    if doc.get("schema") != SCHEMA:
        raise ProvenanceError(f"{path}: schema must be {SCHEMA}")
    out = []
    for n, raw in enumerate(doc.get("inputs", []), 1):
        if not isinstance(raw, dict):
            raise ProvenanceError(f"{path}: inputs entry {n} is not a table")
        known = set(Input.__dataclass_fields__)
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ProvenanceError(f"{path}: inputs entry {n}: unknown key {unknown[0]!r}")
        for k in ("kind", "release", "file"):
            if not isinstance(raw.get(k), str) or not raw[k]:
                raise ProvenanceError(f"{path}: inputs entry {n}: {k} is missing")
        if raw["kind"] not in ("kernel", "firmware"):
            raise ProvenanceError(f"{path}: inputs entry {n}: kind must be kernel or firmware")
        if "/" in raw["file"]:
            raise ProvenanceError(f"{path}: inputs entry {n}: file must be a bare file name")
        out.append(Input(**raw))
    if not out:
        raise ProvenanceError(f"{path}: lists no [[inputs]]")
    gen = doc.get("generated")
    return out, gen if isinstance(gen, str) else None


def run_date(old: str | None, old_inputs: list[Input] | None, inputs: list[Input]) -> str:
    """The ``generated`` value, per :data:`DATE_RULE`."""
    if old and old_inputs is not None and sorted(i.key() for i in old_inputs) == sorted(i.key() for i in inputs):
        return old
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(_dt.timezone.utc).date().isoformat()

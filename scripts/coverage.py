#!/usr/bin/env python3
"""How many NICs nicdb has something to say about, over folders of lspci outputs.

    .venv/bin/python scripts/coverage.py DIR_OR_FILE... [--json]

Every file below each DIR (kernel logs, indexes and READMEs left out: names starting
with ``dmesg``, ``INDEX`` or ``README``) is read as nicdb reads ``--from FILE``, and each
NIC of it counted once per file:

- chip notes: nicdb's curated notes name the chip at its revision (data/families);
- candidate drivers with series: a candidate module (or the driver in use) the driver
  facts know, with the kernel series that carry it; "binding the ID" when the series
  of its aliases that match the device's ID are known too (not for name-only lspci
  output whose device name nicdb cannot map back to an ID);
- parameter facts: such a module takes at least one parameter (its types per series);
  "or takes none" also counts modules the facts say take no parameters (r8169);
- firmware facts: the firmware files its driver may request, with the packages that
  ship them; "or declares none" also counts drivers the facts say request none;
- no chip notes: the NICs whose advice was only ``use X (no chip notes)`` before the
  driver facts, and those for which nicdb still knows nothing beyond the driver's
  name and series (no parameter, no firmware facts).

Offline: the kernel is unknown (the newest series), and no host files are seen. Rerun
it after merges that add families or facts; it prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SKIP = ("dmesg", "INDEX", "README")


def inputs(args: list[str]) -> list[Path]:
    out = []
    for a in args:
        p = Path(a)
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(SKIP))
        else:
            raise SystemExit(f"coverage: {a}: no such file or folder")
    return out


def count(files: list[Path]) -> dict:
    from nicdb.errors import NicdbError
    from nicdb.inputs import read_path
    from nicdb.kb.store import KnowledgeBase
    from nicdb.report import identify

    kb = KnowledgeBase.open()
    c = {"files": len(files), "unreadable": 0, "nics": 0, "chip_notes": 0, "candidates_with_series": 0,
         "candidates_binding_the_id": 0,
         "parameter_facts": 0, "parameter_facts_or_none": 0, "firmware_facts": 0, "firmware_facts_or_none": 0,
         "only_no_chip_notes_before": 0, "only_no_chip_notes_now": 0}
    for f in files:
        try:
            doc = identify(read_path(str(f), nics_only=True), kb, kernel=None)
        except NicdbError:
            c["unreadable"] += 1
            continue
        for rep in doc.nics:
            c["nics"] += 1
            mods = rep.facts.modules if rep.facts else []
            c["chip_notes"] += rep.chip is not None
            c["candidates_with_series"] += bool(mods)
            c["candidates_binding_the_id"] += any(m.binds or m.carried for m in mods)
            c["parameter_facts"] += any(m.params for m in mods)
            c["parameter_facts_or_none"] += bool(mods)
            c["firmware_facts"] += bool(rep.firmware)
            c["firmware_facts_or_none"] += bool(rep.firmware) or (bool(mods) and rep.firmware_state == "none")
            bare = rep.chip is None and "(no chip notes" in rep.summary
            c["only_no_chip_notes_before"] += bare
            c["only_no_chip_notes_now"] += bare and not any(m.params for m in mods) and not rep.firmware
    return c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", metavar="DIR_OR_FILE")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = ap.parse_args()
    os.environ.setdefault("NICDB_OVERLAY", "/nonexistent-nicdb-overlay")  # nicdb's own data only
    c = count(inputs(args.paths))
    if args.json:
        print(json.dumps(c, indent=2))
        return 0
    n = c["nics"] or 1

    def pct(k: str) -> str:
        return f"{c[k]} ({100 * c[k] / n:.0f}%)"

    print(f"{c['files']} files ({c['unreadable']} not readable as lspci output), {c['nics']} NICs\n")
    print("| NICs that get | count |\n| --- | --- |")
    for key, what in (("chip_notes", "chip notes (data/families)"),
                      ("candidates_with_series", "candidate drivers with the kernel series that carry them"),
                      ("candidates_binding_the_id", "... and the series whose aliases bind the device's ID"),
                      ("parameter_facts", "parameter facts (at least one parameter, types per series)"),
                      ("parameter_facts_or_none", "parameter facts, or the fact that the driver takes none"),
                      ("firmware_facts", "firmware facts (files the driver may request, with packages)"),
                      ("firmware_facts_or_none", "firmware facts, or the fact that the driver requests none"),
                      ("only_no_chip_notes_before", "no chip notes (before the driver facts: \"use X (no chip "
                                                    "notes)\" only)"),
                      ("only_no_chip_notes_now", "nothing beyond \"use X (no chip notes)\" and the series")):
        print(f"| {what} | {pct(key)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

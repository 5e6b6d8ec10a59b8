#!/usr/bin/env python3
"""How many NICs of a corpus get chip notes, and how often the PCI revision's guess agrees
with the chip the kernel log names.

Usage::

    python scripts/corpus_log_agreement.py [--json] [--db FILE] INPUT...

Each INPUT is a machine: a folder holding ``lspci.txt`` and, when there is one, a kernel
log (``dmesg-excerpt.txt``, ``dmesg.txt``, ``dmesg``, ``kern.log``, ``journal.txt``) --
the shape of the shared corpus's ``linuxhw/`` folders -- or one file of lspci output (the
corpus's ``lspci/`` files; ``INDEX.tsv`` and ``README*`` are skipped). Each is read the
way ``nicdb identify --from LSPCI --dmesg LOG`` reads it, and counted:

- NICs, and NICs with chip notes: a knowledge-base chip row for their ID and revision
  (``chip``), and a chip row or a chip the log names (``chip`` or ``log_chip``);
- NICs whose kernel log names a chip, and of those whether the revision's row agrees
  with it (``log_agrees`` true), disagrees (false), cannot be compared (null, with a
  revision row), or has no revision row to compare (the log is the only identification).

Inputs nicdb cannot read are listed with their one-line error and not counted. Standard
library and nicdb only; the database is nicdb's usual one (or ``--db``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

LOG_NAMES = ("dmesg-excerpt.txt", "dmesg.txt", "dmesg", "kern.log", "journal.txt")
SKIP = ("INDEX.tsv",)


def machines(args: list[str]) -> list[tuple[str, str, str | None]]:
    """(name, lspci file, log file or None) for every input."""
    out = []
    for a in args:
        if os.path.isdir(a):
            lspci = os.path.join(a, "lspci.txt")
            if not os.path.isfile(lspci):
                continue
            log = next((os.path.join(a, n) for n in LOG_NAMES if os.path.isfile(os.path.join(a, n))), None)
            out.append((os.path.basename(os.path.normpath(a)), lspci, log))
        elif os.path.isfile(a) and os.path.basename(a) not in SKIP and not os.path.basename(a).startswith("README"):
            out.append((os.path.basename(a), a, None))
    return out


def count(machine_list, kb) -> dict:
    from nicdb import inputs
    from nicdb.errors import NicdbError
    from nicdb.report import identify

    totals = {"machines": 0, "machines_with_log": 0, "nics": 0, "nics_with_log": 0, "chip_row": 0,
              "chip_row_or_log_chip": 0, "log_names_chip": 0, "agrees": 0, "disagrees": 0, "not_comparable": 0,
              "no_revision_row": 0}
    rows, failed = [], []
    for name, lspci, log in machine_list:
        try:
            reading = inputs.with_kernel_log(inputs.read_path(lspci, nics_only=False), log)
            doc = identify(reading, kb, kernel=reading.kernel)
        except NicdbError as e:
            failed.append({"machine": name, "error": str(e)})
            continue
        totals["machines"] += 1
        totals["machines_with_log"] += log is not None
        for rep in doc.nics:
            lc = rep.log_chip
            agrees = rep.log_agrees
            state = ("-" if lc is None else "no revision row" if rep.chip is None else
                     {True: "agrees", False: "disagrees", None: "not comparable"}[agrees])
            totals["nics"] += 1
            totals["nics_with_log"] += log is not None
            totals["chip_row"] += rep.chip is not None
            totals["chip_row_or_log_chip"] += rep.chip is not None or lc is not None
            if lc is not None:
                totals["log_names_chip"] += 1
                key = {"agrees": "agrees", "disagrees": "disagrees", "not comparable": "not_comparable",
                       "no revision row": "no_revision_row"}[state]
                totals[key] += 1
            d = rep.device
            rows.append({"machine": name, "slot": d.slot, "id": d.id_text,
                         "revision": None if d.revision is None else f"{d.revision:02x}",
                         "driver": d.driver, "chip": rep.chip["chip"] if rep.chip else None,
                         "log_chip": lc["chip"] if lc else None, "log_via": lc["via"] if lc else None,
                         "agreement": state, "why": (lc or {}).get("why")})
    return {"totals": totals, "nics": rows, "failed": failed}


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def show(res: dict) -> str:
    t = res["totals"]
    lines = [f"{'machine':<46} {'slot':<13} {'id':<10} {'rev':<4} {'revision row':<34} {'log chip':<26} agreement"]
    for r in res["nics"]:
        lines.append(f"{r['machine'][:46]:<46} {r['slot']:<13} {r['id']:<10} {r['revision'] or '??':<4} "
                     f"{(r['chip'] or '-')[:34]:<34} {(r['log_chip'] or '-')[:26]:<26} {r['agreement']}")
    lines += ["", f"machines read: {t['machines']} ({t['machines_with_log']} with a kernel log); "
                  f"{len(res['failed'])} not readable",
              f"NICs: {t['nics']} ({t['nics_with_log']} with a kernel log)",
              f"NICs with chip notes (a chip row for ID and revision): {t['chip_row']} ({pct(t['chip_row'], t['nics'])})",
              f"NICs with a chip row or a chip the log names: {t['chip_row_or_log_chip']} "
              f"({pct(t['chip_row_or_log_chip'], t['nics'])})",
              f"NICs whose log names a chip: {t['log_names_chip']} "
              f"({pct(t['log_names_chip'], t['nics_with_log'])} of those with a log)",
              f"  revision row agrees: {t['agrees']}; disagrees: {t['disagrees']}; cannot be compared: "
              f"{t['not_comparable']}; no revision row (the log alone names it): {t['no_revision_row']}"]
    for f in res["failed"]:
        lines.append(f"not read: {f['machine']}: {f['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", metavar="INPUT", help="machine folders (lspci.txt + log) or lspci files")
    ap.add_argument("--json", action="store_true", help="print the counts and every NIC as JSON")
    ap.add_argument("--db", help="the nicdb database to use (default: nicdb's)")
    a = ap.parse_args(argv)
    from nicdb.kb.store import KnowledgeBase

    found = machines(a.inputs)
    if not found:
        print("corpus_log_agreement: no machine in the inputs (a folder with lspci.txt, or an lspci file)",
              file=sys.stderr)
        return 2
    with KnowledgeBase.open(a.db, warn=lambda m: print(f"warning: {m}", file=sys.stderr)) as kb:
        res = count(found, kb)
    print(json.dumps(res, indent=2) if a.json else show(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())

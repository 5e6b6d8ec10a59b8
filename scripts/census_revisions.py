#!/usr/bin/env python3
"""Census of revision dependence in Linux network drivers (issue 13).

    python scripts/census_revisions.py --tree 6.12=/path/linux-source-6.12 \\
        --tree 5.10=/path/linux-source-5.10 [--review data/census/review.tsv] \\
        [--provenance TEXT ...] [-o data/census/revision-dependence.tsv]

Reads drivers/net of each tree and lists every place a driver depends on the PCI
revision (see data/census/README.md for the kinds and columns). Rows found in several
trees are merged into one with the version range. With --review the reviewed
annotations are applied. Standard library only. Without -o the table goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from census import merge, review, scan, table  # noqa: E402


def fail(msg: str) -> int:
    print(f"census_revisions: {msg}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="List the places Linux network drivers depend on the PCI revision.")
    ap.add_argument("--tree", action="append", required=True, metavar="VERSION=PATH",
                    help="a kernel source tree and its version label; repeat for several")
    ap.add_argument("--review", type=Path, help="reviewed annotations to apply (TSV)")
    ap.add_argument("--provenance", action="append", default=[], metavar="TEXT",
                    help="a line for the table's provenance header (package and version of a tree)")
    ap.add_argument("-o", "--output", type=Path, help="write the table here instead of stdout")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    reviewed = {}
    if args.review:
        if not args.review.is_file():
            return fail(f"--review {args.review}: no such file")
        try:
            reviewed = review.load(args.review)
        except (review.ReviewError, UnicodeDecodeError) as e:
            return fail(str(e))
    trees: list[tuple[str, Path]] = []
    for spec in args.tree:
        version, sep, path = spec.partition("=")
        if not sep or not version or not path:
            return fail(f"--tree {spec!r}: expected VERSION=PATH")
        root = Path(path)
        if not (root / "drivers" / "net").is_dir():
            return fail(f"--tree {spec}: {path} is not a kernel source tree (no drivers/net)")
        if version in (v for v, _ in trees):
            return fail(f"--tree {spec}: version {version} given twice")
        trees.append((version, root))
    hits = []
    for version, root in trees:
        hits += scan.scan_tree(root, version)
    rows = merge.merge(hits, [v for v, _ in trees])
    unused = review.apply(rows, reviewed)
    for k in unused:
        print(f"census_revisions: warning: review entry {k} matches no row", file=sys.stderr)
    open_rows = [r for r in rows if not r.family and not r.note]
    if open_rows:
        print(f"census_revisions: warning: {len(open_rows)} rows have neither a family nor a note", file=sys.stderr)
    cmd = "python scripts/census_revisions.py " + " ".join(f"--tree {v}=<{v} tree>" for v, _ in trees) + \
        (f" --review {args.review}" if args.review else "")
    prov = ["nicdb census of PCI-revision dependence in Linux drivers/net (scripts/census_revisions.py)",
            *args.provenance, f"generated {date.today().isoformat()} by: {cmd}"]
    if args.output:
        table.write(args.output, rows, prov)
    else:
        sys.stdout.write(table.dump(rows, prov))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Generate data/driver-facts/ (module aliases, parameters, firmware) from Debian packages.

Two modes:

  python scripts/gen_driver_facts.py [--cache DIR]
      Downloads: a temporary apt configuration (its own sources.list, lists and cache in a
      temp folder; /etc/apt is never touched) finds the kernel packages of the 5.10
      (bullseye), 6.1 (bookworm), 6.12 (trixie) and newest (sid/experimental) series and
      the firmware-nonfree packages of those releases, and apt-get download fetches them
      into DIR (default: $XDG_CACHE_HOME/nicdb/debs), reusing files already there.

  python scripts/gen_driver_facts.py --packages DIR [--inputs FILE]
      Offline (no apt at all): regenerates from .deb files already in DIR. Which files,
      and for which release and series, is read from the [[inputs]] of FILE (default: the
      output folder's PROVENANCE.toml); each is checked against its SHA-256. Re-running on
      the same packages writes byte-identical files.

Both read every module under kernel/drivers/net/ (plus virtio_pci) by parsing its ELF
.modinfo section straight from the package (.ko, .ko.xz, .ko.zst; built-ins from
modules.builtin.modinfo), keep those with a PCI alias, and list the firmware files of
the firmware packages that match the names the modules declare. Output, in -o DIR
(default data/driver-facts/): modules.tsv, aliases.tsv, params.tsv, firmware.tsv,
firmware-packages.tsv and PROVENANCE.toml -- see data/SCHEMA.md, "driver-facts/".

Regenerating the committed tables:

  python scripts/gen_driver_facts.py --cache /work/cache/debs      # newest packages
  python scripts/gen_driver_facts.py --packages /work/cache/debs   # same packages again
  git diff --stat data/driver-facts/                               # review the change
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from driver_facts import apt, provenance, run  # noqa: E402


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        self.exit(2, f"gen_driver_facts: {message}\n")


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nicdb" / "debs"


def main(argv: list[str] | None = None) -> int:
    doc = __doc__ or ""
    ap = _Parser(prog="gen_driver_facts.py", description=doc.split("\n\n", 1)[0],
                 epilog=doc.split("\n\n", 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packages", metavar="DIR", type=Path,
                    help="offline: regenerate from the .deb files in DIR (no apt)")
    ap.add_argument("--inputs", metavar="FILE", type=Path,
                    help="with --packages: the [[inputs]] list to use (default: OUTDIR/PROVENANCE.toml)")
    ap.add_argument("--cache", metavar="DIR", type=Path, default=None,
                    help="download mode: where .deb files are kept and reused (default: $XDG_CACHE_HOME/nicdb/debs)")
    ap.add_argument("-o", "--outdir", metavar="DIR", type=Path, default=REPO / "data" / "driver-facts",
                    help="output folder (default: the repository's data/driver-facts/)")
    ap.add_argument("--mirror", default=apt.MIRROR, help="download mode: Debian mirror (default: %(default)s)")
    ap.add_argument("--security-mirror", default=apt.SECURITY,
                    help="download mode: Debian security mirror, '' for none (default: %(default)s)")
    ap.add_argument("--keyring", default=apt.KEYRING,
                    help="download mode: archive keyring, '' to trust the mirror unsigned (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.inputs and not args.packages:
        ap.error("--inputs goes with --packages")
    if args.packages and args.cache:
        ap.error("--cache is for download mode; --packages reads DIR only")
    start = time.monotonic()
    try:
        if args.packages:
            d = args.packages
            if not d.is_dir():
                ap.error(f"--packages {d}: not a directory")
            if not any(d.glob("*.deb")):
                ap.error(f"--packages {d}: no .deb files there")
            listing = args.inputs or args.outdir / "PROVENANCE.toml"
            if not listing.is_file():
                ap.error(f"{listing}: no such file (it lists the inputs; name one with --inputs FILE)")
            inputs, _date = provenance.read_inputs(listing)
            located = run.check_files(inputs, d)
        else:
            cache = args.cache or _default_cache()
            with tempfile.TemporaryDirectory(prefix="nicdb-apt-") as tmp:
                located = run.from_apt(Path(tmp), cache, args.mirror, args.security_mirror or None,
                                       args.keyring or None)
        prov = run.generate(located, args.outdir)
    except (run.RunError, provenance.ProvenanceError, apt.AptError) as e:
        print(f"gen_driver_facts: {e}", file=sys.stderr)
        return 2
    took = time.monotonic() - start
    s = prov.counts["series"]
    summary = ", ".join(f"{k}: {v['modules']} modules" for k, v in s.items())
    print(f"wrote {args.outdir} ({summary}; {len(prov.inputs)} packages) in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

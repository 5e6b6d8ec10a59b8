#!/usr/bin/env python3
"""Regenerate nicdb's shipped modules.alias table from a Debian kernel package, offline.

Usage::

    cd /tmp && apt-get download linux-image-6.1.0-56-amd64     # any linux-image-*.deb
    python scripts/gen_modules_alias.py /tmp/linux-image-6.1.0-56-amd64_6.1.192-2_amd64.deb \\
        [-o data/modules-alias/]

What it does:

1. unpacks the .deb into a temporary directory (``dpkg-deb -x`` if installed, else
   Python's own ar + tar reader, which unpacks only lib/modules);
2. runs ``depmod -b DIR KVER`` (kmod) there, producing modules.alias and modules.dep;
3. keeps the ``alias pci:...`` lines of network drivers -- modules whose .ko is under
   kernel/drivers/net/ according to modules.dep (ethernet, wireless, and all other
   subdirectories), plus virtio_pci, the PCI driver of virtio NICs, which lives in
   kernel/drivers/virtio/ (see nicdb.modalias_gen.RULE);
4. writes ``<outdir>/linux-<KVER>.alias``: ``# key: value`` header lines (distribution,
   package, version, .deb file name and SHA-256, kernel release, the rule, the command,
   the alias count), then the aliases sorted by (pattern, module).

The output depends only on the .deb's contents: re-running on the same package gives a
byte-identical file. The .deb itself is not kept in the repository.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import modalias_gen as gen  # noqa: E402


def generate(deb: Path, outdir: Path, use_dpkg: bool | None = None) -> Path:
    fields = gen.deb_fields(deb, use_dpkg=use_dpkg)
    maintainer = fields.get("Maintainer", "")
    distribution = next((d for d in ("Debian", "Ubuntu") if maintainer.startswith(d)), "")
    with tempfile.TemporaryDirectory(prefix="nicdb-kmod-") as tmp:
        gen.extract_deb(deb, tmp, use_dpkg=use_dpkg)
        base, release = gen.modules_base(tmp)
        gen.run_depmod(base, release)
        aliases = gen.network_pci_aliases(base / "lib" / "modules" / release)
    if not aliases:
        raise SystemExit(f"{deb}: no PCI aliases of network drivers found")
    meta = {
        "distribution": distribution,
        "package": fields.get("Package", ""),
        "version": fields.get("Version", ""),
        "architecture": fields.get("Architecture", ""),
        "file": deb.name,
        "sha256": gen.sha256_file(deb),
        "kernel-release": release,
        "rule": gen.RULE,
        "command": f"python scripts/gen_modules_alias.py {deb.name}",
    }
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / f"linux-{release}.alias"
    out.write_text(gen.render_table(aliases, meta), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("deb", type=Path, help="a downloaded linux-image-*.deb")
    ap.add_argument(
        "-o", "--outdir", type=Path, default=REPO / "data" / "modules-alias",
        help="output folder (default: the repository's data/modules-alias/)",
    )
    ap.add_argument("--no-dpkg", action="store_true", help="unpack with Python even if dpkg-deb exists")
    args = ap.parse_args(argv)
    if not args.deb.is_file():
        ap.error(f"no such file: {args.deb}")
    out = generate(args.deb, args.outdir, use_dpkg=False if args.no_dpkg else None)
    count = next(
        (ln.split(":", 1)[1].strip() for ln in out.read_text().splitlines() if ln.startswith("# aliases:")), "?"
    )
    print(f"wrote {out} ({count} aliases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Regenerate data/names/vendor-names-history.toml and data/names/device-names-history.toml:
the other names pci.ids has given the vendors of network devices, and network devices
themselves, over its history -- so plain ``lspci`` output printed with an older pci.ids
("Intel Corp. 82546EB ...") or a newer one than the installed ("AMD Solarflare ...",
"Realtek ... RTL8126 5GbE Controller") still maps back to IDs.

    python scripts/transcribe_name_history.py PCIUTILS_GIT PCIIDS_GIT [/usr/share/misc/pci.ids]

PCIUTILS_GIT is a clone of https://github.com/pciutils/pciutils (pci.ids in its history
from 1997), PCIIDS_GIT one of https://github.com/pciutils/pciids (snapshots from 2015).
Every version of pci.ids in both histories is read. A device is a network device when
any version's name for it says so (pci.ids has no class per device); a vendor is a
network vendor when the installed pci.ids names a network device of it. For each, every
name other than the installed one is written with the first and last snapshot that
carries it; devices the installed pci.ids does not have at all are included. Only IDs,
names and dates are transcribed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nicdb.kb.overlay import toml_value  # noqa: E402
from nicdb.names import pciids  # noqa: E402

# A device name that says "network device" (the installed pci.ids has no class per device).
NETWORK = re.compile(r"ethernet|gigabit|network|\bnic\b|\d+gbe|wireless|wlan|802\.11|lan controller|fddi|"
                     r"token.ring", re.IGNORECASE)
REPOS = {"pciutils": "https://github.com/pciutils/pciutils", "pciids": "https://github.com/pciutils/pciids"}


def snapshots(repo: str, all_refs: bool):
    """(date, commit, text) of every version of pci.ids in a git history."""
    log = subprocess.run(["git", "-C", repo, "log", *(["--all"] if all_refs else []), "--format=%H %ad",
                          "--date=short", "--", "pci.ids"], capture_output=True, text=True, check=True).stdout
    for row in log.splitlines():
        commit, date = row.split()
        raw = subprocess.run(["git", "-C", repo, "show", f"{commit}:pci.ids"], capture_output=True).stdout
        yield date, commit, raw.decode("utf-8", errors="replace")


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    installed = Path(sys.argv[3] if len(sys.argv) > 3 else "/usr/share/misc/pci.ids")
    text = pciids.open_text(installed)
    version = pciids.read_version(text) or "unknown"
    vendors_now: dict[str, str] = {}
    devices_now: dict[tuple[str, str], str] = {}
    network_vendors: set[str] = set()
    for rec in pciids.parse(text, str(installed)):
        if rec.kind == "vendor":
            vendors_now[f"{rec.key[0]:04x}"] = rec.name
        elif rec.kind == "device":
            devices_now[(f"{rec.key[0]:04x}", f"{rec.key[1]:04x}")] = rec.name
            if NETWORK.search(rec.name):
                network_vendors.add(f"{rec.key[0]:04x}")
    vendor_seen: dict[tuple[str, str], list] = {}  # (vendor, name) -> [first (date, repo, commit), last]
    device_seen: dict[tuple[str, str, str], list] = {}  # (vendor, device, name) -> the same
    network_devices: set[tuple[str, str]] = {k for k, n in devices_now.items() if NETWORK.search(n)}
    newest: dict[str, tuple[str, str]] = {}  # repo -> (date, commit) of the newest snapshot read

    def saw(table: dict, key: tuple, point: tuple) -> None:
        span = table.setdefault(key, [point, point])
        span[0], span[1] = min(span[0], point), max(span[1], point)

    for label, repo, all_refs in (("pciutils", sys.argv[1], True), ("pciids", sys.argv[2], False)):
        for date, commit, snap in snapshots(repo, all_refs):
            newest[label] = max(newest.get(label, ("", "")), (date, commit[:12]))
            point = (date, label, commit[:12])
            # a few old snapshots carry merge leftovers: pass over those lines (and what is below them)
            for rec in pciids.parse(snap, f"{label} {commit[:12]}", strict=False):
                if rec.kind == "vendor":
                    vendor, name = f"{rec.key[0]:04x}", rec.name
                    if vendor in network_vendors and name != vendors_now.get(vendor):
                        saw(vendor_seen, (vendor, name), point)
                elif rec.kind == "device":
                    key, name = (f"{rec.key[0]:04x}", f"{rec.key[1]:04x}"), rec.name
                    if NETWORK.search(name):
                        network_devices.add(key)
                    if name != devices_now.get(key):
                        saw(device_seen, (*key, name), point)
    device_seen = {k: v for k, v in device_seen.items() if k[:2] in network_devices}

    def sources() -> list[str]:
        out = []
        for label, url in REPOS.items():
            out += [f"[sources.{label}-history]", 'kind = "pci-ids"',
                    f'title = "pci.ids as kept in the {label} git history"', f'ref = "{url} (pci.ids)"',
                    f'version = "{newest[label][0]} (commit {newest[label][1]})"', ""]
        return out

    out = [
        "# Other names pci.ids has given the vendors of network devices, from the history of",
        "# pci.ids in pciutils (1997-) and pciids (2015-); generated by",
        "# scripts/transcribe_name_history.py. Used to map plain-lspci names printed with an",
        f"# older or newer pci.ids back to vendor IDs. Today's names: pci.ids {version}.",
        "schema = 1",
        "",
        *sources(),
    ]
    for (vendor, name), (first, last) in sorted(vendor_seen.items()):
        out += ["[[vendor_names]]", f'vendor = "{vendor}"', f"name = {toml_value(name)}",
                f'current = {toml_value(vendors_now[vendor])}',
                f'seen = "{first[0]} ({first[1]} {first[2]}) to {last[0]} ({last[1]} {last[2]})"',
                f'source = "{first[1]}-history"', 'confidence = "pci-ids"', ""]
    dest = ROOT / "data" / "names" / "vendor-names-history.toml"
    dest.write_text("\n".join(out))
    print(f"wrote {dest}: {len(vendor_seen)} names of {len({v for v, _ in vendor_seen})} vendors",
          file=sys.stderr)

    out = [
        "# Other names pci.ids has given network devices, from the history of pci.ids in",
        "# pciutils (1997-) and pciids (2015-); generated by scripts/transcribe_name_history.py.",
        "# Used to map plain-lspci device names printed with an older or newer pci.ids back to",
        f"# device IDs. Today's names: pci.ids {version}; IDs it does not have are included.",
        "schema = 1",
        "",
        *sources(),
        "# Each row: [vendor:device, name, first seen, last seen], where seen is",
        "# \"DATE REPO COMMIT\" and REPO-history (the first sighting's) is the row's source.",
        "[device_names]",
        'confidence = "pci-ids"',
        "rows = [",
    ]
    for (vendor, device, name), (first, last) in sorted(device_seen.items()):
        out.append(f'  ["{vendor}:{device}", {toml_value(name)}, "{" ".join(first)}", "{" ".join(last)}"],')
    out += ["]", ""]
    dest = ROOT / "data" / "names" / "device-names-history.toml"
    dest.write_text("\n".join(out))
    print(f"wrote {dest}: {len(device_seen)} names of {len({k[:2] for k in device_seen})} devices",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

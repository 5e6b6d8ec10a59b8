"""Where nicdb finds its data, the user's overlay, and its database -- and whether
the database is stale. Only the standard library: this runs on every command.
"""

from __future__ import annotations

import os
from pathlib import Path

from nicdb import __version__

DB_SCHEMA_VERSION = 2
DATA_KINDS = ("families", "drivers", "measurements", "names")
_PKG = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The shipped data: inside the installed package, else the source checkout's data/."""
    env = os.environ.get("NICDB_DATA")
    if env:
        return Path(env)
    inside = _PKG / "_data"
    if inside.is_dir():
        return inside
    return _PKG.parent / "data"


def overlay_dir() -> Path:
    """The user's own knowledge (same layout as data/), from $NICDB_OVERLAY or XDG config."""
    env = os.environ.get("NICDB_OVERLAY")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "nicdb"


def default_db_path() -> Path:
    """$NICDB_DB, else $XDG_CACHE_HOME/nicdb/nicdb.sqlite (~/.cache/nicdb/nicdb.sqlite)."""
    env = os.environ.get("NICDB_DB")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nicdb" / "nicdb.sqlite"


def data_files(root: Path) -> list[Path]:
    """The TOML files of a data directory (families, drivers, measurements, names), in a stable order."""
    out = []
    for sub in DATA_KINDS:
        d = root / sub
        if d.is_dir():
            out.extend(sorted(d.glob("*.toml")))
    return out


def running_alias_file() -> Path | None:
    """The running kernel's modules.alias, when installed."""
    release = os.uname().release
    for base in ("/lib/modules", "/usr/lib/modules"):
        p = Path(base) / release / "modules.alias"
        if p.is_file():
            return p
    return None


def alias_files() -> list[Path]:
    """Every modules.alias table the database caches: shipped tables and the running kernel's."""
    d = data_dir() / "modules-alias"
    out = sorted(d.glob("linux-*.alias")) if d.is_dir() else []
    run = running_alias_file()
    return out + ([run] if run else [])


def roots() -> list[tuple[Path, str]]:
    out = [(data_dir(), "shipped")]
    ov = overlay_dir()
    if ov.is_dir():
        out.append((ov, "local"))
    return out


def fingerprint(pci_ids: Path | None) -> str:
    """A cheap fingerprint of everything the database is built from (stat only, no reads)."""
    parts = [f"{__version__}|{DB_SCHEMA_VERSION}"]
    for root, origin in roots():
        for f in data_files(root):
            try:
                st = f.stat()
            except OSError:
                continue
            parts.append(f"{origin}|{f}|{st.st_size}|{st.st_mtime_ns}")
    for label, f in [("pciids", pci_ids)] + [("alias", a) for a in alias_files()]:
        if f is None:
            continue
        try:
            st = f.stat()
            parts.append(f"{label}|{f}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            pass
    # Kept whole (not hashed): comparing a few kilobytes is cheaper than importing hashlib.
    return "\n".join(parts)


# Where distributions install pci.ids (pciutils' own list, most specific first).
PCI_IDS_PATHS = (
    "/usr/share/hwdata/pci.ids",
    "/usr/share/misc/pci.ids",
    "/usr/share/pci.ids",
    "/usr/local/share/pci.ids",
    "/usr/share/hwdata/pci.ids.gz",
    "/usr/share/misc/pci.ids.gz",
)


def pci_ids_file(explicit: str | None = None) -> Path | None:
    """The pci.ids the database uses: the one named, else $NICDB_PCI_IDS ("none": no pci.ids),
    else the system's."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("NICDB_PCI_IDS")
    if env == "none":
        return None
    for cand in ((env,) if env else ()) + PCI_IDS_PATHS:
        if cand and os.path.isfile(cand) and os.access(cand, os.R_OK):
            return Path(cand)
    return None

"""Where nicdb finds its data, the user's overlay, and its database -- and whether
the database is stale. Only the standard library: this runs on every command.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from nicdb import __version__
from nicdb.names.pciids import find_system_file

DB_SCHEMA_VERSION = 1
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


def roots() -> list[tuple[Path, str]]:
    out = [(data_dir(), "shipped")]
    ov = overlay_dir()
    if ov.is_dir():
        out.append((ov, "local"))
    return out


def fingerprint(pci_ids: Path | None) -> str:
    """A cheap fingerprint of everything the database is built from (stat only, no reads)."""
    h = hashlib.sha1(f"{__version__}|{DB_SCHEMA_VERSION}".encode())
    for root, origin in roots():
        for f in data_files(root):
            try:
                st = f.stat()
            except OSError:
                continue
            h.update(f"{origin}|{f}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    if pci_ids is not None:
        try:
            st = pci_ids.stat()
            h.update(f"pciids|{pci_ids}|{st.st_size}|{st.st_mtime_ns}".encode())
        except OSError:
            pass
    return h.hexdigest()


def pci_ids_file(explicit: str | None = None) -> Path | None:
    """The pci.ids the database uses: the one named, else the system's."""
    if explicit:
        return Path(explicit)
    return find_system_file()

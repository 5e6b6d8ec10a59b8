"""Where nicdb finds its data, the user's overlay, and its database -- and whether
the database is stale. This runs on every command, so it uses only ``os.path`` and
plain strings (pathlib costs several milliseconds to import)."""

from __future__ import annotations

import os

from nicdb import __version__

DB_SCHEMA_VERSION = 9
DATA_KINDS = ("families", "drivers", "measurements", "names", "bridges")
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_dir() -> str:
    """The shipped data: $NICDB_DATA, inside the installed package, else the checkout's data/."""
    env = os.environ.get("NICDB_DATA")
    if env:
        return env
    inside = os.path.join(_PKG, "_data")
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(_PKG), "data")


def overlay_dir() -> str:
    """The user's own knowledge (same layout as data/), from $NICDB_OVERLAY or XDG config."""
    env = os.environ.get("NICDB_OVERLAY")
    if env:
        return env
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "nicdb")


def default_db_path() -> str:
    """$NICDB_DB, else $XDG_CACHE_HOME/nicdb/nicdb.sqlite (~/.cache/nicdb/nicdb.sqlite)."""
    env = os.environ.get("NICDB_DB")
    if env:
        return env
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nicdb", "nicdb.sqlite")


def data_files(root: str | os.PathLike) -> list[str]:
    """The TOML files of a data directory (families, drivers, measurements, names, bridges), in a stable order."""
    out = []
    for sub in DATA_KINDS:
        d = os.path.join(root, sub)
        try:
            names = sorted(n for n in os.listdir(d) if n.endswith(".toml") and not n.startswith("."))
        except OSError:
            continue
        out.extend(os.path.join(d, n) for n in names)
    return out


def running_alias_file() -> str | None:
    """The running kernel's modules.alias, when installed."""
    release = os.uname().release
    for base in ("/lib/modules", "/usr/lib/modules"):
        p = os.path.join(base, release, "modules.alias")
        if os.path.isfile(p):
            return p
    return None


FACTS_DIR = "driver-facts"
FACTS_FILES = ("modules.tsv", "aliases.tsv", "params.tsv", "firmware.tsv", "firmware-packages.tsv",
               "PROVENANCE.toml")


def facts_dir() -> str:
    """The generated driver facts (data/driver-facts/, written by scripts/gen_driver_facts.py)."""
    return os.path.join(data_dir(), FACTS_DIR)


def alias_files() -> list[str]:
    """The files the database's alias and driver-facts tables come from: the shipped
    driver facts and the running kernel's modules.alias."""
    d = facts_dir()
    out = [os.path.join(d, n) for n in FACTS_FILES]
    run = running_alias_file()
    return out + ([run] if run else [])


def roots() -> list[tuple[str, str]]:
    out = [(data_dir(), "shipped")]
    ov = overlay_dir()
    if os.path.isdir(ov):
        out.append((ov, "local"))
    return out


def fingerprint(pci_ids: str | os.PathLike | None) -> str:
    """A cheap fingerprint of everything the database is built from (stat only, no reads)."""
    parts = [f"{__version__}|{DB_SCHEMA_VERSION}"]
    for root, origin in roots():
        for f in data_files(root):
            try:
                st = os.stat(f)
            except OSError:
                continue
            parts.append(f"{origin}|{f}|{st.st_size}|{st.st_mtime_ns}")
    for label, f in [("pciids", pci_ids)] + [("alias", a) for a in alias_files()]:
        if f is None:
            continue
        try:
            st = os.stat(f)
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


def pci_ids_file(explicit: str | None = None) -> str | None:
    """The pci.ids the database uses: the one named, else $NICDB_PCI_IDS ("none": no pci.ids),
    else the system's."""
    if explicit:
        return explicit
    env = os.environ.get("NICDB_PCI_IDS")
    if env == "none":
        return None
    for cand in ((env,) if env else ()) + PCI_IDS_PATHS:
        if cand and os.path.isfile(cand) and os.access(cand, os.R_OK):
            return cand
    return None

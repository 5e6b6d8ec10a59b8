"""Compile data/ (plus the user's overlay and pci.ids) into the SQLite database.

This is the only module that imports sqlite-utils. A build writes a new file next to
the target and renames it into place, so readers always see a whole database, and a
build killed half-way leaves the previous one untouched.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from nicdb import __version__
from nicdb.errors import DataError, DatabaseError, InputError
from nicdb.kb import paths, schema
from nicdb.kb.load import load_tree
from nicdb.names import pciids


@dataclass
class BuildReport:
    path: str
    seconds: float
    counts: dict
    pci_ids: str | None
    pci_ids_version: str | None
    warnings: list[str]


def _write(db: sqlite_utils.Database, tree, names: dict[str, list], meta: dict) -> dict:
    """Create every table of :data:`nicdb.kb.schema.TABLES` and fill it: the knowledge
    base's rows (dicts from :func:`nicdb.kb.load.load_tree`) and the big name tables (tuples
    in column order, from pci.ids and modules.alias), each with one ``executemany``."""
    rows_of = {
        "sources": tree.sources, "families": tree.families, "chips": tree.chips, "claims": tree.claims,
        "log_ids": tree.log_ids, "bridges": tree.bridges, "drivers": tree.drivers, "supports": tree.supports, "params": tree.params,
        "param_defaults": tree.param_defaults, "param_recommend": tree.param_recommend, "issues": tree.issues,
        "measurement_sets": tree.measurement_sets, "measurements": tree.measurements, "kb_names": tree.names,
        "vendor_names": tree.vendor_names, "device_names": tree.device_names,
        "meta": [{"key": k, "value": str(v)} for k, v in meta.items()],
        **names,
    }
    counts = {}
    for table in schema.TABLES:
        db[table.name].create(table.sqlite_columns(), pk=table.pk[0] if table.pk and len(table.pk) == 1
                              else table.pk)
        rows = rows_of[table.name]
        cols = table.column_names
        if rows and isinstance(rows[0], dict):
            rows = [tuple(r.get(c) for c in cols) for r in rows]
        db.conn.executemany(f"INSERT INTO [{table.name}] VALUES ({', '.join('?' * len(cols))})", rows)
        counts[table.name] = len(rows)
        for index in table.indexes:
            db[table.name].create_index(index, if_not_exists=True)
    del counts["meta"]
    return counts


def _names(pci_ids: Path | None, warnings: list[str], strict: bool) -> tuple[dict[str, list], str | None]:
    out: dict[str, list] = {"pci_vendors": [], "pci_devices": [], "pci_subsystems": [], "pci_classes": []}
    if pci_ids is None:
        warnings.append("no pci.ids found: names come only from nicdb's own data (install pci.ids for all names)")
        return out, None
    try:
        text = pciids.open_text(pci_ids)
        version = pciids.read_version(text)
        tables = {"vendor": out["pci_vendors"], "device": out["pci_devices"], "subsystem": out["pci_subsystems"]}
        levels = {"class": 0, "subclass": 1, "progif": 2}
        for rec in pciids.parse(text, origin=str(pci_ids)):
            rows = tables.get(rec.kind)
            if rows is not None:
                rows.append((*rec.key, rec.name))
            else:
                out["pci_classes"].append((rec.key[0], levels[rec.kind], rec.name))
    except InputError as e:
        if strict:
            raise
        warnings.append(f"ignoring {pci_ids}: {e}")
        return {k: [] for k in out}, None
    return out, version


def _alias_rows(warnings: list[str]) -> tuple[list[tuple], dict]:
    """The shipped and running-kernel modules.alias tables, PCI lines only, keyed by the
    literal vendor and device of each pattern ("*" when a wildcard), so a lookup reads a
    handful of rows instead of parsing a whole file."""
    from nicdb import modalias

    rows: list[tuple] = []
    meta: dict = {}
    sources = []
    try:
        sources.append(("shipped", modalias.shipped_alias_path()))
    except DataError as e:
        warnings.append(str(e))
    run = paths.running_alias_file()
    if run is not None:
        sources.append(("running", run))
    for name, path in sources:
        try:
            table = modalias.AliasTable.load(path)
        except InputError as e:
            warnings.append(f"ignoring {path}: {e}")
            continue
        meta[f"alias_{name}"] = (modalias.describe_shipped(table) if name == "shipped"
                                 else f"running kernel {os.uname().release} ({path})")
        for pattern, module in table.aliases():
            vendor, device = modalias.literal_ids(pattern)
            rows.append((name, vendor or "*", device or "*", pattern, module))
    return rows, meta


def build(target: str | Path, *, pci_ids: Path | None = None, strict_pci_ids: bool = False,
          fingerprint: str | None = None) -> BuildReport:
    """Build the database at ``target`` atomically (``":memory:"`` is not accepted here;
    see :func:`build_connection`). Returns what was built."""
    t0 = time.perf_counter()
    target = Path(target)
    pci_ids = Path(pci_ids) if pci_ids else None
    warnings: list[str] = []
    tree = load_tree(paths.roots())
    names, version = _names(pci_ids, warnings, strict_pci_ids)
    names["aliases"], alias_meta = _alias_rows(warnings)
    meta = _meta(fingerprint, pci_ids, version) | alias_meta
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DatabaseError(f"cannot create the database folder {target.parent}: {e.strerror or e}") from None
    _sweep_stale_temps(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        conn = sqlite3.connect(tmp)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        # sqlite-utils plugins only prepare connections for their own SQL functions: nicdb's
        # build uses none, and scanning installed packages for them costs tens of milliseconds
        db = sqlite_utils.Database(conn, execute_plugins=False)
        with conn:
            counts = _write(db, tree, names, meta)
        conn.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        msg = getattr(e, "strerror", None) or str(e)
        raise DatabaseError(f"cannot write the database at {target}: {msg}") from None
    return BuildReport(str(target), time.perf_counter() - t0, counts, str(pci_ids) if pci_ids else None,
                       version, warnings)


def _sweep_stale_temps(target: Path) -> None:
    """Remove the temporary files of builds that were killed: ``.<name>.<pid>.tmp`` whose
    process no longer exists. A live build's file (or one we cannot tell) is left alone."""
    prefix = f".{target.name}."
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):-len(".tmp")] if name.startswith(prefix) and name.endswith(".tmp") else ""
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # that process is alive: maybe a build running right now
        except ProcessLookupError:
            pass
        except OSError:  # alive but not ours to signal, or unknown: leave it
            continue
        try:
            os.unlink(target.parent / name)
        except OSError:
            pass


def build_connection(*, pci_ids: Path | None = None, fingerprint: str | None = None) -> tuple[sqlite3.Connection, list[str]]:
    """Build into memory (used when the cache cannot be written). Returns the connection."""
    warnings: list[str] = []
    pci_ids = Path(pci_ids) if pci_ids else None
    tree = load_tree(paths.roots())
    names, version = _names(pci_ids, warnings, False)
    names["aliases"], alias_meta = _alias_rows(warnings)
    conn = sqlite3.connect(":memory:")
    with conn:
        _write(sqlite_utils.Database(conn, execute_plugins=False), tree, names,
               _meta(fingerprint, pci_ids, version) | alias_meta)
    return conn, warnings


def _meta(fingerprint: str | None, pci_ids: Path | None, version: str | None) -> dict:
    return {
        "schema_version": paths.DB_SCHEMA_VERSION,
        "nicdb_version": __version__,
        "fingerprint": fingerprint or paths.fingerprint(pci_ids),
        "pci_ids": str(pci_ids) if pci_ids else "",
        "pci_ids_version": version or "",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
    }

"""Compile data/ (plus the user's overlay and pci.ids) into the SQLite database.

This is the only module that imports sqlite-utils. A build writes a new file next to
the target and renames it into place, so readers always see a whole database, and a
build killed half-way leaves the previous one untouched.
"""

from __future__ import annotations

import json
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
    in column order, from pci.ids, the driver facts and modules.alias), each with one
    ``executemany``."""
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


def _tsv(path: str, columns: int) -> list[list[str]]:
    """The rows of a driver-facts table (a ``# col<TAB>col`` header line, then one row per line)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror or e}") from None
    rows = [ln.split("\t") for ln in lines[1:] if ln]
    for n, r in enumerate(rows, 2):
        if len(r) != columns:
            raise DataError(f"{path}:{n}: {len(r)} cells, expected {columns} (regenerate with "
                            "scripts/gen_driver_facts.py)")
    return rows


def _series_order(cells) -> list[str]:
    return sorted(set(cells), key=lambda s: tuple(int(x) for x in s.split(".")))


def carry_aliases(modules: list[list[str]], aliases: list[list[str]]) -> list[str]:
    """The built-in rule: a module present in a series in which it has no alias rows (a
    built-in whose modules.builtin.modinfo lacks device-table aliases: virtio_pci in 6.12)
    keeps each alias that holds in the nearest series with aliases on both sides of the
    gap (at either end, in the one neighbour). Returns, per alias row, the series added
    ("" for none); ``aliases`` rows are ``[pattern, module, series]``."""
    order = _series_order(s for m in modules for s in m[1].split())
    by_module: dict[str, list[int]] = {}
    for i, (_, mod, _series) in enumerate(aliases):
        by_module.setdefault(mod, []).append(i)
    carried = [""] * len(aliases)
    for mod, series, _path in modules:
        rows = by_module.get(mod, [])
        have = {s for i in rows for s in aliases[i][2].split()}
        gaps = [s for s in series.split() if s not in have]
        if not rows or not gaps:
            continue
        for gap in gaps:
            at = order.index(gap)
            before = next((s for s in reversed(order[:at]) if s in have), None)
            after = next((s for s in order[at + 1:] if s in have), None)
            for i in rows:
                held = aliases[i][2].split()
                if (before is None or before in held) and (after is None or after in held):
                    carried[i] = (carried[i] + " " + gap).strip()
    return carried


def _facts(warnings: list[str]) -> tuple[dict[str, list], dict]:
    """The driver-facts tables (data/driver-facts/) as database rows, and what the meta
    table says of them. Missing facts are a warning: nicdb then knows no candidate
    modules offline."""
    import tomllib

    folder = paths.facts_dir()
    out: dict[str, list] = {"modules": [], "module_params": [], "module_firmware": [], "firmware_files": [],
                            "fact_inputs": [], "aliases": []}
    prov_path = os.path.join(folder, "PROVENANCE.toml")
    if not os.path.isfile(prov_path):
        warnings.append(f"no driver facts in {folder} (regenerate them with scripts/gen_driver_facts.py): "
                        "candidate modules come only from a modules.alias")
        return out, {}
    try:
        with open(prov_path, "rb") as f:
            prov = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise DataError(f"{prov_path}: {e}") from None
    modules = _tsv(os.path.join(folder, "modules.tsv"), 3)
    aliases = _tsv(os.path.join(folder, "aliases.tsv"), 3)
    out["modules"] = [tuple(r) for r in modules]
    out["module_params"] = [tuple(r) for r in _tsv(os.path.join(folder, "params.tsv"), 4)]
    out["module_firmware"] = [(m, f, int(any(c in f for c in "*?[")), s)
                              for m, f, s in _tsv(os.path.join(folder, "firmware.tsv"), 3)]
    out["firmware_files"] = [tuple(r) for r in _tsv(os.path.join(folder, "firmware-packages.tsv"), 5)]
    from nicdb import modalias

    carried = carry_aliases(modules, aliases)
    for (pattern, module, series), extra in zip(aliases, carried):
        vendor, device = modalias.literal_ids(pattern)
        out["aliases"].append(("shipped", vendor or "*", device or "*", pattern, module, series, extra))
    inputs = [i for i in prov.get("inputs", []) if i.get("kind") == "kernel" or i.get("matched")]
    out["fact_inputs"] = [(i.get("kind"), i.get("series", ""), i.get("release"), i.get("suite"), i.get("package"),
                           i.get("version")) for i in inputs]
    kernels: dict[str, dict] = {}
    for i in inputs:
        # per series, the package with the modules (7.x splits linux-base off linux-modules)
        if i.get("kind") == "kernel" and (i.get("series") not in kernels
                                          or not i.get("package", "").startswith("linux-base-")):
            kernels[i.get("series")] = {"series": i.get("series"), "package": i.get("package"),
                                        "version": i.get("version")}
    meta = {"alias_shipped": modalias.describe_shipped(prov),
            "facts_kernels": json.dumps(kernels),
            "facts_series": " ".join(prov.get("series", [])),
            "facts_releases": " ".join(prov.get("releases", [])),
            "facts_generated": prov.get("generated", "")}
    return out, meta


def _running_aliases(warnings: list[str]) -> tuple[list[tuple], dict]:
    """The running kernel's modules.alias, PCI lines only, keyed by the literal vendor and
    device of each pattern ("*" when a wildcard), so a lookup reads a handful of rows
    instead of parsing a whole file."""
    from nicdb import modalias

    path = paths.running_alias_file()
    if path is None:
        return [], {}
    try:
        table = modalias.AliasTable.load(path)
    except InputError as e:
        warnings.append(f"ignoring {path}: {e}")
        return [], {}
    rows = []
    for pattern, module in table.aliases():
        vendor, device = modalias.literal_ids(pattern)
        rows.append(("running", vendor or "*", device or "*", pattern, module, "", ""))
    return rows, {"alias_running": f"running kernel {os.uname().release} ({path})"}


def _tables(pci_ids: Path | None, warnings: list[str], strict: bool) -> tuple[dict[str, list], dict]:
    """The name, alias and driver-facts tables (tuples in column order), and their meta."""
    names, version = _names(pci_ids, warnings, strict)
    facts, meta = _facts(warnings)
    running, run_meta = _running_aliases(warnings)
    facts["aliases"] += running
    return names | facts, meta | run_meta | {"pci_ids_version": version or ""}


def build(target: str | Path, *, pci_ids: Path | None = None, strict_pci_ids: bool = False,
          fingerprint: str | None = None) -> BuildReport:
    """Build the database at ``target`` atomically (``":memory:"`` is not accepted here;
    see :func:`build_connection`). Returns what was built."""
    t0 = time.perf_counter()
    target = Path(target)
    pci_ids = Path(pci_ids) if pci_ids else None
    warnings: list[str] = []
    tree = load_tree(paths.roots())
    names, extra_meta = _tables(pci_ids, warnings, strict_pci_ids)
    meta = _meta(fingerprint, pci_ids) | extra_meta
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
                       meta["pci_ids_version"] or None, warnings)


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
    names, extra_meta = _tables(pci_ids, warnings, False)
    conn = sqlite3.connect(":memory:")
    with conn:
        _write(sqlite_utils.Database(conn, execute_plugins=False), tree, names,
               _meta(fingerprint, pci_ids) | extra_meta)
    return conn, warnings


def _meta(fingerprint: str | None, pci_ids: Path | None) -> dict:
    return {
        "schema_version": paths.DB_SCHEMA_VERSION,
        "nicdb_version": __version__,
        "fingerprint": fingerprint or paths.fingerprint(pci_ids),
        "pci_ids": str(pci_ids) if pci_ids else "",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": sys.version.split()[0],
    }

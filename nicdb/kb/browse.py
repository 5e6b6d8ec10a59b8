"""The database as Datasette serves it (``nicdb db browse``).

Datasette is given a browse-ready copy of the built database, kept in the cache next to
it, so that the database nicdb reads (and the time its build takes) stay as they are:
the copy has full-text indexes (sqlite-utils ``enable_fts``) over the columns each table
declares in :mod:`nicdb.kb.schema`, and is remade when the database is rebuilt. The
Datasette metadata -- table and column descriptions, units, facets, canned queries -- is
generated from the same declarations. Datasette serves the copy read-only (immutable),
on 127.0.0.1 only; the SQL functions the canned queries use come from nicdb's plugin
(:mod:`nicdb.kb.datasette_plugins`).

This module imports sqlite-utils; only ``db browse`` imports it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile

from nicdb import __version__
from nicdb.errors import DatabaseError
from nicdb.kb import paths, schema

BROWSE_VERSION = "1"  # bump when the copy's indexes change, so old copies are remade
NAME = "nicdb"  # the database's name in Datasette's URLs: /nicdb/chips
PLUGINS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasette_plugins")

# Canned queries. :id is VENDOR:DEVICE and :rev a revision, in hex as lspci prints them
# (nicdb_hex reads "11", "0x11" and "1106"); nicdb_in_range is nicdb's own version-range test.
QUERIES = {
    "chip_by_revision": {
        "title": "Which chip is VENDOR:DEVICE at REV",
        "description": "The chip row nicdb uses for a PCI ID at a revision, with its source. Give the ID as lspci "
                       "prints it (1106:3119) and the revision in hex (11).",
        "sql": """select printf('%04x:%04x', c.vendor, c.device) as id, printf('%02x-%02x', c.rev_lo, c.rev_hi) as revisions,
  c.chip, c.products, c.family, f.name as family_name, c.bus, c.line_rate_mbps, c.confidence,
  s.title as source, s.ref as source_ref, s.version as source_version, c.origin, c.products_confidence,
  case when c.subvendor is null then '' else printf('%04x:%04x', c.subvendor, c.subdevice) end as subsystem,
  c.features, c.firmware, c.shares_id_with, c.notes
from chips c join families f on f.id = c.family
left join sources s on s.file = c.file and s.key = c.source_key
where c.vendor = nicdb_hex(substr(:id, 1, instr(:id, ':') - 1))
  and c.device = nicdb_hex(substr(:id, instr(:id, ':') + 1))
  and nicdb_hex(:rev) between c.rev_lo and c.rev_hi
order by c.origin != 'local', c.subvendor is null, c.rev_lo""",
    },
    "drivers_for_revision": {
        "title": "Which drivers bind or refuse VENDOR:DEVICE at REV",
        "description": "Every driver nicdb has notes on for a PCI ID at a revision: supported, partial or refused, "
                       "on which kernels, and why.",
        "sql": """select s.driver, d.kind, d.os, s.status, s.kernels, s.reason,
  printf('%02x-%02x', s.rev_lo, s.rev_hi) as revisions, d.package, s.confidence
from supports s join drivers d on d.name = s.driver
where s.vendor = nicdb_hex(substr(:id, 1, instr(:id, ':') - 1))
  and s.device = nicdb_hex(substr(:id, instr(:id, ':') + 1))
  and nicdb_hex(:rev) between s.rev_lo and s.rev_hi
order by d.os != 'linux', s.driver""",
    },
    "issues_on_kernel": {
        "title": "Drivers with known issues on kernel X",
        "description": "Known issues that affect the kernel you give, most severe first: an in-tree driver's "
                       "issue when the kernel is in its affected range; a vendor driver's when the version nicdb's "
                       "notes describe is (or always, when that version is unknown), as nicdb's advice judges them.",
        "sql": """select i.driver, d.kind, i.severity, i.title, i.symptom, i.affected, i.fixed_in, i.workaround,
  i.devices, printf('%02x-%02x', i.rev_lo, i.rev_hi) as revisions, i.confidence
from issues i join drivers d on d.name = i.driver
where case when d.kind = 'in-tree' then nicdb_in_range(:kernel, i.affected)
      else coalesce(d.version, '') = '' or nicdb_in_range(d.version, i.affected) end
order by case i.severity when 'critical' then 0 when 'major' then 1 else 2 end, i.driver, i.id""",
    },
    "driver_firmware": {
        "title": "Firmware a driver needs",
        "description": "The firmware names a driver's module declares in Debian's kernels (modinfo firmware=, "
                       "with the kernel series), each with the files Debian's firmware packages ship for it per "
                       "release; then the files nicdb's chip rows name for the chips the driver binds. Give the "
                       "driver's name or module (iwlwifi, r8169).",
        "sql": """select m.module as driver, m.name as firmware, 'the module declares it' as said_by, m.series,
  f.release, f.package, f.version, f.file as shipped_as
from module_firmware m
left join firmware_files f on f.file = m.name or (m.wildcard = 1 and nicdb_fw_match(m.name, f.file))
where m.module = replace(:driver, '-', '_') or m.module in (select module from drivers where name = :driver)
union all
select distinct s.driver, fw.value, 'chip ' || c.chip || ' (' || printf('%04x:%04x', c.vendor, c.device)
  || ' rev ' || printf('%02x-%02x', c.rev_lo, c.rev_hi) || ')', null, null, null, null, null
from supports s join drivers d on d.name = s.driver
join chips c on c.vendor = s.vendor and c.device = s.device and c.rev_lo <= s.rev_hi and s.rev_lo <= c.rev_hi,
  json_each(c.firmware) fw
where (d.name = :driver or d.module = replace(:driver, '-', '_')) and s.status != 'refused'
order by 1, 3 desc, 2, 5""",
    },
}


def browse_path() -> str:
    """Where the browse-ready copy lives: next to the default database, in the cache."""
    return os.path.join(os.path.dirname(paths.default_db_path()), "browse", f"{NAME}.sqlite")


def _meta(conn: sqlite3.Connection) -> dict:
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError:
        return {}


def _stamp(src_meta: dict, src: str) -> dict:
    """What the copy was made from: this browse version, the database file (a rebuild
    makes a new file) and what that was built from."""
    try:
        st = os.stat(src)
        file = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        file = ""
    return {"browse_version": BROWSE_VERSION, "browse_of": os.path.abspath(src), "browse_of_file": file,
            "browse_of_built_at": src_meta.get("built_at", ""), "browse_of_fingerprint": src_meta.get("fingerprint", "")}


def _current(target: str, stamp: dict) -> bool:
    if not os.path.isfile(target):
        return False
    try:
        conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            meta = _meta(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return all(meta.get(k) == v for k, v in stamp.items())


def browse_copy(kb, target: str | None = None) -> str:
    """The browse-ready copy of ``kb``'s database (made or remade when needed); its path."""
    if kb.path == ":memory:":
        raise DatabaseError("the database could not be written to the cache, so there is nothing to browse; "
                            "see 'nicdb db build'")
    target = target or browse_path()
    stamp = _stamp(kb.meta(), kb.path)
    if _current(target, stamp):
        return target
    import sqlite_utils

    folder = os.path.dirname(target)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as e:
        raise DatabaseError(f"cannot write the browse copy in {folder}: {e.strerror or e}") from None
    try:
        dst = sqlite3.connect(tmp)
        with dst:
            kb.conn.backup(dst)
        db = sqlite_utils.Database(dst, execute_plugins=False)
        for table in schema.TABLES:
            if table.search:
                db[table.name].enable_fts(list(table.search))
        with dst:
            dst.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", stamp.items())
        dst.execute("VACUUM")
        dst.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as e:
        raise DatabaseError(f"cannot write the browse copy {target}: {getattr(e, 'strerror', None) or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def metadata() -> dict:
    """Datasette's metadata for the copy: descriptions, units, facets and canned queries,
    from :mod:`nicdb.kb.schema`."""
    tables = {}
    for t in schema.TABLES:
        entry: dict = {"description": t.doc, "columns": {c.name: c.doc for c in t.columns}}
        units = {c.name: c.unit for c in t.columns if c.unit}
        if units:
            entry["units"] = units
        if t.facets:
            entry["facets"] = list(t.facets)
        if t.search:
            entry["fts_table"], entry["fts_pk"] = f"{t.name}_fts", "rowid"
        tables[t.name] = entry
    return {
        "title": "nicdb knowledge base",
        "description": "Which PCI network chip a vendor:device is at each revision, which driver to use, with which "
                       "module parameters, and on what evidence. Read-only; see docs/database.md for every table.",
        "source": f"nicdb {__version__}: data/ (reviewable TOML), your overlay, pci.ids, modules.alias",
        "databases": {NAME: {"tables": tables,
                             "queries": {k: {**q, "hide_sql": True} for k, q in QUERIES.items()}}},
    }


def write_metadata(path: str) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(metadata(), f, indent=1, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError as e:
        raise DatabaseError(f"cannot write {path}: {e.strerror or e}") from None

"""The knowledge base's read path, on the standard library's sqlite3 only.

:meth:`KnowledgeBase.open` finds the database, rebuilds it when data/, the overlay or
pci.ids changed (or when the file is corrupt or foreign), and answers queries. Only a
rebuild imports :mod:`nicdb.kb.build` (and with it sqlite-utils).
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Callable

from nicdb.errors import DatabaseError
from nicdb.kb import paths

_META_KEYS = ("schema_version", "fingerprint")


def _dicts(cur: sqlite3.Cursor) -> list[dict]:
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


class KnowledgeBase:
    def __init__(self, conn: sqlite3.Connection, path: str, warnings: list[str] | None = None):
        self.conn = conn
        self.path = path
        self.warnings = warnings or []
        self._sources: dict | None = None
        self._chips: dict[tuple[int, int], list[dict]] = {}  # (vendor, device) -> every chip row, cited
        self._facts_meta: dict | None = None
        self._module_facts: dict[str, dict | None] = {}
        self._log_ids: dict[tuple[str, str], list[dict]] = {}  # (driver, kind) -> log_ids rows, cited
        self._bridges: dict[tuple[int, int], dict | None] = {}

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, db: str | os.PathLike | None = None, *, pci_ids: str | None = None,
             rebuild: bool = True, warn: Callable[[str], None] | None = None) -> "KnowledgeBase":
        """Open (and if needed rebuild) the database. ``warn`` receives one-line warnings."""
        path = os.fspath(db) if db else paths.default_db_path()
        ids_file = paths.pci_ids_file(pci_ids)
        if pci_ids and not os.path.isfile(ids_file):
            raise DatabaseError(f"pci.ids file {pci_ids} does not exist")
        fp = paths.fingerprint(ids_file)
        warnings: list[str] = []
        say = warn or warnings.append
        conn, why = _try_open(path, fp)
        if conn is not None:
            return cls(conn, str(path), warnings)
        if not rebuild:
            raise DatabaseError(f"the database at {path} {why}; run 'nicdb db build'")
        if why not in ("does not exist", "is out of date", "has another schema version"):
            say(f"the database at {path} {why}; rebuilding it")
        from nicdb.kb import build

        try:
            report = build.build(path, pci_ids=ids_file, strict_pci_ids=bool(pci_ids), fingerprint=fp)
            for w in report.warnings:
                say(w)
        except DatabaseError as e:
            say(f"{e}; using a temporary in-memory database for this run")
            conn, ws = build.build_connection(pci_ids=ids_file, fingerprint=fp)
            for w in ws:
                say(w)
            return cls(conn, ":memory:", warnings)
        conn, why = _try_open(path, fp)
        if conn is None:
            raise DatabaseError(f"the database at {path} {why} right after it was built")
        return cls(conn, str(path), warnings)

    def reopen(self) -> "KnowledgeBase":
        """A new handle on the same database file, read-only, for another process (a
        forked worker must not use its parent's SQLite connection). The file was checked
        when this handle was opened; it is not checked again."""
        if self.path == ":memory:":
            raise DatabaseError("an in-memory database cannot be opened again")
        return type(self)(_connect_ro(self.path), self.path, [])

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ helpers
    def q(self, sql: str, args: tuple = ()) -> list[dict]:
        try:
            return _dicts(self.conn.execute(sql, args))
        except sqlite3.DatabaseError as e:
            raise DatabaseError(f"the database at {self.path} cannot be read ({e}); run 'nicdb db build'") from None

    def meta(self) -> dict:
        return {r["key"]: r["value"] for r in self.q("SELECT key, value FROM meta")}

    COUNTED = ("families", "chips", "claims", "log_ids", "bridges", "drivers", "params", "issues", "measurements",
               "pci_devices", "vendor_names", "device_names", "aliases", "modules", "module_params",
               "module_firmware", "firmware_files")

    def counts(self) -> dict[str, int]:
        """Rows per table, for ``db info`` and the documentation."""
        return {t: self.conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in self.COUNTED}

    # PCI transports that bind every device of their bus, network or not: the table keeps
    # them (lspci -k names virtio_pci for a virtio NIC) but their claim makes no NIC
    TRANSPORTS = frozenset(("virtio_pci",))

    def network_modules(self) -> frozenset[str]:
        """Module names of network drivers: nicdb's drivers and the modules of the driver
        facts (the shipped network-driver aliases; the running kernel's table has every
        driver), less the bus transports."""
        rows = self.conn.execute("SELECT module FROM drivers UNION SELECT module FROM modules").fetchall()
        return frozenset(r[0].replace("-", "_") for r in rows) - self.TRANSPORTS

    def source(self, file: str, key: str) -> dict:
        if self._sources is None:
            self._sources = {(r["file"], r["key"]): r for r in self.q("SELECT * FROM sources")}
        if key == "local":
            return {"kind": "local", "title": "your local overlay", "ref": file, "version": ""}
        return self._sources.get((file, key), {"kind": "?", "title": key, "ref": file, "version": ""})

    def _cite(self, row: dict) -> dict:
        src = self.source(row["file"], row["source_key"])
        row["source"] = {"key": row.pop("source_key"), "file": row.pop("file"), "kind": src["kind"],
                         "title": src["title"], "ref": src["ref"], "version": src["version"]}
        return row

    # ------------------------------------------------------------------ names
    def vendor_name(self, vendor: int | None) -> str | None:
        if vendor is None:
            return None
        r = self.conn.execute("SELECT name FROM pci_vendors WHERE vendor=?", (vendor,)).fetchone()
        if r:
            return r[0]
        r = self.conn.execute("SELECT vendor_name FROM kb_names WHERE vendor=? AND vendor_name!='' LIMIT 1",
                              (vendor,)).fetchone()
        return r[0] if r else None

    def device_name(self, vendor: int | None, device: int | None) -> str | None:
        if vendor is None or device is None:
            return None
        r = self.conn.execute("SELECT name FROM pci_devices WHERE vendor=? AND device=?", (vendor, device)).fetchone()
        if r:
            return r[0]
        r = self.conn.execute("SELECT name FROM kb_names WHERE vendor=? AND device=? AND name!=''",
                              (vendor, device)).fetchone()
        return r[0] if r else None

    def subsystem_name(self, vendor, device, subvendor, subdevice) -> str | None:
        if None in (vendor, device, subvendor, subdevice):
            return None
        r = self.conn.execute(
            "SELECT name FROM pci_subsystems WHERE vendor=? AND device=? AND subvendor=? AND subdevice=?",
            (vendor, device, subvendor, subdevice)).fetchone()
        return r[0] if r else None

    def class_name(self, code: int | None) -> str | None:
        if code is None:
            return None
        for c, level in ((code & 0xFFFF00, 1), (code & 0xFF0000, 0)):
            r = self.conn.execute("SELECT name FROM pci_classes WHERE code=? AND level=?", (c, level)).fetchone()
            if r:
                return r[0]
        return None

    # The lookup protocol of nicdb.inputs.resolve_names (names -> IDs).
    def vendor_ids(self, name: str) -> list[int]:
        """Vendors named ``name`` by the installed pci.ids, else by nicdb's own names."""
        rows = self.conn.execute("SELECT vendor FROM pci_vendors WHERE name=? COLLATE NOCASE", (name,)).fetchall()
        if not rows:
            rows = self.conn.execute("SELECT DISTINCT vendor FROM kb_names WHERE vendor_name=? COLLATE NOCASE",
                                     (name,)).fetchall()
        return sorted({r[0] for r in rows})

    def other_vendor_ids(self, name: str) -> list[int]:
        """Vendors that another version of pci.ids, older or newer than the installed one,
        named ``name`` (data/names/vendor-names-history.toml)."""
        rows = self.conn.execute("SELECT DISTINCT vendor FROM vendor_names WHERE name=? COLLATE NOCASE",
                                 (name,)).fetchall()
        return sorted({r[0] for r in rows})

    def other_device_ids(self, vendor: int, name: str) -> list[int]:
        """Devices of ``vendor`` that another version of pci.ids, older or newer than the
        installed one, named ``name`` (data/names/device-names-history.toml)."""
        rows = self.conn.execute("SELECT DISTINCT device FROM device_names WHERE vendor=? AND name=? COLLATE NOCASE",
                                 (vendor, name)).fetchall()
        return sorted({r[0] for r in rows})

    def device_ids(self, vendor: int, name: str) -> list[int]:
        rows = self.conn.execute("SELECT device FROM pci_devices WHERE vendor=? AND name=? COLLATE NOCASE",
                                 (vendor, name)).fetchall()
        if not rows:
            rows = self.conn.execute("SELECT device FROM kb_names WHERE vendor=? AND name=? COLLATE NOCASE",
                                     (vendor, name)).fetchall()
        return sorted({r[0] for r in rows if r[0] is not None})

    def class_codes(self, name: str) -> list[int]:
        rows = self.conn.execute("SELECT code, level FROM pci_classes WHERE name=? COLLATE NOCASE AND level < 2",
                                 (name,)).fetchall()
        # lspci prints the subclass name; "Network controller" is both class 02 and subclass 0280
        sub = sorted({c for c, lv in rows if lv == 1})
        return sub or sorted({c for c, _ in rows})

    # ------------------------------------------------------------------ chips
    def chip_ids(self) -> list[tuple[int, int]]:
        """Every vendor:device the chips table has rows for, in order."""
        rows = self.conn.execute("SELECT DISTINCT vendor, device FROM chips ORDER BY vendor, device")
        return [tuple(r) for r in rows]

    def chips(self, vendor: int, device: int, rev: int | None = None,
              subvendor: int | None = None, subdevice: int | None = None, *,
              any_subsystem: bool = False) -> list[dict]:
        """Chip rows for an ID (all revisions, or the one covering ``rev``), most specific
        first: your overlay's before nicdb's, subsystem-specific before generic, then by
        revision. A row limited to a subsystem is left out unless the subsystem is given
        and matches (``any_subsystem``: kept whatever the subsystem). An ID's rows are read
        once per database handle and filtered here."""
        rows = self._chips.get((vendor, device))
        if rows is None:
            rows = self.q("SELECT c.*, f.name AS family_name, f.summary AS family_summary FROM chips c "
                          "JOIN families f ON f.id = c.family WHERE c.vendor=? AND c.device=?", (vendor, device))
            for r in rows:
                r["products"] = json.loads(r["products"])
                r["features"] = json.loads(r["features"])
                r["shares_id_with"] = json.loads(r["shares_id_with"])
                r["firmware"] = json.loads(r["firmware"])
                r["claims"] = [self._cite(c) for c in self.q(
                    "SELECT says, confidence, file, source_key FROM claims WHERE chip_id=? ORDER BY rowid",
                    (r["id"],))]
                self._cite(r)
            rows.sort(key=lambda r: (r["origin"] != "local", r["subvendor"] is None, r["rev_lo"]))
            self._chips[(vendor, device)] = rows
        return [dict(r) for r in rows
                if (rev is None or r["rev_lo"] <= rev <= r["rev_hi"])
                and (r["subvendor"] is None or any_subsystem or (subvendor is not None and subdevice is not None
                                                and r["subvendor"] == subvendor and r["subdevice"] == subdevice))]

    # ------------------------------------------------------------------ kernel log
    def log_ids(self, driver: str, kind: str) -> list[dict]:
        """Every ``log_ids`` row of a driver (``r8169``; ``mlx5_core`` or ``mlx5-core``) and
        kind, cited, with the family's line rate where the row has none."""
        key = (driver, kind)
        rows = self._log_ids.get(key)
        if rows is None:
            names = tuple({driver, driver.replace("-", "_"), driver.replace("_", "-")})
            rows = self.q("SELECT l.*, f.line_rate_mbps AS family_line_rate, f.name AS family_name FROM log_ids l "
                          "JOIN families f ON f.id = l.family WHERE l.kind=? AND l.driver IN (%s)"
                          % ",".join("?" * len(names)), (kind, *names))
            for r in rows:
                r["products"] = json.loads(r["products"])
                r["firmware"] = json.loads(r["firmware"])
                if r["line_rate_mbps"] is None:
                    r["line_rate_mbps"] = r["family_line_rate"]
                del r["family_line_rate"]
                self._cite(r)
            self._log_ids[key] = rows
        return rows

    def log_id(self, driver: str, kind: str, value: int, vendor: int | None = None,
               device: int | None = None) -> dict | None:
        """The chip a logged identifier names: the rows whose ``value`` equals the logged value
        under their ``mask``, within their vendor/device limits; the most specific wins -- a
        row limited to the device's ID before a general one, then an exact row before a
        masked one, then the mask with the most bits. With the device ID unknown, rows
        limited to some device are used only when no general row matches."""
        hits = []
        for r in self.log_ids(driver, kind):
            if (value & r["mask"] if r["mask"] is not None else value) != r["value"]:
                continue
            if r["vendor"] is not None and vendor is not None and r["vendor"] != vendor:
                continue
            if r["device"] is not None and device is not None and r["device"] != device:
                continue
            hits.append(r)
        if device is None:
            general = [r for r in hits if r["device"] is None]
            hits = general or hits
        if not hits:
            return None
        hits.sort(key=lambda r: (r["device"] is None, r["mask"] is not None,
                                 -bin(r["mask"]).count("1") if r["mask"] is not None else 0))
        return dict(hits[0])

    def log_ids_named(self, driver: str, kind: str, chip: str) -> list[dict]:
        """The rows of a driver and kind whose chip is ``chip`` (as the driver prints it)."""
        low = chip.strip().lower()
        return [dict(r) for r in self.log_ids(driver, kind) if r["chip"].lower() == low]

    # ------------------------------------------------------------------ bridges
    def bridge(self, vendor: int | None, device: int | None) -> dict | None:
        """The data/bridges row of a bridge or chipset function (cited), or None."""
        if vendor is None or device is None:
            return None
        key = (vendor, device)
        if key not in self._bridges:
            rows = self.q("SELECT * FROM bridges WHERE vendor=? AND device=?", key)
            self._bridges[key] = self._cite(rows[0]) if rows else None
        row = self._bridges[key]
        return None if row is None else dict(row)

    def families(self) -> list[dict]:
        fams = self.q("SELECT * FROM families ORDER BY id")
        for f in fams:
            f["ids"] = [f"{r['vendor']:04x}:{r['device']:04x}" for r in self.q(
                "SELECT DISTINCT vendor, device FROM chips WHERE family=? ORDER BY vendor, device", (f["id"],))]
            f["chips"] = self.conn.execute("SELECT COUNT(*) FROM chips WHERE family=?", (f["id"],)).fetchone()[0]
            f["drivers"] = [d["name"] for d in self.q("SELECT name, families FROM drivers ORDER BY name")
                            if f["id"] in json.loads(d["families"])]
        return fams

    # ------------------------------------------------------------------ drivers
    def supports(self, vendor: int, device: int, rev: int | None = None) -> list[dict]:
        """Every driver entry for an ID (and revision): supported, partial or refused."""
        sql = ("SELECT s.*, d.kind, d.module, d.os, d.summary, d.maintained, d.version AS driver_version, d.package "
               "FROM supports s "
               "JOIN drivers d ON d.name = s.driver WHERE s.vendor=? AND s.device=?")
        args: list = [vendor, device]
        if rev is not None:
            sql += " AND ? BETWEEN s.rev_lo AND s.rev_hi"
            args.append(rev)
        return [self._cite(r) for r in self.q(sql + " ORDER BY s.driver, s.rev_lo", tuple(args))]

    def driver(self, name: str) -> dict | None:
        rows = self.q("SELECT * FROM drivers WHERE name=? OR module=?", (name, name.replace("-", "_")))
        return self._cite(rows[0]) if rows else None

    def drivers(self) -> list[dict]:
        return [self._cite(r) for r in self.q("SELECT * FROM drivers ORDER BY name")]

    def params(self, driver: str) -> list[dict]:
        rows = self.q("SELECT * FROM params WHERE driver=? ORDER BY name", (driver,))
        for r in rows:
            r["value_names"] = json.loads(r["value_names"])
            r["array"] = bool(r["array"])
            self._cite(r)
            r["defaults"] = [self._cite(d) | {"value": json.loads(d["value"])} for d in self.q(
                "SELECT * FROM param_defaults WHERE driver=? AND param=?", (driver, r["name"]))]
            r["recommend"] = []
            for d in self.q("SELECT * FROM param_recommend WHERE driver=? AND param=?", (driver, r["name"])):
                d["value"] = None if d["value"] is None else json.loads(d["value"])
                d["evidence"] = json.loads(d["evidence"])
                r["recommend"].append(self._cite(d))
        return rows

    def issues(self, driver: str, vendor: int | None = None, device: int | None = None,
               rev: int | None = None) -> list[dict]:
        """A driver's known issues; with an ID (and revision), only those that can affect
        that chip (an issue may be limited to some devices and revisions)."""
        out = []
        ident = None if vendor is None or device is None else f"{vendor:04x}:{device:04x}"
        for r in self.q("SELECT * FROM issues WHERE driver=? ORDER BY id", (driver,)):
            r["devices"] = json.loads(r["devices"])
            if ident is not None and r["devices"] and ident not in r["devices"]:
                continue
            if rev is not None and not r["rev_lo"] <= rev <= r["rev_hi"]:
                continue
            out.append(self._cite(r))
        return out

    # ------------------------------------------------------------------ measurements
    def measurement_sets(self, vendor: int | None = None, device: int | None = None,
                         rev: int | None = None) -> list[dict]:
        """Measurement sets (of one PCI ID and revision, or all), each with ``count`` (its
        measurements) and ``settings`` (the settings its rows vary)."""
        sql, args = ("SELECT s.*, (SELECT COUNT(*) FROM measurements m WHERE m.set_id = s.id) AS count, "
                     "(SELECT json_group_array(DISTINCT m.setting) FROM measurements m WHERE m.set_id = s.id "
                     "AND m.setting IS NOT NULL) AS settings FROM measurement_sets s WHERE 1=1", [])
        if vendor is not None:
            sql += " AND s.vendor=? AND s.device=?"
            args += [vendor, device]
        if rev is not None:
            sql += " AND ? BETWEEN s.rev_lo AND s.rev_hi"
            args.append(rev)
        out = []
        for r in self.q(sql + " ORDER BY s.origin DESC, s.id", tuple(args)):
            r["settings"] = json.loads(r["settings"] or "[]")
            out.append(self._cite(r))
        return out

    def measurement_set(self, set_id: str) -> dict | None:
        rows = self.q("SELECT * FROM measurement_sets WHERE id=?", (set_id,))
        return self._cite(rows[0]) if rows else None

    def measurements(self, set_id: str) -> list[dict]:
        """A set's measurements, in file order; ``value``, ``params`` and ``runs`` decoded."""
        rows = self.q("SELECT * FROM measurements WHERE set_id=? ORDER BY rowid", (set_id,))
        for r in rows:
            r["value"] = None if r["value"] is None else json.loads(r["value"])
            r["params"] = json.loads(r["params"] or "{}")
            r["runs"] = None if r["runs"] is None else json.loads(r["runs"])
        return rows

    def evidence(self, set_id: str) -> dict | None:
        """A measurement set with its rows, as a report cites it (None: no such set)."""
        ms = self.measurement_set(set_id)
        if ms is None:
            return None
        ms["rows"] = [{k: v for k, v in r.items() if k not in ("set_id", "where")} for r in self.measurements(set_id)]
        return ms

    # ------------------------------------------------------------------ modules.alias
    def alias_source(self, prefer_running: bool) -> tuple[str | None, str]:
        """Which cached alias table to use ("running" or "shipped") and its description."""
        meta = {r[0]: r[1] for r in self.conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('alias_running', 'alias_shipped')")}
        if prefer_running and "alias_running" in meta:
            return "running", meta["alias_running"]
        if "alias_shipped" in meta:
            extra = "" if not prefer_running else "; the running kernel has no modules.alias"
            return "shipped", meta["alias_shipped"] + extra
        return None, "no modules.alias table available"

    def alias_rows(self, source: str, vendor: int, device: int) -> list[tuple[str, str]]:
        """The ``(pattern, module)`` aliases of ``source`` that can match ``vendor:device``
        (those naming it, and those with a wildcard vendor or device), in file order."""
        try:
            return self.conn.execute(
                "SELECT pattern, module FROM aliases WHERE source=? AND vendor IN (?, '*') AND device IN (?, '*') "
                "ORDER BY rowid", (source, f"{vendor:08X}", f"{device:08X}")).fetchall()
        except sqlite3.DatabaseError as e:
            raise DatabaseError(f"the database at {self.path} cannot be read ({e}); run 'nicdb db build'") from None

    # ------------------------------------------------------------------ driver facts
    def facts_meta(self) -> dict:
        """What the driver facts cover: ``series`` and ``releases`` (oldest first), the date
        they were ``generated``, and ``kernels``: series -> ``{series, package, version}`` of
        the kernel package whose modules were read."""
        if self._facts_meta is None:
            meta = {r[0]: r[1] for r in self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('facts_series', 'facts_releases', 'facts_generated', "
                "'facts_kernels')")}
            self._facts_meta = {"series": meta.get("facts_series", "").split(),
                                "releases": meta.get("facts_releases", "").split(),
                                "generated": meta.get("facts_generated", ""),
                                "kernels": json.loads(meta.get("facts_kernels") or "{}")}
        return self._facts_meta

    def shipped_alias_rows(self, vendor: int, device: int) -> list[tuple[str, str, str, str]]:
        """The shipped ``(pattern, module, series, carried)`` aliases that can match ``vendor:device``."""
        return self.conn.execute(
            "SELECT pattern, module, series, carried FROM aliases WHERE source='shipped' AND vendor IN (?, '*') "
            "AND device IN (?, '*') ORDER BY rowid", (f"{vendor:08X}", f"{device:08X}")).fetchall()

    def module_facts(self, module: str) -> dict | None:
        """A module's generated facts: ``series`` (ascending), ``path``, ``params`` (``{name,
        type, series}``, one per type) and declared ``firmware`` (``{name, wildcard,
        series}``); None when the facts do not have the module."""
        module = module.replace("-", "_")
        if module in self._module_facts:
            return self._module_facts[module]
        row = self.conn.execute("SELECT module, series, path FROM modules WHERE module=?", (module,)).fetchone()
        facts = None
        if row is not None:
            facts = {"module": row[0], "series": row[1].split(), "path": row[2],
                     "params": [{"name": n, "type": t, "series": s.split()} for n, t, s in self.conn.execute(
                         "SELECT name, type, series FROM module_params WHERE module=? ORDER BY rowid", (module,))],
                     "firmware": [{"name": n, "wildcard": bool(w), "series": s.split()} for n, w, s in self.conn.execute(
                         "SELECT name, wildcard, series FROM module_firmware WHERE module=? ORDER BY rowid",
                         (module,))]}
        self._module_facts[module] = facts
        return facts

    def fact_modules(self) -> list[tuple[str, str]]:
        """Every module of the driver facts with its series."""
        return self.conn.execute("SELECT module, series FROM modules ORDER BY module").fetchall()

    def module_aliases(self, module: str) -> list[tuple[str, str, str]]:
        """The shipped ``(pattern, series, carried)`` aliases of a module."""
        return self.conn.execute("SELECT pattern, series, carried FROM aliases WHERE source='shipped' AND module=? "
                                 "ORDER BY rowid", (module.replace("-", "_"),)).fetchall()

    def firmware_shipped(self, names) -> dict[str, list[dict]]:
        """For each firmware name (wildcards allowed, each within one path component) the
        files Debian's packages ship: ``{file, release, package, version, target}`` rows."""
        from fnmatch import fnmatchcase

        out: dict[str, list[dict]] = {}
        cols = ("file", "release", "package", "version", "target")
        for name in names:
            if name in out:
                continue
            wild = next((i for i, c in enumerate(name) if c in "*?["), None)
            if wild is None:
                rows = self.conn.execute("SELECT file, release, package, version, target FROM firmware_files "
                                         "WHERE file=? ORDER BY rowid", (name,)).fetchall()
            else:
                prefix = name[:wild]
                parts = name.split("/")
                rows = [r for r in self.conn.execute(
                    "SELECT file, release, package, version, target FROM firmware_files WHERE file >= ? AND file < ? "
                    "ORDER BY rowid", (prefix, prefix + "\U0010ffff"))
                    if len(r[0].split("/")) == len(parts)
                    and all(fnmatchcase(a, b) for a, b in zip(r[0].split("/"), parts))]
            out[name] = [dict(zip(cols, r)) for r in rows]
        return out

    def firmware_declared_by(self, file: str) -> list[tuple[str, str]]:
        """The ``(module, series)`` that declare ``file``, by name or by a wildcard matching it
        (one entry per module: the series of every way it declares the file)."""
        from fnmatch import fnmatchcase

        parts = file.split("/")
        out: dict[str, set[str]] = {}
        for module, name, wildcard, series in self.conn.execute(
                "SELECT module, name, wildcard, series FROM module_firmware WHERE name=? OR wildcard=1 ORDER BY rowid",
                (file,)):
            if not wildcard or (len(name.split("/")) == len(parts)
                                and all(fnmatchcase(a, b) for a, b in zip(parts, name.split("/")))):
                out.setdefault(module, set()).update(series.split())
        key = lambda s: tuple(int(x) for x in s.split("."))  # noqa: E731
        return [(m, " ".join(sorted(ss, key=key))) for m, ss in out.items()]

    # ------------------------------------------------------------------ search
    def search(self, text: str, limit: int = 50) -> dict[str, list[dict]]:
        """Find chips, families, drivers, vendors and devices whose names contain ``text``, and
        the driver facts' modules and firmware files."""
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        esc = " ESCAPE '\\'"
        return {
            "chips": self.q(
                "SELECT c.family, c.vendor, c.device, c.rev_lo, c.rev_hi, c.chip, c.products, c.confidence "
                "FROM chips c WHERE c.chip LIKE ?" + esc + " OR c.products LIKE ?" + esc + " OR c.notes LIKE ?" + esc
                + " ORDER BY c.family, c.rev_lo LIMIT ?", (like, like, like, limit)),
            "families": self.q("SELECT id, name FROM families WHERE id LIKE ?" + esc + " OR name LIKE ?" + esc
                               + " LIMIT ?", (like, like, limit)),
            "drivers": self.q("SELECT name, kind, summary FROM drivers WHERE name LIKE ?" + esc
                              + " OR module LIKE ?" + esc + " OR summary LIKE ?" + esc + " LIMIT ?",
                              (like, like, like, limit)),
            "vendors": self.q("SELECT vendor, name FROM pci_vendors WHERE name LIKE ?" + esc + " LIMIT ?",
                              (like, limit)),
            "devices": self.q("SELECT d.vendor, d.device, d.name, v.name AS vendor_name FROM pci_devices d "
                              "LEFT JOIN pci_vendors v ON v.vendor = d.vendor WHERE d.name LIKE ?" + esc
                              + " LIMIT ?", (like, limit)),
            "modules": self._search_modules(text, limit),
            "firmware": self._search_firmware(like, limit),
        }

    def _search_modules(self, text: str, limit: int) -> list[dict]:
        """Modules of the driver facts whose name (``-`` read as ``_``) or path contains ``text``."""
        like = "%" + text.replace("-", "_").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        plain = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.conn.execute("SELECT module, series, path FROM modules WHERE module LIKE ? ESCAPE '\\' "
                                 "OR path LIKE ? ESCAPE '\\' ORDER BY module LIMIT ?", (like, plain, limit)).fetchall()
        return [{"module": m, "series": s.split(), "path": p} for m, s, p in rows]

    def _search_firmware(self, like: str, limit: int) -> list[dict]:
        """Firmware files whose name contains the text: the files Debian's packages ship and
        the names modules declare, each with the modules that may request it and the
        packages that ship it."""
        names = [r[0] for r in self.conn.execute(
            "SELECT file FROM firmware_files WHERE file LIKE ? ESCAPE '\\' UNION "
            "SELECT name FROM module_firmware WHERE name LIKE ? ESCAPE '\\' ORDER BY 1 LIMIT ?",
            (like, like, limit))]
        shipped = self.firmware_shipped(names)
        out = []
        for name in names:
            seen = set()
            packages = []
            for r in shipped[name]:
                if (r["release"], r["package"]) not in seen and r["file"] == name:
                    seen.add((r["release"], r["package"]))
                    packages.append({"release": r["release"], "package": r["package"], "version": r["version"]})
            target = next((r["target"] for r in shipped[name] if r["target"] and r["file"] == name), "")
            out.append({"file": name, "wildcard": any(c in name for c in "*?["),
                        "modules": [{"module": m, "series": s.split()} for m, s in self.firmware_declared_by(name)],
                        "packages": packages, "target": target or None})
        return out


def _connect_ro(path: str) -> sqlite3.Connection:
    # a file: URI, so the path's own '%', '?' and '#' must be escaped
    uri_path = path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return sqlite3.connect(f"file:{uri_path}?mode=ro", uri=True)


def _try_open(path: str, fp: str) -> tuple[sqlite3.Connection | None, str]:
    """Open read-only and check it is nicdb's, current database. Returns (conn, why-not)."""
    if not os.path.exists(path):
        return None, "does not exist"
    try:
        conn = _connect_ro(path)
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", _META_KEYS).fetchall())
    except sqlite3.DatabaseError:
        return None, "is corrupt or not a nicdb database"
    if rows.get("schema_version") != str(paths.DB_SCHEMA_VERSION):
        conn.close()
        return None, "has another schema version"
    if rows.get("fingerprint") != fp:
        conn.close()
        return None, "is out of date"
    return conn, ""

"""Read and validate the knowledge-base TOML files (data/ and local overlays).

Pure Python, no database: :func:`load_tree` returns normalized records that
:mod:`nicdb.kb.build` writes to SQLite. Every problem raises :class:`DataError`
naming the file and the entry, so a bad edit never reaches the database.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nicdb.errors import DataError, InputError
from nicdb.ids import fmt_rev_range, parse_hex16, parse_rev_range
from nicdb.kb.paths import data_files
from nicdb.versions import check_range

SCHEMA = 1
CONFIDENCE = {
    "driver-source",
    "vendor-source",
    "bsd-source",
    "pci-ids",
    "datasheet",
    "measured",
    "seed-inferred",
    "unverified",
    "local",
}
BUSES = {"pci", "pci-x", "pcie", "integrated", "unknown"}
SUPPORT_STATUS = {"supported", "refused", "partial"}
DRIVER_KINDS = {"in-tree", "vendor", "bsd"}
SEVERITY = {"minor", "major", "critical"}
DIRECTIONS = {"tx", "rx"}
BRIDGE_ROLES = {"pci-bridge", "south-bridge", "host-bridge"}
_SUBSYS = _VENDOR_DEVICE = re.compile(r"[0-9a-fA-F]{4}:[0-9a-fA-F]{4}\Z")
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


@dataclass
class Tree:
    """Everything loaded from one or more data directories, ready to be written."""

    sources: list[dict] = field(default_factory=list)
    families: list[dict] = field(default_factory=list)
    chips: list[dict] = field(default_factory=list)
    claims: list[dict] = field(default_factory=list)
    drivers: list[dict] = field(default_factory=list)
    supports: list[dict] = field(default_factory=list)
    params: list[dict] = field(default_factory=list)
    param_defaults: list[dict] = field(default_factory=list)
    param_recommend: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    measurement_sets: list[dict] = field(default_factory=list)
    measurements: list[dict] = field(default_factory=list)
    names: list[dict] = field(default_factory=list)
    vendor_names: list[dict] = field(default_factory=list)  # other (older or newer) pci.ids vendor names
    device_names: list[tuple] = field(default_factory=list)  # and device names, as tuples in column order
    log_ids: list[dict] = field(default_factory=list)  # chips named in the kernel log by an identifier
    bridges: list[dict] = field(default_factory=list)  # PCI bridges and chipsets whose PCI bus is fixed
    files: list[str] = field(default_factory=list)
    extends: list[tuple[str, str]] = field(default_factory=list)  # (driver, file) of overlay additions


class _Ctx:
    """Where we are, for error messages: ``data/families/x.toml: chips[2]: ...``."""

    def __init__(self, path: Path, label: str, origin: str):
        self.path, self.label, self.origin = path, label, origin

    def fail(self, where: str, why: str) -> DataError:
        # ``where`` carries names from the file: a line break in one must not break the message
        return DataError(f"{self.label}: {where}: {why}".translate(_LINE_BREAKS))


def _req(ctx: _Ctx, row: dict, key: str, where: str, kind=str):
    if key not in row:
        raise ctx.fail(where, f"missing required key {key!r}")
    val = row[key]
    if kind is not None and not isinstance(val, kind):
        raise ctx.fail(where, f"{key!r} must be {getattr(kind, '__name__', kind)}, not {type(val).__name__}")
    return val


# The keys each kind of entry may have. Anything else is a typo or a misunderstanding,
# and the build refuses it (naming the closest valid key) instead of ignoring it.
_CITED = ("source", "confidence")
KEYS = {
    "families": ("schema", "family", "sources", "chips", "log_ids"),
    "drivers": ("schema", "driver", "sources", "supports", "params", "issues"),
    "measurements": ("schema", "set", "sources", "rows"),
    "names": ("schema", "sources", "devices", "vendor_names", "device_names"),
    "bridges": ("schema", "sources", "bridges"),
    "bridge": ("vendor", "device", "name", "role", "bus_width_bits", "bus_mhz", "notes", *_CITED),
    "source": ("kind", "title", "ref", "version"),
    "family": ("id", "name", "line_rate_mbps", "summary"),
    "chip": ("vendor", "device", "subsystem", "revs", "chip", "products", "products_confidence", "shares_id_with",
             "bus", "bus_width_bits", "bus_mhz", "line_rate_mbps", "features", "firmware", "notes", "claims",
             *_CITED),
    "claim": ("says", *_CITED),
    "log_id": ("driver", "kind", "value", "mask", "vendor", "device", "chip", "products", "firmware",
               "line_rate_mbps", "notes", *_CITED),
    "driver": ("name", "module", "kind", "os", "families", "summary", "maintained", "package", "version", "extends",
               *_CITED),
    "support": ("vendor", "device", "revs", "status", "kernels", "reason", *_CITED),
    "param": ("name", "type", "array", "min", "max", "unit", "meaning", "values", "defaults", "recommend", *_CITED),
    "default": ("versions", "value", *_CITED),
    "recommend": ("revs", "value", "why", "evidence", "kernels", *_CITED),
    "issue": ("id", "title", "symptom", "affected", "fixed_in", "workaround", "severity", "devices", "revs",
              *_CITED),
    "set": ("id", "title", "tool", "setting", "vendor", "device", "revs", "chip", "board", "cpu", "bus",
            "line_rate_mbps", "host", "kernel", "iface", "slot", "peer", "date", *_CITED),
    "measurement": ("driver", "driver_version", "setting", "value", "dma_length", "params", "mtu", "mss",
                    "direction", "mbps", "runs", "retransmits", "cpu_local_pct", "cpu_peer_pct", "duration_s",
                    "note"),
    "device_name_row": ("vendor", "device", "vendor_name", "name", *_CITED),
    "vendor_name": ("vendor", "name", "current", "seen", *_CITED),
    "device_names": ("confidence", "rows"),
}


def _keys(ctx: _Ctx, row: dict, kind: str, where: str) -> None:
    """Refuse keys that entries of ``kind`` do not have, naming the closest valid one."""
    allowed = KEYS[kind]
    for key in row:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (valid keys: {', '.join(allowed)})"
            raise ctx.fail(where, f"unknown key {key!r}{hint}")


def _hex(ctx: _Ctx, row: dict, key: str, where: str) -> int:
    raw = _req(ctx, row, key, where)
    if len(raw) != 4:
        raise ctx.fail(where, f"{key} {raw!r} is not 4 hex digits")
    try:
        return parse_hex16(raw, key)
    except InputError:
        raise ctx.fail(where, f"{key} {raw!r} is not 4 hex digits") from None


def _revs(ctx: _Ctx, row: dict, where: str) -> tuple[int, int]:
    raw = row.get("revs", "*")
    try:
        return parse_rev_range(str(raw))
    except InputError as e:
        raise ctx.fail(where, f"revs {raw!r}: {e}") from None


def _subsys(ctx: _Ctx, row: dict, where: str) -> tuple[int | None, int | None]:
    raw = row.get("subsystem", "*")
    if raw == "*":
        return None, None
    if not isinstance(raw, str) or not _SUBSYS.match(raw):
        raise ctx.fail(where, f"subsystem {raw!r} must be VVVV:DDDD or *")
    a, b = raw.split(":")
    return int(a, 16), int(b, 16)


def _vrange(ctx: _Ctx, row: dict, key: str, where: str) -> str:
    raw = row.get(key, "*")
    if not isinstance(raw, str):
        raise ctx.fail(where, f"{key} must be a version range string")
    try:
        check_range(raw)
    except InputError as e:
        raise ctx.fail(where, f"{key} {raw!r}: {e}") from None
    return raw


def _cited(ctx: _Ctx, row: dict, where: str, sources: dict, default_conf: str | None = None) -> dict:
    """Check and return the source/confidence pair of a row."""
    if ctx.origin == "local" and "source" not in row:
        src = "local"
    else:
        src = _req(ctx, row, "source", where)
        if src not in sources:
            raise ctx.fail(where, f"source {src!r} is not defined in [sources]")
    conf = row.get("confidence", default_conf)
    if conf is None:
        conf = "local" if ctx.origin == "local" else None
    if conf not in CONFIDENCE:
        raise ctx.fail(where, f"confidence {conf!r} is not one of {', '.join(sorted(CONFIDENCE))}")
    return {"file": ctx.label, "source_key": src, "confidence": conf}


def _sources(ctx: _Ctx, doc: dict) -> dict:
    sources = doc.get("sources", {})
    if not isinstance(sources, dict):
        raise ctx.fail("[sources]", "must be a table of tables")
    for key, s in sources.items():
        if not isinstance(s, dict):
            raise ctx.fail(f"sources.{key}", "must be a table")
        _keys(ctx, s, "source", f"sources.{key}")
        for k in ("kind", "title", "ref"):
            _req(ctx, s, k, f"sources.{key}")
    if ctx.origin == "local":
        sources = dict(sources)
        sources.setdefault("local", {"kind": "local", "title": "your local overlay", "ref": ctx.label})
    return sources


def _load_doc(path: Path, label: str) -> dict:
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise DataError(f"{label}: not valid TOML: {e}") from None
    except OSError as e:
        raise DataError(f"{label}: cannot read: {e.strerror or e}") from None
    if doc.get("schema") != SCHEMA:
        raise DataError(f"{label}: 'schema = {SCHEMA}' is missing or different ({doc.get('schema')!r})")
    return doc


def _rows(ctx: _Ctx, doc: dict, key: str) -> list[dict]:
    rows = doc.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ctx.fail(key, f"must be an array of tables ([[{key}]])")
    return rows


def _add_sources(tree: Tree, ctx: _Ctx, sources: dict) -> None:
    for key, s in sources.items():
        tree.sources.append(
            {"file": ctx.label, "key": key, "kind": s["kind"], "title": s["title"],
             "ref": s["ref"], "version": str(s.get("version", ""))}
        )


def _family(tree: Tree, ctx: _Ctx, doc: dict) -> None:
    sources = _sources(ctx, doc)
    fam = doc.get("family")
    if not isinstance(fam, dict):
        raise ctx.fail("[family]", "missing")
    _keys(ctx, fam, "family", "[family]")
    fid = _req(ctx, fam, "id", "[family]")
    if Path(ctx.path).stem != fid and ctx.origin != "local":
        raise ctx.fail("[family]", f"id {fid!r} must match the file name")
    rate = fam.get("line_rate_mbps")
    tree.families.append(
        {"id": fid, "name": _req(ctx, fam, "name", "[family]"), "line_rate_mbps": rate,
         "summary": fam.get("summary", ""), "file": ctx.label, "origin": ctx.origin}
    )
    _add_sources(tree, ctx, sources)
    seen: dict[tuple, list[tuple[int, int, str]]] = {}
    for i, row in enumerate(_rows(ctx, doc, "chips")):
        where = f"chips[{i}] ({row.get('chip', '?')})"
        _keys(ctx, row, "chip", where)
        v, d = _hex(ctx, row, "vendor", where), _hex(ctx, row, "device", where)
        sv, sd = _subsys(ctx, row, where)
        lo, hi = _revs(ctx, row, where)
        key = (v, d, sv, sd)
        for plo, phi, pname in seen.get(key, []):
            if lo <= phi and plo <= hi:
                raise ctx.fail(
                    where,
                    f"revision range {fmt_rev_range(lo, hi)} of {v:04x}:{d:04x} overlaps "
                    f"{fmt_rev_range(plo, phi)} ({pname}); put other views in [[chips.claims]]",
                )
        seen.setdefault(key, []).append((lo, hi, row.get("chip", "?")))
        bus = row.get("bus", "unknown")
        if bus not in BUSES:
            raise ctx.fail(where, f"bus {bus!r} is not one of {', '.join(sorted(BUSES))}")
        cited = _cited(ctx, row, where, sources)
        pconf = row.get("products_confidence", cited["confidence"])
        if pconf not in CONFIDENCE:
            raise ctx.fail(where, f"products_confidence {pconf!r} is not a known confidence")
        products = _names_list(ctx, row, "products", where)
        chip_id = len(tree.chips) + 1
        tree.chips.append(
            {"id": chip_id, "family": fid, "vendor": v, "device": d, "subvendor": sv, "subdevice": sd,
             "rev_lo": lo, "rev_hi": hi, "chip": _req(ctx, row, "chip", where),
             "products": json.dumps(products), "products_confidence": pconf,
             "shares_id_with": json.dumps(_names_list(ctx, row, "shares_id_with", where)), "bus": bus,
             "bus_width_bits": _int(ctx, row, "bus_width_bits", where), "bus_mhz": _int(ctx, row, "bus_mhz", where),
             "line_rate_mbps": _int(ctx, row, "line_rate_mbps", where, rate),
             "features": json.dumps(_names_list(ctx, row, "features", where)),
             "firmware": json.dumps(_names_list(ctx, row, "firmware", where)), "notes": row.get("notes", ""),
             "origin": ctx.origin, **cited}
        )
        for j, claim in enumerate(_rows(ctx, row, "claims")):
            cw = f"{where}.claims[{j}]"
            _keys(ctx, claim, "claim", cw)
            tree.claims.append(
                {"chip_id": chip_id, "says": _req(ctx, claim, "says", cw), **_cited(ctx, claim, cw, sources)}
            )
    for i, row in enumerate(_rows(ctx, doc, "log_ids")):
        where = f"log_ids[{i}] ({row.get('chip', '?')})"
        _keys(ctx, row, "log_id", where)
        value = _hexnum(ctx, row, "value", where)
        mask = _hexnum(ctx, row, "mask", where) if "mask" in row else None
        if mask is not None and value & ~mask:
            raise ctx.fail(where, f"value {row['value']} has bits outside mask {row['mask']}")
        tree.log_ids.append(
            {"family": fid, "driver": _req(ctx, row, "driver", where), "kind": _req(ctx, row, "kind", where),
             "value": value, "mask": mask,
             "vendor": _hex(ctx, row, "vendor", where) if "vendor" in row else None,
             "device": _hex(ctx, row, "device", where) if "device" in row else None,
             "chip": _req(ctx, row, "chip", where), "products": json.dumps(_names_list(ctx, row, "products", where)),
             "firmware": json.dumps(_names_list(ctx, row, "firmware", where)),
             "line_rate_mbps": _int(ctx, row, "line_rate_mbps", where), "notes": row.get("notes", ""),
             **_cited(ctx, row, where, sources)}
        )


def _names_list(ctx: _Ctx, row: dict, key: str, where: str) -> list[str]:
    val = row.get(key, [])
    if not isinstance(val, list) or not all(isinstance(x, str) for x in val):
        raise ctx.fail(where, f"{key} must be a list of strings")
    return val


def _int(ctx: _Ctx, row: dict, key: str, where: str, default: int | None = None) -> int | None:
    val = row.get(key, default)
    if val is not None and (not isinstance(val, int) or isinstance(val, bool) or val < 0):
        raise ctx.fail(where, f"{key} must be a non-negative whole number, not {val!r}")
    return val


def _hexnum(ctx: _Ctx, row: dict, key: str, where: str) -> int:
    """A hex number written as a string, as drivers print it: ``"541"``, ``"5720000"``."""
    raw = _req(ctx, row, key, where)
    if not isinstance(raw, str) or not raw or len(raw) > 16 or raw.strip("0123456789abcdefABCDEF"):
        raise ctx.fail(where, f"{key} {raw!r} is not a hex number (digits only, no 0x)")
    return int(raw, 16)


def _driver(tree: Tree, ctx: _Ctx, doc: dict) -> None:
    sources = _sources(ctx, doc)
    drv = doc.get("driver")
    if not isinstance(drv, dict):
        raise ctx.fail("[driver]", "missing")
    _keys(ctx, drv, "driver", "[driver]")
    name = _req(ctx, drv, "name", "[driver]")
    if drv.get("extends"):
        # An overlay file adding notes, parameters or issues to a driver defined elsewhere.
        tree.extends.append((name, ctx.label))
    else:
        kind = drv.get("kind")
        if kind not in DRIVER_KINDS:
            raise ctx.fail("[driver]", f"kind {kind!r} is not one of {', '.join(sorted(DRIVER_KINDS))}")
        fams = drv.get("families", [])
        tree.drivers.append(
            {"name": name, "module": drv.get("module", name.replace("-", "_")), "kind": kind,
             "os": drv.get("os", "linux"), "families": json.dumps(fams), "summary": drv.get("summary", ""),
             "maintained": drv.get("maintained"), "package": drv.get("package", ""),
             "version": str(drv.get("version", "")), "origin": ctx.origin,
             **_cited(ctx, drv, "[driver]", sources)}
        )
    _add_sources(tree, ctx, sources)
    for i, row in enumerate(_rows(ctx, doc, "supports")):
        where = f"supports[{i}]"
        _keys(ctx, row, "support", where)
        status = row.get("status", "supported")
        if status not in SUPPORT_STATUS:
            raise ctx.fail(where, f"status {status!r} is not one of {', '.join(sorted(SUPPORT_STATUS))}")
        if status != "supported" and not row.get("reason"):
            raise ctx.fail(where, f"a {status} entry needs a reason")
        lo, hi = _revs(ctx, row, where)
        tree.supports.append(
            {"driver": name, "vendor": _hex(ctx, row, "vendor", where), "device": _hex(ctx, row, "device", where),
             "rev_lo": lo, "rev_hi": hi, "status": status, "kernels": _vrange(ctx, row, "kernels", where),
             "reason": row.get("reason", ""), **_cited(ctx, row, where, sources)}
        )
    for i, row in enumerate(_rows(ctx, doc, "params")):
        pname = _req(ctx, row, "name", f"params[{i}]")
        where = f"params[{i}] ({pname})"
        _keys(ctx, row, "param", where)
        tree.params.append(
            {"driver": name, "name": pname, "type": row.get("type", "int"), "array": bool(row.get("array", False)),
             "min": row.get("min"), "max": row.get("max"), "unit": row.get("unit", ""),
             "meaning": row.get("meaning", ""), "value_names": json.dumps(row.get("values", {})),
             **_cited(ctx, row, where, sources)}
        )
        for j, d in enumerate(_rows(ctx, row, "defaults")):
            dw = f"{where}.defaults[{j}]"
            _keys(ctx, d, "default", dw)
            if "value" not in d:
                raise ctx.fail(dw, "missing required key 'value'")
            _check_value(ctx, row, d["value"], dw)
            tree.param_defaults.append(
                {"driver": name, "param": pname, "versions": _vrange(ctx, d, "versions", dw),
                 "value": json.dumps(d["value"]), **_cited(ctx, d, dw, sources)}
            )
        for j, r in enumerate(_rows(ctx, row, "recommend")):
            rw = f"{where}.recommend[{j}]"
            _keys(ctx, r, "recommend", rw)
            lo, hi = _revs(ctx, r, rw)
            if "value" in r:
                _check_value(ctx, row, r["value"], rw)
            ev = r.get("evidence", [])
            if not isinstance(ev, list):
                raise ctx.fail(rw, "evidence must be a list of measurement set ids")
            tree.param_recommend.append(
                {"driver": name, "param": pname, "rev_lo": lo, "rev_hi": hi,
                 "value": json.dumps(r["value"]) if "value" in r else None,
                 "why": _req(ctx, r, "why", rw), "evidence": json.dumps(ev),
                 "kernels": _vrange(ctx, r, "kernels", rw), **_cited(ctx, r, rw, sources)}
            )
    for i, row in enumerate(_rows(ctx, doc, "issues")):
        where = f"issues[{i}] ({row.get('id', '?')})"
        _keys(ctx, row, "issue", where)
        lo, hi = _revs(ctx, row, where)
        devices = _names_list(ctx, row, "devices", where)
        for ident in devices:
            if not _VENDOR_DEVICE.match(ident):
                raise ctx.fail(where, f"devices: {ident!r} is not vendor:device in hex (8086:15f3)")
        sev = row.get("severity", "minor")
        if sev not in SEVERITY:
            raise ctx.fail(where, f"severity {sev!r} is not one of {', '.join(sorted(SEVERITY))}")
        tree.issues.append(
            {"driver": name, "id": _req(ctx, row, "id", where), "title": _req(ctx, row, "title", where),
             "symptom": row.get("symptom", ""), "affected": _vrange(ctx, row, "affected", where),
             "fixed_in": str(row.get("fixed_in", "")), "workaround": row.get("workaround", ""),
             "severity": sev, "devices": json.dumps([x.lower() for x in devices]), "rev_lo": lo, "rev_hi": hi,
             **_cited(ctx, row, where, sources)}
        )


def _check_value(ctx: _Ctx, param: dict, value, where: str) -> None:
    lo, hi = param.get("min"), param.get("max")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ctx.fail(where, f"value {value} is outside {param.get('name')}'s range {lo}-{hi}")


def _text(ctx: _Ctx, row: dict, key: str, where: str) -> str:
    val = row.get(key, "")
    if not isinstance(val, str):
        raise ctx.fail(where, f"{key} must be a string, not {type(val).__name__}")
    return val


def _number(ctx: _Ctx, row: dict, key: str, where: str, *, whole: bool = False, top: float | None = None):
    """An optional non-negative number (None when absent)."""
    val = row.get(key)
    if val is None:
        return None
    kinds = (int,) if whole else (int, float)
    if isinstance(val, bool) or not isinstance(val, kinds) or val != val or val < 0 or (top is not None and val > top):
        what = "a non-negative whole number" if whole else "a non-negative number"
        raise ctx.fail(where, f"{key} must be {what}{f' up to {top:g}' if top is not None else ''}, not {val!r}")
    return val


def _setting(ctx: _Ctx, raw, where: str) -> str | None:
    if raw is None:
        return None
    from nicdb.evidence.names import parse_setting

    if not isinstance(raw, str):
        raise ctx.fail(where, f"setting must be a string, not {type(raw).__name__}")
    try:
        parse_setting(raw)
    except InputError as e:
        raise ctx.fail(where, str(e)) from None
    return raw


def _value(ctx: _Ctx, row: dict, where: str):
    """A row's setting value: a number, a word (on, off, bbr) or a list of numbers (tcp_rmem)."""
    val = row.get("value")
    if val is None:
        return None
    ok = (isinstance(val, (int, float, str)) or
          (isinstance(val, list) and val and all(isinstance(x, int) and not isinstance(x, bool) for x in val)))
    if not ok or (isinstance(val, float) and val != val):
        raise ctx.fail(where, f"value {val!r} must be a number, a string or a list of whole numbers")
    return val


def _median(xs: list[float]) -> float:
    ys = sorted(xs)
    n = len(ys)
    return ys[n // 2] if n % 2 else (ys[n // 2 - 1] + ys[n // 2]) / 2


def _measurements(tree: Tree, ctx: _Ctx, doc: dict) -> None:
    sources = _sources(ctx, doc)
    s = doc.get("set")
    if not isinstance(s, dict):
        raise ctx.fail("[set]", "missing")
    _keys(ctx, s, "set", "[set]")
    sid = _req(ctx, s, "id", "[set]")
    if not isinstance(sid, str) or not sid:
        raise ctx.fail("[set]", "id must be a non-empty string")
    lo, hi = _revs(ctx, s, "[set]")
    if ("vendor" in s) != ("device" in s):
        raise ctx.fail("[set]", "give both vendor and device, or neither (a NIC without a PCI ID)")
    set_setting = _setting(ctx, s.get("setting"), "[set]")
    tree.measurement_sets.append(
        {"id": sid, "title": _req(ctx, s, "title", "[set]"), "tool": _text(ctx, s, "tool", "[set]"),
         "setting": set_setting,
         "vendor": _hex(ctx, s, "vendor", "[set]") if "vendor" in s else None,
         "device": _hex(ctx, s, "device", "[set]") if "device" in s else None,
         "rev_lo": lo, "rev_hi": hi, "chip": _text(ctx, s, "chip", "[set]"),
         "board": _text(ctx, s, "board", "[set]"), "cpu": _text(ctx, s, "cpu", "[set]"),
         "bus": _text(ctx, s, "bus", "[set]"), "line_rate_mbps": _int(ctx, s, "line_rate_mbps", "[set]"),
         "host": _text(ctx, s, "host", "[set]"), "kernel": _text(ctx, s, "kernel", "[set]"),
         "iface": _text(ctx, s, "iface", "[set]"), "slot": _text(ctx, s, "slot", "[set]"),
         "peer": _text(ctx, s, "peer", "[set]"), "date": _text(ctx, s, "date", "[set]"),
         "origin": ctx.origin, **_cited(ctx, s, "[set]", sources)}
    )
    _add_sources(tree, ctx, sources)
    for i, row in enumerate(_rows(ctx, doc, "rows")):
        where = f"rows[{i}]"
        _keys(ctx, row, "measurement", where)
        direction = row.get("direction")
        if direction not in DIRECTIONS:
            raise ctx.fail(where, f"direction {direction!r} must be tx or rx")
        mbps = _req(ctx, row, "mbps", where, (int, float))
        if isinstance(mbps, bool) or mbps < 0 or mbps != mbps:
            raise ctx.fail(where, "mbps must not be negative")
        setting, value = _setting(ctx, row.get("setting"), where) or set_setting, _value(ctx, row, where)
        if "dma_length" in row:  # the first form of the seed's data: a DMA_length column
            if "value" in row or "setting" in row:
                raise ctx.fail(where, "give either dma_length or setting/value, not both")
            setting, value = "DMA_length", _int(ctx, row, "dma_length", where)
        if value is not None and setting is None:
            raise ctx.fail(where, "a value needs a setting (in the row or in [set])")
        runs = row.get("runs")
        if runs is not None:
            if (not isinstance(runs, list) or not runs
                    or not all(isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in runs)):
                raise ctx.fail(where, "runs must be a list of the runs' Mb/s")
            if abs(_median(runs) - mbps) > 0.05 + 1e-6 * mbps:
                raise ctx.fail(where, f"mbps {mbps} is not the median of runs ({_median(runs):g})")
        params = row.get("params", {})
        if not isinstance(params, dict) or not all(
                isinstance(v, (str, int, float, bool)) for v in params.values()):
            raise ctx.fail(where, "params must be a table of the module parameters in force (name = value)")
        tree.measurements.append(
            {"set_id": sid, "driver": _req(ctx, row, "driver", where),
             "driver_version": _text(ctx, row, "driver_version", where), "setting": setting,
             "value": None if value is None else json.dumps(value), "params": json.dumps(params),
             "mtu": _int(ctx, row, "mtu", where), "mss": _int(ctx, row, "mss", where), "direction": direction,
             "mbps": float(mbps), "runs": None if runs is None else json.dumps([float(x) for x in runs]),
             "retransmits": _number(ctx, row, "retransmits", where, whole=True),
             "cpu_local_pct": _number(ctx, row, "cpu_local_pct", where, whole=True, top=100),
             "cpu_peer_pct": _number(ctx, row, "cpu_peer_pct", where, whole=True, top=100),
             "duration_s": _number(ctx, row, "duration_s", where), "note": _text(ctx, row, "note", where),
             "where": f"{ctx.label}: {where}", "origin": ctx.origin}
        )


def _names(tree: Tree, ctx: _Ctx, doc: dict) -> None:
    sources = _sources(ctx, doc)
    _add_sources(tree, ctx, sources)
    for i, row in enumerate(_rows(ctx, doc, "devices")):
        where = f"devices[{i}]"
        _keys(ctx, row, "device_name_row", where)
        tree.names.append(
            {"vendor": _hex(ctx, row, "vendor", where), "device": _hex(ctx, row, "device", where) if "device" in row else None,
             "vendor_name": row.get("vendor_name", ""), "name": row.get("name", ""),
             **_cited(ctx, row, where, sources)}
        )
    _device_names(tree, ctx, doc, sources)
    for i, row in enumerate(_rows(ctx, doc, "vendor_names")):
        where = f"vendor_names[{i}]"
        _keys(ctx, row, "vendor_name", where)
        name = _req(ctx, row, "name", where)
        if not name.strip():
            raise ctx.fail(where, "name must not be empty")
        tree.vendor_names.append(
            {"vendor": _hex(ctx, row, "vendor", where), "name": name.strip(), "seen": row.get("seen", ""),
             **_cited(ctx, row, where, sources)}
        )


def _device_names(tree: Tree, ctx: _Ctx, doc: dict, sources: dict) -> None:
    """``[device_names]``: ``rows`` of [vendor:device, name, first seen, last seen], where
    seen is "DATE REPO COMMIT" and REPO-history is the row's source (compact: a thousand
    rows, read on every build)."""
    table = doc.get("device_names")
    if table is None:
        return
    if not isinstance(table, dict) or not isinstance(table.get("rows"), list):
        raise ctx.fail("device_names", "must be a table with rows = [[ID, name, first seen, last seen], ...]")
    _keys(ctx, table, "device_names", "device_names")
    conf = table.get("confidence")
    if conf not in CONFIDENCE:
        raise ctx.fail("device_names", f"confidence {conf!r} is not one of {', '.join(sorted(CONFIDENCE))}")
    hexd = frozenset("0123456789abcdef")
    out = tree.device_names
    for i, row in enumerate(table["rows"]):
        where = f"device_names.rows[{i}]"
        if not (isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row)):
            raise ctx.fail(where, "must be [vendor:device, name, first seen, last seen], four strings")
        ident, name, first, last = row
        if not (len(ident) == 9 and ident[4] == ":" and set(ident[:4] + ident[5:]) <= hexd):
            raise ctx.fail(where, f"ID {ident!r} is not vendor:device in lower-case hex")
        if not name.strip():
            raise ctx.fail(where, "name must not be empty")
        seen = []
        for when in (first, last):
            parts = when.split(" ")
            if len(parts) != 3 or len(parts[0]) != 10 or parts[0][4] != "-":
                raise ctx.fail(where, f"seen {when!r} is not 'DATE REPO COMMIT'")
            seen.append(parts)
        src = f"{seen[0][1]}-history"
        if src not in sources:
            raise ctx.fail(where, f"source {src!r} (from {first!r}) is not defined in [sources]")
        out.append((int(ident[:4], 16), int(ident[5:], 16), name.strip(), f"{first} to {last}", ctx.label, src,
                    conf))


def _bridges(tree: Tree, ctx: _Ctx, doc: dict) -> None:
    """data/bridges: PCI-to-PCI bridges and chipset functions whose conventional PCI bus
    has a width and clock fixed by the chip (consumer chipsets: 32-bit/33 MHz)."""
    sources = _sources(ctx, doc)
    _add_sources(tree, ctx, sources)
    seen: set[tuple[int, int]] = set()
    for i, row in enumerate(_rows(ctx, doc, "bridges")):
        where = f"bridges[{i}] ({row.get('name', '?')})"
        _keys(ctx, row, "bridge", where)
        v, d = _hex(ctx, row, "vendor", where), _hex(ctx, row, "device", where)
        if (v, d) in seen:
            raise ctx.fail(where, f"{v:04x}:{d:04x} is listed twice")
        seen.add((v, d))
        role = row.get("role", "pci-bridge")
        if role not in BRIDGE_ROLES:
            raise ctx.fail(where, f"role {role!r} is not one of {', '.join(sorted(BRIDGE_ROLES))}")
        width, mhz = _int(ctx, row, "bus_width_bits", where), _int(ctx, row, "bus_mhz", where)
        if width not in (32, 64):
            raise ctx.fail(where, "bus_width_bits must be 32 or 64")
        if mhz not in (33, 66, 100, 133):
            raise ctx.fail(where, "bus_mhz must be 33, 66, 100 or 133")
        tree.bridges.append(
            {"vendor": v, "device": d, "name": _req(ctx, row, "name", where), "role": role,
             "bus_width_bits": width, "bus_mhz": mhz, "notes": row.get("notes", ""),
             **_cited(ctx, row, where, sources)})


_KINDS = {"families": _family, "drivers": _driver, "measurements": _measurements, "names": _names,
          "bridges": _bridges}


def load_tree(roots: list[tuple]) -> Tree:
    """Load and validate every data directory in ``roots`` ((path, origin) pairs).

    ``origin`` is "shipped" for nicdb's own data/ and "local" for a user overlay; an
    optional third item is the folder name to show in messages.
    Cross-file checks (unknown drivers, parameters, families, evidence) run at the end.
    """
    tree = Tree()
    for entry in roots:
        root, origin = entry[0], entry[1]
        shown = entry[2] if len(entry) > 2 else ("data" if origin == "shipped" else str(root))
        for path in map(Path, data_files(root)):
            label = f"{shown}/{path.parent.name}/{path.name}"
            ctx = _Ctx(path, label, origin)
            doc = _load_doc(path, label)
            _keys(ctx, doc, path.parent.name, "top level")
            _KINDS[path.parent.name](tree, ctx, doc)
            tree.files.append(str(path))
    _cross_check(tree)
    return tree


def _check_revision_coverage(tree: Tree) -> None:
    """nicdb's own generic chip rows of an ID cover every revision, 00-ff, once: a gap is a
    revision nicdb would silently know nothing about (say "*" with a note when the
    revision tells nothing), and two families claiming one revision contradict each other.
    (Subsystem rows refine generic ones; your overlay may add partial ranges.)"""
    from nicdb.ids import fmt_rev_range

    rows: dict[tuple[int, int], list[dict]] = {}
    for c in tree.chips:
        if c["origin"] == "shipped" and c["subvendor"] is None:
            rows.setdefault((c["vendor"], c["device"]), []).append(c)
    for (v, d), cs in rows.items():
        cs.sort(key=lambda c: c["rev_lo"])
        expect = 0
        for c in cs:
            if c["rev_lo"] > expect:
                raise DataError(f"{c['file']}: {v:04x}:{d:04x} has no chip row for revisions "
                                f"{fmt_rev_range(expect, c['rev_lo'] - 1)} (cover 00-ff: use a row with a note "
                                "where the revision tells nothing)")
            if c["rev_lo"] < expect:
                raise DataError(f"{c['file']}: {v:04x}:{d:04x} revisions {fmt_rev_range(c['rev_lo'], c['rev_hi'])} "
                                f"of {c['chip']!r} ({c['family']}) are also in another family's row")
            expect = c["rev_hi"] + 1
        if expect <= 0xFF:
            raise DataError(f"{cs[-1]['file']}: {v:04x}:{d:04x} has no chip row for revisions "
                            f"{fmt_rev_range(expect, 0xFF)} (cover 00-ff: use a row with a note "
                            "where the revision tells nothing)")


def _cross_check(tree: Tree) -> None:
    _check_revision_coverage(tree)
    seen_bridges: dict[tuple[int, int], str] = {}
    for b in tree.bridges:
        key = (b["vendor"], b["device"])
        if key in seen_bridges:
            raise DataError(f"{b['file']}: bridge {key[0]:04x}:{key[1]:04x} is also listed in {seen_bridges[key]}")
        seen_bridges[key] = b["file"]
    fams = {f["id"] for f in tree.families}
    drivers = {d["name"]: d for d in tree.drivers}
    params = {(p["driver"], p["name"]) for p in tree.params}
    sets = {s["id"] for s in tree.measurement_sets}
    dup = _first_dup([f["id"] for f in tree.families])
    if dup:
        raise DataError(f"family {dup!r} is defined twice")
    dup = _first_dup(list(d["name"] for d in tree.drivers))
    if dup:
        raise DataError(f"driver {dup!r} is defined twice")
    for name, label in tree.extends:
        if name not in drivers:
            raise DataError(f"{label}: [driver]: extends driver {name!r}, which is not defined")
    for d in tree.drivers:
        for f in json.loads(d["families"]):
            if f not in fams:
                raise DataError(f"{d['file']}: [driver]: family {f!r} is not defined in data/families")
    for r in tree.param_recommend:
        for ev in json.loads(r["evidence"]):
            if ev not in sets:
                raise DataError(f"{r['file']}: params ({r['param']}).recommend: evidence {ev!r} is not a measurement set")
    dup = _first_dup([s["id"] for s in tree.measurement_sets])
    if dup:
        raise DataError(f"measurement set {dup!r} is defined twice")
    from nicdb.evidence.names import param_of

    for m in tree.measurements:
        # the user's own sets may name any driver (veth, virtio_net); nicdb's must be known
        if m.pop("origin") == "local":
            continue
        if m["driver"] not in drivers:
            raise DataError(f"{m['where']}: driver {m['driver']!r} is not defined in data/drivers")
        param = param_of(m["setting"])
        if param is not None and (m["driver"], param) not in params:
            raise DataError(f"{m['where']}: driver {m['driver']!r} has no parameter {param!r}")


def _first_dup(items: list[str]) -> str | None:
    seen = set()
    for x in items:
        if x in seen:
            return x
        seen.add(x)
    return None

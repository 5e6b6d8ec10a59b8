"""JSON presenter: stable, documented keys (see README "JSON output")."""

from __future__ import annotations

import json
import os

from nicdb import __version__
from nicdb.ids import fmt_id, fmt_rev, fmt_rev_range

JSON_SCHEMA = 1


def _hex(v: int | None, width: int = 4) -> str | None:
    return None if v is None else f"{v:0{width}x}"


def chip_to_dict(c: dict | None) -> dict | None:
    if c is None:
        return None
    return {
        "family": c["family"],
        "family_name": c.get("family_name"),
        "chip": c["chip"],
        "products": c["products"],
        "products_confidence": c["products_confidence"],
        "shares_id_with": c.get("shares_id_with", []),
        "revs": fmt_rev_range(c["rev_lo"], c["rev_hi"]),
        "bus": c["bus"],
        "bus_width_bits": c.get("bus_width_bits"),
        "bus_mhz": c.get("bus_mhz"),
        "line_rate_mbps": c.get("line_rate_mbps"),
        "features": c.get("features", []),
        "firmware": c.get("firmware", []),
        "notes": c.get("notes", ""),
        "confidence": c["confidence"],
        "source": c["source"],
        "claims": [{"says": x["says"], "confidence": x["confidence"], "source": x["source"]}
                   for x in c.get("claims", [])],
    }


def bus_to_dict(b) -> dict | None:
    return None if b is None else b.to_dict()


def param_to_dict(p) -> dict:
    return {"driver": p.driver, "name": p.param, "recommended": p.recommended, "default": p.default,
            "action": p.action, "why": p.why, "value_meaning": (p.value_names or {}).get(str(p.recommended)),
            "evidence": p.evidence, "local_evidence": p.local_evidence, "confidence": p.confidence,
            "source": p.source}


_MEASUREMENT_KEYS = ("driver", "driver_version", "setting", "value", "params", "mtu", "mss", "direction", "mbps",
                     "runs", "retransmits", "cpu_local_pct", "cpu_peer_pct", "duration_s", "note")
_SET_KEYS = ("title", "tool", "setting", "chip", "board", "cpu", "bus", "line_rate_mbps", "host", "kernel", "iface",
             "slot", "peer", "date", "origin", "confidence", "source")


def measurement_to_dict(r: dict) -> dict:
    from nicdb.evidence.names import param_of

    out = {k: r.get(k) for k in _MEASUREMENT_KEYS}
    # the first form of the data had a DMA_length column; it is still given for those rows
    out["dma_length"] = r["value"] if param_of(r.get("setting")) == "DMA_length" else None
    return out


def evidence_to_dict(set_id: str, ms: dict | None) -> dict:
    """A measurement set (a report's evidence, ``evidence show``), with its measurements
    and what each curve means (``verdicts``, when worked out)."""
    if ms is None:
        return {"id": set_id, "missing": True}
    out = {"id": set_id, **{k: ms.get(k) for k in _SET_KEYS},
           "vendor": _hex(ms.get("vendor")), "device": _hex(ms.get("device")),
           "revs": fmt_rev_range(ms["rev_lo"], ms["rev_hi"]),
           "measurements": [measurement_to_dict(r) for r in ms["rows"]]}
    if ms.get("verdicts") is not None:
        out["verdicts"] = [v.to_dict() for v in ms["verdicts"]]
    return out


def evidence_document(ms: dict) -> dict:
    """``evidence show --json``: one set with its measurements and verdicts."""
    return {"nicdb": __version__, "schema": JSON_SCHEMA, **evidence_to_dict(ms["id"], ms)}


def set_summary(sets: list[dict]) -> dict:
    """``evidence list --json``: every measurement set, without its measurements."""
    return {"nicdb": __version__, "schema": JSON_SCHEMA, "sets": [
        {"id": m["id"], **{k: m.get(k) for k in _SET_KEYS}, "settings": m.get("settings", []),
         "vendor": _hex(m.get("vendor")), "device": _hex(m.get("device")),
         "revs": fmt_rev_range(m["rev_lo"], m["rev_hi"]), "count": m.get("count", 0)} for m in sets]}


def sweep_document(plan, status: str, *, notes: list[str] | None = None, result=None, ms: dict | None = None,
                   saved: str | None = None) -> dict:
    """``sweep --json``: the plan with its exact commands, and (after a run) what happened
    and the measurement set it saved."""
    k = plan.knob
    return {
        "nicdb": __version__, "schema": JSON_SCHEMA, "setting": k.name, "kind": k.kind, "iface": plan.iface,
        "peer": plan.peer, "port": plan.port, "values": plan.values, "directions": plan.directions,
        "repeat": plan.repeat, "duration_s": plan.duration, "original": plan.original,
        "original_text": k.describe(plan.original), "status": status,
        "plan": [{"value": v, "commands": cmds} for v, cmds in plan.steps()], "restore": plan.restore(),
        "notes": notes or [],
        "error": None if result is None else result.error,
        "restored": None if result is None else result.restored,
        "restore_error": None if result is None else result.restore_error,
        "saved": saved, "set": None if ms is None else evidence_to_dict(ms["id"], ms),
    }


def facts_to_dict(f) -> dict | None:
    """A NIC's generated driver facts (:class:`nicdb.report.DriverFacts`)."""
    if f is None:
        return None
    return {
        "series": f.series,
        "kernel_series": f.kernel_series,
        "kernel_series_exact": f.exact,
        "firmware_module": f.firmware_module,
        "modules": [module_facts_to_dict(m, declared=False) for m in f.modules],
    }


def module_facts_to_dict(m, declared: bool = True) -> dict:
    """A module's facts; ``declared``: with every firmware name it declares (the driver
    page; a NIC's own ``firmware`` list has the names of its series instead)."""
    out = {
        "module": m.module, "series": m.series, "binds": m.binds, "carried": m.carried, "span": m.span,
        "added_in": m.added_in, "removed_after": m.removed_after, "path": m.path, "noted": m.noted,
        "parameters": [{"name": p.name, "type": p.type, "types": [{"type": t, "series": ss} for t, ss in p.types],
                        "change": p.change, "noted": p.noted, "description": p.description, "value": p.value}
                       for p in m.params],
        "source": m.source,
    }
    if declared:
        out["firmware"] = [{"name": d["name"], "wildcard": d["wildcard"], "series": d["series"]} for d in m.firmware]
    return out


def firmware_to_dict(f, all_packages: bool = False) -> dict:
    """One firmware file a NIC's driver may request, on its host. Every Debian release's
    packages are listed when no release is named (offline, other distributions), when the
    host's release ships no such file, or with ``all_packages``."""
    listed = all_packages or f.release is None or f.state == "not-shipped"
    return {"file": f.file, "module": f.module, "needed": f.needed, "wildcard": f.wildcard, "state": f.state,
            "present": f.present, "path": f.path, "package": f.package, "version": f.version, "release": f.release,
            "install": f.install,
            "packages": [{"release": p["release"], "package": p["package"], "version": p["version"]}
                         for p in f.packages] if listed else [],
            "target": f.target, "fallback": f.fallback}


def distribution_to_dict(d) -> dict | None:
    return None if d is None else d.to_dict()


def driver_page_to_dict(p) -> dict:
    """``nicdb driver NAME --json``: a :class:`nicdb.driver_page.DriverPage`."""
    d = p.driver
    a = p.availability
    return {
        "nicdb": __version__,
        "name": p.name,
        "module": p.module,
        "notes": None if d is None else {
            "name": d["name"], "kind": d["kind"], "os": d["os"], "summary": d["summary"],
            "maintained": None if d["maintained"] is None else bool(d["maintained"]), "package": d.get("package"),
            "confidence": d["confidence"], "source": d["source"]},
        "series": p.series,
        "kernels": p.kernels,
        "kernel": p.kernel,
        "kernel_series": p.kernel_series,
        "kernel_series_exact": p.exact,
        "on_kernel": None if p.kernel is None or p.facts is None else {
            "available": a is None, "status": "present" if a is None else a[0], "reason": None if a is None else a[1]},
        "facts": None if p.facts is None else module_facts_to_dict(p.facts),
        "pci_ids": {"count": p.id_count, "patterns": p.pattern_count, "list": p.ids if p.all_ids else None},
        "firmware": [firmware_to_dict(f, all_packages=True) for f in p.firmware],
        "distribution": distribution_to_dict(p.distribution),
        "families": p.families,
        "parameter_notes": [{"name": x["name"], "type": x["type"], "meaning": x["meaning"], "unit": x["unit"],
                             "min": x["min"], "max": x["max"], "confidence": x["confidence"]} for x in p.params],
        "issues": [{"id": i["id"], "title": i["title"], "severity": i["severity"], "affected": i["affected"],
                    "fixed_in": i["fixed_in"], "workaround": i["workaround"], "confidence": i["confidence"]}
                   for i in p.issues],
    }
def fact_to_dict(f) -> dict:
    return {"driver": f.driver, "kind": f.kind, "value": f.value, "line": f.line, "lineno": f.lineno, "tie": f.tie}


def log_chip_to_dict(lc: dict | None) -> dict | None:
    if lc is None:
        return None
    return {k: lc.get(k) for k in ("chip", "products", "family", "firmware", "line_rate_mbps", "notes", "confidence",
                                   "source", "via", "driver", "kind", "value", "lineno", "line", "why")}


def pci_bus_to_dict(d) -> dict:
    px = d.pcix
    return {"cap_66mhz": d.cap_66mhz, "secondary_bus": None if d.secondary_bus is None else f"{d.secondary_bus:02x}",
            "secondary_66mhz": d.sec_66mhz,
            "pcix": None if px is None else {"bridge": px.bridge, "width_bits": px.width_bits, "max_mhz": px.max_mhz,
                                              "bus_mhz": px.bus_mhz}}


def report_to_dict(rep) -> dict:
    d = rep.device
    link = None
    if d.link is not None:
        link = {"speed_gts": d.link.speed_gts, "width": d.link.width,
                "max_speed_gts": d.link.max_speed_gts, "max_width": d.link.max_width}
    adv = rep.drivers
    return {
        "slot": d.slot,
        "vendor": {"id": _hex(d.vendor), "name": rep.vendor_name},
        "device": {"id": _hex(d.device), "name": rep.device_name},
        "subsystem": {"vendor": _hex(d.subsystem_vendor), "device": _hex(d.subsystem_device),
                      "name": rep.subsystem_name},
        "revision": _hex(d.revision, 2),
        "class": {"code": _hex(d.class_code, 6), "name": rep.class_name},
        "driver_in_use": d.driver,
        "kernel_modules": d.modules,
        "interfaces": [{"name": i.name, "driver": i.driver, "mac": i.mac, "mtu": i.mtu,
                        "speed_mbps": i.speed_mbps, "operstate": i.operstate,
                        "tx_queue_len": i.tx_queue_len} for i in d.interfaces],
        "pcie": d.is_pcie,
        "link": link,
        "chip": chip_to_dict(rep.chip),
        "candidate_modules": None if rep.candidate_modules is None else {
            "modules": rep.candidate_modules, "source": rep.modules_source},
        "drivers": None if adv is None else {
            "recommended": adv.recommended,
            "kernel": adv.kernel,
            "kernel_assumed": adv.kernel_assumed,
            "why": adv.why,
            "options": [{"name": o.name, "kind": o.kind, "status": o.status, "reason": o.reason,
                         "issues": [i["id"] for i in o.issues], "confidence": o.confidence}
                        for o in adv.options],
        },
        "parameters": [param_to_dict(p) for p in rep.params],
        "modprobe": rep.modprobe,
        "alternatives": [{"driver": name, "parameters": [param_to_dict(p) for p in params], "modprobe": line}
                         for name, (params, line) in rep.alternatives.items()],
        "evidence": [evidence_to_dict(set_id, ms) for set_id, ms in rep.evidence.items()],
        "issues": [{"driver": i["driver"], "id": i["id"], "title": i["title"], "severity": i["severity"],
                    "affected": i["affected"], "fixed_in": i["fixed_in"], "workaround": i["workaround"],
                    "confidence": i["confidence"]} for i in rep.issues],
        "bus": bus_to_dict(rep.bus),
        "driver_facts": facts_to_dict(rep.facts),
        "firmware": [firmware_to_dict(f) for f in rep.firmware],
        "firmware_state": rep.firmware_state,
        "firmware_advice": rep.firmware_advice,
        "summary": rep.summary,
        "notes": d.notes + [n for n in getattr(rep, "notes", []) if n not in d.notes],
        "upstream": d.upstream,
        "origin": d.origin,
        "log": [fact_to_dict(f) for f in d.log],
        "log_chip": log_chip_to_dict(getattr(rep, "log_chip", None)),
        "log_agrees": getattr(rep, "log_agrees", None),
        "pci_bus": pci_bus_to_dict(d),
        "candidate_ids": [f"{v:04x}:{i:04x}" for v, i in d.candidate_ids],
    }


def document(doc) -> dict:
    """A :class:`nicdb.report.Document` as JSON data."""
    log = getattr(doc, "log", None)
    return {
        "nicdb": __version__,
        "schema": JSON_SCHEMA,
        "source": doc.source,
        "host": doc.host,
        "kernel": doc.kernel,
        "distribution": distribution_to_dict(doc.distribution),
        "nics": [report_to_dict(r) for r in doc.nics],
        "kernel_log": None if log is None else log.to_dict(),
        "notes": list(getattr(doc, "notes", []) or []),
    }


_line = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_string = json.encoder.encode_basestring  # a str as JSON, as _line writes it


def host_line(doc) -> str:
    """One host's :func:`document` as a JSON line (``identify --from DIR --json``)."""
    return _line(document(doc)) + "\n"


def _head(host: str | None, source: str, kernel: str | None, distribution=None) -> str:
    """The keys every line of ``--jsonl`` starts with, as JSON text without the closing brace."""
    return _line({"nicdb": __version__, "schema": JSON_SCHEMA, "host": host, "source": source, "kernel": kernel,
                  "distribution": distribution_to_dict(distribution)})[:-1]


def nic_lines(doc) -> str:
    """A :class:`nicdb.report.Document` as JSON lines, one per NIC (``identify --jsonl``):
    the host, source, kernel and distribution, and the NIC under ``"nic"`` as
    :func:`report_to_dict` has it."""
    return FleetLines(doc.kernel).nic_lines(doc.nics, source=doc.source, host=doc.host,
                                            distribution=doc.distribution)


def error_line(host: str | None, source: str, kernel: str | None, error: str) -> str:
    """The JSON line of a fleet member that could not be read (``--jsonl``): no ``"nic"``,
    an ``"error"`` instead."""
    return _head(host, source, kernel) + ',"error":' + _string(error) + "}\n"


def summary_line(summary: dict) -> str:
    """The fleet summary as the last JSON line."""
    return _line({"summary": summary}) + "\n"


_SEP = object()  # between the variable-length runs of FleetLines' keys
# where a cached NIC text takes its origin: a value no input can hold (made once per process)
_ORIGIN = "\x00origin " + os.urandom(8).hex()
_PLAIN = frozenset((str, int, bool, type(None), object))  # values whose == is "same JSON"
_getters: dict[type, object] = {}


def _flat(values: tuple) -> tuple:
    """Record fields with list values (a bus verdict's evidence) spread out between markers."""
    if not any(type(v) is list for v in values):
        return values
    out: list = []
    for v in values:
        if type(v) is list:
            out += [_SEP, *v, _SEP]
        else:
            out.append(v)
    return tuple(out)


def _fields(rec) -> tuple:
    """The slot values of a record, in order."""
    get = _getters.get(type(rec))
    if get is None:
        import operator

        slots = type(rec).__slots__
        get = _getters[type(rec)] = (operator.attrgetter(*slots) if len(slots) > 1
                                     else lambda r: (getattr(r, slots[0]),))
    return get(rec)


class FleetLines:
    """:func:`host_line` for a whole fleet -- the same text, made faster: all of a NIC's
    JSON but its slot and origin is encoded once per distinct NIC (same IDs, names,
    driver, advice, bus verdict, summary) and then reused.

    Plain values (str, int, bool, None) are compared by value and type. The knowledge
    pieces (chip row, driver advice, parameter advice, issues, driver facts, and the
    firmware files -- shared per chip and host, since presence varies by host) are the
    objects :class:`nicdb.report.Identifier` shares between the reports of one chip,
    never changed once made; they are told apart by identity, and each cached text holds on to its
    objects so that no other object can take over an identity while the text is cached.
    A NIC with anything else in it (interfaces, a PCIe link, a float) is encoded in full.
    """

    MAX_CACHED = 2048  # texts of a few KiB each

    def __init__(self, kernel: str | None):
        self.kernel = kernel
        self._texts: dict[tuple, tuple] = {}

    def nic(self, rep) -> str:
        """:func:`report_to_dict` of one report as JSON text."""
        return "".join(self._pieces(rep))

    def _pieces(self, rep) -> tuple:
        """:meth:`nic` in pieces, for the caller to join once with the rest of its line:
        a host's text is some 35 KB, and joining it piece by piece would copy it over and
        over (memory traffic that two workers on two cores share)."""
        d = rep.device
        slot, origin, bus, cm = d.slot, d.origin, rep.bus, rep.candidate_modules
        if (d.interfaces or d.link is not None or d.upstream or d.log or d.candidate_ids or rep.notes
                or d.cap_66mhz is not None or d.pcix is not None or d.secondary_bus is not None
                or d.sec_66mhz is not None or type(slot) is not str or type(origin) is not str
                or type(d.modules) is not list or type(d.notes) is not list or not (cm is None or type(cm) is list)):
            return (_line(report_to_dict(rep)),)
        vals = (d.vendor, d.device, d.subsystem_vendor, d.subsystem_device, d.revision, d.class_code, d.driver,
                d.is_pcie, rep.vendor_name, rep.device_name, rep.subsystem_name, rep.class_name,
                rep.modules_source, rep.modprobe, rep.summary, cm is None, rep.firmware_state, rep.firmware_advice,
                id(rep.chip), id(rep.drivers), id(rep.params), id(rep.issues), id(rep.alternatives),
                id(rep.evidence), id(rep.facts), id(rep.firmware),
                _SEP, *d.modules, _SEP, *d.notes, _SEP, *(cm or ()), _SEP,
                *(() if bus is None else _flat(_fields(bus))))
        types = tuple(map(type, vals))
        if not _PLAIN.issuperset(types):
            return (_line(report_to_dict(rep)),)
        key = (vals, types, type(bus))
        hit = self._texts.get(key)
        if hit is None:
            whole = report_to_dict(rep)
            del whole["slot"]
            whole["origin"] = _ORIGIN
            before, after = _line(whole)[1:-1].split('"origin":' + _string(_ORIGIN), 1)
            if len(self._texts) >= self.MAX_CACHED:
                self._texts.clear()
            # the objects whose ids are in the key are kept alive with it, so no id is reused
            hit = self._texts[key] = ("," + before, after, rep.chip, rep.drivers, rep.params, rep.issues,
                                      rep.alternatives, rep.evidence, rep.facts, rep.firmware)
        return '{"slot":', _string(slot), hit[0], '"origin":', _string(origin), hit[1], "}"

    def host(self, reports, *, source: str, host: str | None, distribution=None) -> str:
        """:func:`host_line` of one host."""
        doc = _line({"nicdb": __version__, "schema": JSON_SCHEMA, "source": source, "host": host,
                     "kernel": self.kernel, "distribution": distribution_to_dict(distribution)})
        parts = [doc[:-1], ',"nics":[']
        for i, r in enumerate(reports):
            if i:
                parts.append(",")
            parts += self._pieces(r)
        parts.append('],"kernel_log":null,"notes":[]}\n')
        return "".join(parts)

    def error_line(self, host: str | None, source: str, error: str) -> str:
        """:func:`error_line` of one host."""
        return error_line(host, source, self.kernel, error)

    def nic_lines(self, reports, *, source: str, host: str | None, distribution=None) -> str:
        """:func:`nic_lines` of one host."""
        head = _head(host, source, self.kernel, distribution) + ',"nic":'
        parts = []
        for r in reports:
            parts.append(head)
            parts += self._pieces(r)
            parts.append("}\n")
        return "".join(parts)

    summary = staticmethod(summary_line)


def dumps(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False)


__all__ = ["document", "host_line", "nic_lines", "error_line", "summary_line", "FleetLines", "report_to_dict", "chip_to_dict", "dumps", "fmt_id",
           "fmt_rev"]

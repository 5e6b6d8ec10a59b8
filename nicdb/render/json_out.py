"""JSON presenter: stable, documented keys (see README "JSON output")."""

from __future__ import annotations

import json

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
        "revs": fmt_rev_range(c["rev_lo"], c["rev_hi"]),
        "bus": c["bus"],
        "bus_width_bits": c.get("bus_width_bits"),
        "bus_mhz": c.get("bus_mhz"),
        "line_rate_mbps": c.get("line_rate_mbps"),
        "features": c.get("features", []),
        "notes": c.get("notes", ""),
        "confidence": c["confidence"],
        "source": c["source"],
        "claims": [{"says": x["says"], "confidence": x["confidence"], "source": x["source"]}
                   for x in c.get("claims", [])],
    }


def bus_to_dict(b) -> dict | None:
    return None if b is None else b.to_dict()


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
        "parameters": [{"driver": p.driver, "name": p.param, "recommended": p.recommended,
                        "default": p.default, "action": p.action, "why": p.why, "evidence": p.evidence,
                        "confidence": p.confidence} for p in rep.params],
        "modprobe": rep.modprobe,
        "issues": [{"driver": i["driver"], "id": i["id"], "title": i["title"], "severity": i["severity"],
                    "affected": i["affected"], "fixed_in": i["fixed_in"], "workaround": i["workaround"],
                    "confidence": i["confidence"]} for i in rep.issues],
        "bus": bus_to_dict(rep.bus),
        "summary": rep.summary,
        "notes": d.notes,
        "origin": d.origin,
    }


def document(reports, *, source: str, kernel: str | None, host: str | None = None) -> dict:
    return {
        "nicdb": __version__,
        "schema": JSON_SCHEMA,
        "source": source,
        "host": host,
        "kernel": kernel,
        "nics": [report_to_dict(r) for r in reports],
    }


def dumps(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False)


__all__ = ["document", "report_to_dict", "chip_to_dict", "dumps", "fmt_id", "fmt_rev"]

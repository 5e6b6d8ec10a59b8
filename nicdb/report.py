"""Turn devices into identification reports: knowledge-base lookups plus advice.

This is the glue between access methods (nicdb.inputs), the knowledge base (nicdb.kb)
and the pure advice functions (nicdb.advice). Renderers take the reports from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nicdb.advice.driver import DriverAdvice, choose_driver
from nicdb.advice.params import ParamAdvice, advise_params, modprobe_line
from nicdb.kb.store import KnowledgeBase
from nicdb.model import PciDevice


@dataclass
class NicReport:
    device: PciDevice
    vendor_name: str | None
    device_name: str | None
    subsystem_name: str | None
    class_name: str | None
    chip: dict | None  # the knowledge-base chip row for this revision
    chip_ranges: int  # how many revision ranges the KB has for this ID
    drivers: DriverAdvice | None
    params: list[ParamAdvice] = field(default_factory=list)
    modprobe: str | None = None
    issues: list[dict] = field(default_factory=list)  # issues of the recommended driver on this kernel
    candidate_modules: list[str] | None = None
    modules_source: str | None = None
    bus: object | None = None  # nicdb.advice.bus.BusVerdict
    summary: str = ""


def _names(dev: PciDevice, kb: KnowledgeBase) -> tuple:
    return (
        kb.vendor_name(dev.vendor) or dev.vendor_name,
        kb.device_name(dev.vendor, dev.device) or dev.device_name,
        kb.subsystem_name(dev.vendor, dev.device, dev.subsystem_vendor, dev.subsystem_device) or dev.subsystem_name,
        kb.class_name(dev.class_code) or dev.class_name,
    )


def build_report(dev: PciDevice, kb: KnowledgeBase, *, kernel: str | None,
                 candidate_modules: list[str] | None = None, modules_source: str | None = None,
                 cards_per_driver: dict[str, int] | None = None) -> NicReport:
    vname, dname, sname, cname = _names(dev, kb)
    chip = None
    n_ranges = 0
    supports: list[dict] = []
    if dev.vendor is not None and dev.device is not None:
        all_chips = kb.chips(dev.vendor, dev.device, None, dev.subsystem_vendor, dev.subsystem_device)
        n_ranges = len(all_chips)
        if dev.revision is not None:
            chip = next((c for c in all_chips if c["rev_lo"] <= dev.revision <= c["rev_hi"]), None)
        supports = kb.supports(dev.vendor, dev.device, dev.revision)
    issues_by = {s["driver"]: kb.issues(s["driver"]) for s in supports}
    advice = None
    if supports or candidate_modules:
        advice = choose_driver(supports, issues_by, kernel=kernel, candidate_modules=candidate_modules)
    rep = NicReport(dev, vname, dname, sname, cname, chip, n_ranges, advice,
                    candidate_modules=candidate_modules, modules_source=modules_source)
    if advice and advice.recommended:
        drv = kb.driver(advice.recommended)
        if drv:
            version = kernel if drv["kind"] == "in-tree" else None
            rep.params = advise_params(drv, kb.params(drv["name"]), dev.revision, version)
            cards = (cards_per_driver or {}).get(drv["name"], 1)
            rep.modprobe = modprobe_line(rep.params, cards)
            rep.issues = next((o.issues for o in advice.options if o.name == drv["name"]), [])
    rep.summary = summarize(rep)
    return rep


def summarize(rep: NicReport) -> str:
    """One line of advice for tables."""
    dev = rep.device
    if rep.chip is None:
        if rep.chip_ranges:
            return "revision not in the knowledge base" if dev.revision is not None else "revision unknown"
        if rep.drivers and rep.drivers.recommended:
            return f"use {rep.drivers.recommended} (no chip notes)"
        return "not in the knowledge base"
    parts = []
    if rep.drivers and rep.drivers.recommended:
        parts.append(f"use {rep.drivers.recommended}")
    for p in rep.params:
        if p.action == "set":
            parts.append(f"{p.param}={p.recommended}")
        elif p.action == "already-default":
            parts.append(f"{p.param}={p.recommended} (default)")
    if rep.issues:
        parts.append(f"{len(rep.issues)} known issue(s)")
    return ", ".join(parts) or "known chip"


def build_reports(devices: list[PciDevice], kb: KnowledgeBase, *, kernel: str | None,
                  modules=None, nics_only: bool = True) -> list[NicReport]:
    """Reports for every NIC (or every device with ``nics_only=False``).

    ``modules`` is an optional callable ``device -> (modules, source description)``.
    """
    chosen = [d for d in devices if d.is_nic or not nics_only]
    cards: dict[str, int] = {}
    for d in chosen:
        if d.driver:
            cards[d.driver] = cards.get(d.driver, 0) + 1
    out = []
    for d in chosen:
        mods, msrc = (modules(d) if modules else (None, None))
        out.append(build_report(d, kb, kernel=kernel, candidate_modules=mods, modules_source=msrc,
                                cards_per_driver=cards))
    return out

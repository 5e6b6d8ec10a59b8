"""Turn devices into identification reports: knowledge-base lookups plus advice.

This is the glue between access methods (nicdb.inputs), the knowledge base (nicdb.kb)
and the pure advice functions (nicdb.advice). Renderers take the reports from here.
"""

from __future__ import annotations

from nicdb.advice.bus import BusContext, bus_ceiling
from nicdb.advice.driver import DriverAdvice, choose_driver
from nicdb.advice.linerate import rate_from_name
from nicdb.advice.logchip import agreement
from nicdb.advice.params import ParamAdvice, advise_params, modprobe_line
from nicdb.kb.store import KnowledgeBase
from nicdb.model import PciDevice, Record, may_hide_nic, slot_bus


class NicReport(Record):
    """One NIC: its names, the knowledge-base chip row for its revision, driver and
    parameter advice, candidate modules, the bus verdict and a one-line summary."""

    __slots__ = ("device", "vendor_name", "device_name", "subsystem_name", "class_name", "chip", "chip_ranges",
                 "drivers", "params", "modprobe", "issues", "candidate_modules", "modules_source", "bus",
                 "summary", "alternatives", "evidence", "log_chip", "log_agrees", "notes")

    def __init__(self, device: PciDevice, vendor_name, device_name, subsystem_name, class_name,
                 chip: dict | None, chip_ranges: int, drivers: DriverAdvice | None,
                 params: list[ParamAdvice] | None = None, modprobe: str | None = None,
                 issues: list[dict] | None = None, candidate_modules: list[str] | None = None,
                 modules_source: str | None = None, bus=None, summary: str = "",
                 alternatives: dict | None = None, evidence: dict | None = None):
        self.device = device
        self.vendor_name, self.device_name = vendor_name, device_name
        self.subsystem_name, self.class_name = subsystem_name, class_name
        self.chip = chip  # the knowledge-base chip row for this revision
        self.chip_ranges = chip_ranges  # how many revision ranges the KB has for this ID
        self.drivers = drivers
        self.params = [] if params is None else params
        self.modprobe = modprobe
        self.issues = [] if issues is None else issues  # issues of the recommended driver on this kernel
        self.candidate_modules, self.modules_source = candidate_modules, modules_source
        self.bus = bus  # nicdb.advice.bus.BusVerdict
        self.summary = summary
        # Parameter advice for the other usable drivers: {driver: (params, modprobe line)}
        self.alternatives = {} if alternatives is None else alternatives
        # The measurement sets the parameter advice cites: {set id: set with its rows}
        self.evidence = {} if evidence is None else evidence
        # The chip the kernel log names (see pin_chip), and whether the revision's row agrees
        # (True, False, None: cannot be compared), with why in notes
        self.log_chip: dict | None = None
        self.log_agrees: bool | None = None
        self.notes: list[str] = []  # what the report says beyond the input's own notes


class Document(Record):
    """Everything ``identify`` and ``suggest`` show for one machine: where it was read
    from, the host and the kernel the advice is for, one report per NIC, the kernel log
    read with it (``log``: a :class:`nicdb.kernellog.LogSummary`) and notes said once."""

    __slots__ = ("source", "host", "kernel", "nics", "log", "notes")

    def __init__(self, source: str, host: str | None, kernel: str | None, nics: list[NicReport],
                 log=None, notes: list[str] | None = None):
        self.source, self.host, self.kernel, self.nics = source, host, kernel, nics
        self.log = log
        self.notes = [] if notes is None else notes


def _names(dev: PciDevice, kb: KnowledgeBase) -> tuple:
    return (
        kb.vendor_name(dev.vendor) or dev.vendor_name,
        kb.device_name(dev.vendor, dev.device) or dev.device_name,
        kb.subsystem_name(dev.vendor, dev.device, dev.subsystem_vendor, dev.subsystem_device) or dev.subsystem_name,
        kb.class_name(dev.class_code) or dev.class_name,
    )


class Identifier:
    """Builds reports for many devices, memoizing knowledge lookups per distinct chip
    (vendor, device, subsystem, revision, class, candidate modules), so a fleet of a
    million functions costs one set of queries per distinct chip, not per device."""

    def __init__(self, kb: KnowledgeBase, *, kernel: str | None):
        self.kb = kb
        self.kernel = kernel
        self._cache: dict[tuple, tuple] = {}

    def _lookup(self, dev: PciDevice, candidate_modules: list[str] | None, cards: int) -> tuple:
        kb, kernel = self.kb, self.kernel
        names = _names(dev, kb)
        chip = None
        n_ranges = 0
        supports: list[dict] = []
        if dev.vendor is not None and dev.device is not None:
            all_chips = kb.chips(dev.vendor, dev.device, None, dev.subsystem_vendor, dev.subsystem_device)
            n_ranges = len(all_chips)
            if dev.revision is not None:
                chip = next((c for c in all_chips if c["rev_lo"] <= dev.revision <= c["rev_hi"]), None)
            supports = kb.supports(dev.vendor, dev.device, dev.revision)
        elif dev.candidate_ids:  # a name that matches several IDs: what nicdb knows of each
            seen: set[tuple] = set()
            for v, i in dev.candidate_ids:
                for sup in kb.supports(v, i, dev.revision):
                    k = (sup["driver"], sup["status"], sup["kernels"])
                    if k not in seen:
                        seen.add(k)
                        supports.append(sup)
        issues_by = {s["driver"]: kb.issues(s["driver"], dev.vendor, dev.device, dev.revision) for s in supports}
        advice = None
        if supports or candidate_modules:
            advice = choose_driver(supports, issues_by, kernel=kernel, candidate_modules=candidate_modules)
        params: list[ParamAdvice] = []
        modprobe = None
        issues: list[dict] = []
        alternatives: dict[str, tuple[list[ParamAdvice], str | None]] = {}
        if advice and advice.recommended:
            for opt in advice.options:
                if opt.score <= -1000 or opt.kind == "unknown":
                    continue
                drv = kb.driver(opt.name)
                if not drv:
                    continue
                version = kernel if drv["kind"] == "in-tree" else None
                p = advise_params(drv, kb.params(drv["name"]), dev.revision, version)
                line = modprobe_line(p, cards)
                if opt.name == advice.recommended:
                    params, modprobe, issues = p, line, opt.issues
                elif p:
                    alternatives[opt.name] = (p, line)
        evidence: dict[str, dict] = {}
        every = params + [p for ps, _ in alternatives.values() for p in ps]
        for p in every:
            for set_id in p.evidence:
                if set_id not in evidence:
                    evidence[set_id] = kb.evidence(set_id)
        if every and dev.vendor is not None and dev.device is not None:
            _local_evidence(kb, dev, every, evidence)
        return names, chip, n_ranges, advice, params, modprobe, issues, alternatives, evidence

    def report(self, dev: PciDevice, candidate_modules: list[str] | None = None, modules_source: str | None = None,
               cards_per_driver: dict[str, int] | None = None, context: BusContext | None = None) -> NicReport:
        cards = (cards_per_driver or {}).get(dev.driver or "", 1)
        key = (dev.vendor, dev.device, tuple(dev.candidate_ids), dev.subsystem_vendor, dev.subsystem_device,
               dev.revision, dev.class_code,
               tuple(candidate_modules) if candidate_modules is not None else None, cards,
               dev.vendor_name, dev.device_name, dev.subsystem_name, dev.class_name)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
            hit = self._cache[key] = self._lookup(dev, candidate_modules, cards)
        (vname, dname, sname, cname), chip, n_ranges, advice, params, modprobe, issues, alternatives, evidence = hit
        rep = NicReport(dev, vname, dname, sname, cname, chip, n_ranges, advice, params, modprobe, issues,
                        candidate_modules=candidate_modules, modules_source=modules_source,
                        alternatives=alternatives, evidence=evidence)
        rate, rate_from = None, "given"
        if dev.log:
            rep.log_chip = pin_chip(dev, self.kb)
            if rep.log_chip is not None:
                self._judge(rep)
                if chip is None and rep.log_chip.get("line_rate_mbps"):
                    rate, rate_from = rep.log_chip["line_rate_mbps"], "kernel log chip"
        if rate is None and (chip is None or not chip.get("line_rate_mbps")):
            rate = rate_from_name(dname)
            rate_from = "device name"
        rep.bus = bus_ceiling(dev, chip, rate, context, rate_from)
        rep.summary = summarize(rep)
        return rep

    def _judge(self, rep: NicReport) -> None:
        """Whether the revision's row agrees with the chip the log names; a note either way
        but agreement."""
        dev, lc = rep.device, rep.log_chip
        rows = self.kb.chips(dev.vendor, dev.device, None, dev.subsystem_vendor, dev.subsystem_device) \
            if dev.vendor is not None and dev.device is not None else []
        rep.log_agrees, why = agreement(rep.chip, lc, rows)
        lc["why"] = why
        if rep.log_agrees is False:
            rep.notes.append(f"the kernel log names the chip {lc['chip']} ({lc['said']}), which disagrees with the "
                             f"guess from the PCI revision: {why}")


# Identifier kinds of the kernel log, most specific first: the first one the knowledge
# base maps pins the chip (a radio's rf-id or rf names the radio, not the chip: not here).
PIN_KINDS = ("ext-xid", "xid", "chip-rev", "chip-id-rev", "target-version", "soc-id", "asic-rev", "chip-id",
             "hw-rev", "mac-rev", "rt-chipset", "fw-major")


def pin_chip(dev: PciDevice, kb: KnowledgeBase) -> dict | None:
    """The chip the device's kernel log names: through the knowledge base's ``log_ids``
    (the first identifier of :data:`PIN_KINDS` a row maps; where the driver printed a
    chip name on the same line and a row of that name exists, that row -- r8169's 4.x
    XIDs lose two bits the name keeps), else a name the driver printed. None when the
    log names no chip."""
    printed = {(f.driver, f.lineno): f.value for f in dev.log if f.kind == "chip"}
    for kind in PIN_KINDS:
        for f in dev.log:
            if f.kind != kind:
                continue
            try:
                value = int(f.value, 16)
            except ValueError:
                continue
            row = kb.log_id(f.driver, kind, value, dev.vendor, dev.device)
            name = printed.get((f.driver, f.lineno))
            if name and (row is None or row["chip"].lower() != name.lower()):
                named = kb.log_ids_named(f.driver, kind, name)
                if named:
                    row = named[0]
            if row is None:
                continue
            return {"chip": row["chip"], "products": row["products"], "family": row["family"],
                    "firmware": row["firmware"], "line_rate_mbps": row["line_rate_mbps"], "notes": row["notes"],
                    "confidence": row["confidence"], "source": row["source"], "via": "log-id",
                    "driver": f.driver, "kind": kind, "value": f.value, "line": f.line, "lineno": f.lineno,
                    "said": f"{f.driver} {kind} {f.value}, line {f.lineno}"}
    for f in dev.log:
        if f.kind == "chip":
            return {"chip": f.value, "products": [], "family": None, "firmware": [], "line_rate_mbps": None,
                    "notes": "", "confidence": None, "source": None, "via": "name", "driver": f.driver,
                    "kind": "chip", "value": f.value, "line": f.line, "lineno": f.lineno,
                    "said": f"printed by {f.driver}, line {f.lineno}"}
    return None


def bus_context(dev: PciDevice, index: dict[str, PciDevice], kb: KnowledgeBase) -> BusContext | None:
    """What the bus verdict of a conventional-PCI device needs beyond the device: the bridge
    it sits behind (its path in the input, or the bridge whose secondary bus is the
    device's bus), or -- on bus 0, behind no bridge -- the chipset functions there (host
    bridge, ISA/LPC bridge); each with its data/bridges row when there is one; and the
    bus its driver logged."""
    log_bus = next((f for f in dev.log if f.kind == "bus"), None)
    if dev.is_pcie or (dev.link is not None and dev.link.speed_gts):
        return BusContext(log_bus=log_bus) if log_bus else None
    bridge = None
    if dev.upstream:
        bridge = index.get(dev.upstream[-1])
    else:
        where = slot_bus(dev.slot)
        if where is not None:
            domain, bus = where
            bridge = next((d for d in index.values() if d.secondary_bus == bus and d.secondary_bus != 0
                           and d.slot.startswith(domain + ":") and d is not dev), None)
            if bridge is None and bus == 0:
                chipset = [d for d in index.values() if d.slot.startswith(domain + ":00:")
                           and d.class_code is not None and d.class_code >> 8 in (0x0600, 0x0601)]
                for d in sorted(chipset, key=lambda d: d.class_code >> 8 != 0x0601):
                    row = kb.bridge(d.vendor, d.device)
                    if row is not None and row["role"] != "pci-bridge":
                        return BusContext(bridge=d, bridge_row=row, via="chipset", log_bus=log_bus)
                host = next((d for d in chipset if d.class_code >> 8 == 0x0600), None)
                return BusContext(bridge=host, via="host bus", log_bus=log_bus)
    if bridge is None:
        return BusContext(log_bus=log_bus) if log_bus or dev.upstream else None
    slow = []
    if bridge.secondary_bus is not None:
        here = slot_bus(dev.slot)
        slow = [d.slot for d in index.values() if d is not dev and d.cap_66mhz is False
                and here is not None and slot_bus(d.slot) == here]
    return BusContext(bridge=bridge, bridge_row=kb.bridge(bridge.vendor, bridge.device), via="bridge",
                      log_bus=log_bus, slow_peers=slow)


def _local_evidence(kb: KnowledgeBase, dev: PciDevice, params: list[ParamAdvice], evidence: dict) -> None:
    """The user's own measurement sets on this chip that vary a parameter advised on go
    into ``evidence`` (and the parameter's ``local_evidence``); then every set gets its
    verdicts, judged against the advice for each row's driver."""
    from nicdb.evidence.names import names_param

    for ms in kb.measurement_sets(dev.vendor, dev.device, dev.revision):
        if ms["origin"] != "local":
            continue
        for p in params:
            if any(names_param(st, p.module, p.param) for st in ms["settings"]):
                p.local_evidence.append(ms["id"])
                if ms["id"] not in evidence:
                    evidence[ms["id"]] = kb.evidence(ms["id"])

    def recommended_for(driver: str, setting: str | None):
        same = [p for p in params if names_param(setting, p.module, p.param)]
        # the driver's own advice, else (a bare parameter name) the advice on that parameter
        for p in sorted(same, key=lambda p: p.driver != driver):
            return p.recommended if p.recommended is not None else p.default
        return None

    for ms in evidence.values():
        if ms is not None:
            ms["verdicts"] = read_evidence(ms, kb, recommended_for)


def setting_label(setting: str | None) -> str:
    """What tables and charts call a setting (``DMA_length`` for ``via_velocity.DMA_length``)."""
    from nicdb.errors import InputError
    from nicdb.evidence.names import parse_setting

    if not setting:
        return "setting"
    try:
        return parse_setting(setting).label
    except InputError:
        return setting


def set_context(ms: dict, kb: KnowledgeBase) -> tuple:
    """The line rate (Mb/s or None) and host-bus verdict (or None) of a measurement set:
    its own link speed and bus, else its chip's in the knowledge base."""
    from nicdb.advice.bus import bus_from_text

    chip: dict = {}
    if ms.get("vendor") is not None and ms.get("device") is not None:
        rows = kb.chips(ms["vendor"], ms["device"], ms["rev_lo"] if ms["rev_lo"] == ms["rev_hi"] else None)
        if len(rows) == 1:  # a set over several chips' revisions has no one chip
            chip = dict(rows[0])
    named = bus_from_text(ms.get("bus"))
    if named:
        chip.update(named)
    rate = ms.get("line_rate_mbps") or chip.get("line_rate_mbps")
    if not chip:
        return rate, None
    dev = PciDevice(slot=ms.get("slot") or "-", vendor=ms.get("vendor"), device=ms.get("device"))
    return rate, bus_ceiling(dev, chip, rate)


def read_evidence(ms: dict, kb: KnowledgeBase, recommended_for=None) -> list:
    """What each curve of a measurement set means (:func:`nicdb.advice.evidence.read_rows`),
    judged against its line rate and bus; ``recommended_for(driver, setting)`` gives the
    value nicdb recommends (None: no advice)."""
    from nicdb.advice.evidence import read_rows

    rate, bus = set_context(ms, kb)
    ms["line_rate"], ms["bus_verdict"] = rate, bus  # for charts: the levels to draw
    return read_rows(ms["rows"], setting_label, recommended_for, rate, bus)


def recommendations(kb: KnowledgeBase, ms: dict, kernel: str | None = None):
    """``recommended_for(driver, setting)`` from the knowledge base's parameter advice for
    a set's chip (the set's revision) on ``kernel`` (None: a current kernel)."""
    from nicdb.evidence.names import names_param

    rev = ms["rev_lo"] if ms.get("rev_lo") == ms.get("rev_hi") else None
    cache: dict[str, list[ParamAdvice]] = {}

    def recommended_for(driver: str, setting: str | None):
        if driver not in cache:
            drv = kb.driver(driver)
            version = kernel if drv and drv["kind"] == "in-tree" else None
            cache[driver] = advise_params(drv, kb.params(drv["name"]), rev, version) if drv else []
        for p in cache[driver]:
            if names_param(setting, p.module, p.param):
                return p.recommended if p.recommended is not None else p.default
        return None

    return recommended_for


def summarize(rep: NicReport) -> str:
    """One line of advice for tables."""
    dev = rep.device
    if dev.candidate_ids and dev.device is None:
        ids = ", ".join(f"{v:04x}:{i:04x}" for v, i in dev.candidate_ids)
        use = f"; use {rep.drivers.recommended}" if rep.drivers and rep.drivers.recommended else ""
        return f"one of {len(dev.candidate_ids)} IDs ({ids}){use}"
    if rep.chip is None and rep.log_chip is not None:
        use = f"use {rep.drivers.recommended}, " if rep.drivers and rep.drivers.recommended else ""
        return f"{use}chip {rep.log_chip['chip']} from the kernel log"
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


def select_nics(devices: list[PciDevice], kb: KnowledgeBase, modules=None) -> list[PciDevice]:
    """The NICs among ``devices``: network class (0x02xx), or a network interface below,
    or -- for a function whose class may hide a NIC (:func:`nicdb.model.may_hide_nic`:
    NVIDIA's nForce Ethernet says "bridge") -- claimed by a network driver: the driver in
    use, a module the input lists, or a module whose modules.alias matches it, is one of
    the knowledge base's drivers or of nicdb's table of network-driver aliases."""
    out = []
    network = None
    for d in devices:
        cc = d.class_code
        if d.interfaces or (cc is not None and cc >> 16 == 2):  # inlined is_nic: runs per device of a fleet
            out.append(d)
            continue
        if not may_hide_nic(cc):
            continue
        if network is None:
            network = kb.network_modules()
        names = [d.driver] if d.driver else []
        names += d.modules
        if not names and modules is not None:
            names = modules(d)[0] or []
        if any(n.replace("-", "_") in network for n in names):
            out.append(d)
    return out


def build_reports(devices: list[PciDevice], kb: KnowledgeBase, *, kernel: str | None,
                  modules=None, nics_only: bool = True, identifier: Identifier | None = None) -> list[NicReport]:
    """Reports for every NIC (see :func:`select_nics`), or every device with ``nics_only=False``.

    ``modules`` is an optional callable ``device -> (modules, source description)``
    (:func:`nicdb.modalias.finder`).
    """
    ident = identifier or Identifier(kb, kernel=kernel)
    chosen = select_nics(devices, kb, modules) if nics_only else devices
    cards: dict[str, int] = {}
    for d in chosen:
        if d.driver:
            cards[d.driver] = cards.get(d.driver, 0) + 1
    index = None
    out = []
    for d in chosen:
        if d.candidate_ids and modules:
            mods, msrc = candidate_modules(d, modules)
        else:
            mods, msrc = (modules(d) if modules else (None, None))
        context = None
        if not d.is_pcie and (d.log or d.upstream or d.slot[-7:-5] == "00" or len(devices) > 1):
            if index is None:
                index = {x.slot: x for x in devices}
            context = bus_context(d, index, kb)
        out.append(ident.report(d, mods, msrc, cards, context))
    return out


def candidate_modules(dev: PciDevice, modules) -> tuple[list[str], str]:
    """A name-only device whose name matches several IDs: the drivers of each ID (the union
    of the modules whose aliases match any of them), said as such."""
    found: list[str] = []
    src = ""
    for v, i in dev.candidate_ids:
        probe = PciDevice(dev.slot, v, i, class_code=dev.class_code, revision=dev.revision)
        mods, src = modules(probe)
        for m in mods or []:
            if m not in found:
                found.append(m)
    ids = ", ".join(f"{v:04x}:{i:04x}" for v, i in dev.candidate_ids)
    return found, f"{src}; the union over the IDs the name matches ({ids})"


def identify(reading, kb: KnowledgeBase, *, kernel: str | None, alias_file: str | None = None,
             nics_only: bool = True) -> Document:
    """The :class:`Document` for one machine's :class:`~nicdb.inputs.Reading`: names for
    name-only input first, then a report per NIC (every function with ``nics_only=False``),
    with candidate modules from ``alias_file`` or the database's tables."""
    from nicdb import modalias
    from nicdb.inputs import resolve_missing_ids

    resolve_missing_ids(reading.devices, kb)
    reports = build_reports(reading.devices, kb, kernel=kernel, nics_only=nics_only,
                            modules=modalias.finder(kb, alias_file, reading.live))
    return Document(reading.label, reading.host if reading.live else None, kernel, reports,
                    log=getattr(reading, "log", None), notes=list(getattr(reading, "notes", []) or []))

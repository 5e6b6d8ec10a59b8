"""Turn devices into identification reports: knowledge-base lookups plus advice.

This is the glue between access methods (nicdb.inputs), the knowledge base (nicdb.kb)
and the pure advice functions (nicdb.advice). Renderers take the reports from here.
"""

from __future__ import annotations

from nicdb.advice import facts as F
from nicdb.advice.bus import BusContext, bus_ceiling
from nicdb.advice.driver import DriverAdvice, choose_driver
from nicdb.advice.linerate import rate_from_name
from nicdb.advice.logchip import agreement
from nicdb.advice.params import ParamAdvice, advise_params, modprobe_line
from nicdb.kb.store import KnowledgeBase
from nicdb.model import PciDevice, Record, may_hide_nic, slot_bus

SHIPPED = "shipped driver facts"  # how nicdb.modalias.describe_shipped names the shipped table


class NicReport(Record):
    """One NIC: its names, the knowledge-base chip row for its revision, driver and
    parameter advice, candidate modules, the bus verdict and a one-line summary."""

    __slots__ = ("device", "vendor_name", "device_name", "subsystem_name", "class_name", "chip", "chip_ranges",
                 "drivers", "params", "modprobe", "issues", "candidate_modules", "modules_source", "bus",
                 "summary", "alternatives", "evidence", "facts", "firmware", "firmware_state", "firmware_advice",
                 "log_chip", "log_agrees", "notes")

    def __init__(self, device: PciDevice, vendor_name, device_name, subsystem_name, class_name,
                 chip: dict | None, chip_ranges: int, drivers: DriverAdvice | None,
                 params: list[ParamAdvice] | None = None, modprobe: str | None = None,
                 issues: list[dict] | None = None, candidate_modules: list[str] | None = None,
                 modules_source: str | None = None, bus=None, summary: str = "",
                 alternatives: dict | None = None, evidence: dict | None = None,
                 facts: "DriverFacts | None" = None, firmware: list | None = None, firmware_state: str = "none",
                 firmware_advice: str | None = None):
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
        # The generated driver facts of the candidate modules (DriverFacts, None: no facts)
        self.facts = facts
        # The firmware files its driver may request, on this host (nicdb.advice.facts.FirmwareFile),
        # the NIC's firmware state (see firmware_verdict) and the advice that goes first when missing
        self.firmware = [] if firmware is None else firmware
        self.firmware_state, self.firmware_advice = firmware_state, firmware_advice
        # The chip the kernel log names (see pin_chip), and whether the revision's row agrees
        # (True, False, None: cannot be compared), with why in notes
        self.log_chip: dict | None = None
        self.log_agrees: bool | None = None
        self.notes: list[str] = []  # what the report says beyond the input's own notes


class DriverFacts(Record):
    """The generated driver facts of one NIC's candidate modules: the series the facts
    cover, the one the advice is for (``kernel_series``; ``exact``: the kernel's own, not
    the nearest), each module's :class:`~nicdb.advice.facts.ModuleFacts` and the module whose
    firmware is checked."""

    __slots__ = ("series", "kernel_series", "exact", "modules", "firmware_module")

    def __init__(self, series: list[str], kernel_series: str | None, exact: bool, modules: list,
                 firmware_module: str | None):
        self.series, self.kernel_series, self.exact = series, kernel_series, exact
        self.modules, self.firmware_module = modules, firmware_module


class Document(Record):
    """Everything ``identify`` and ``suggest`` show for one machine: where it was read
    from, the host and the kernel the advice is for, one report per NIC, the kernel log
    read with it (``log``: a :class:`nicdb.kernellog.LogSummary`) and notes said once."""

    __slots__ = ("source", "host", "kernel", "nics", "distribution", "log", "notes")

    def __init__(self, source: str, host: str | None, kernel: str | None, nics: list[NicReport],
                 distribution=None, log=None, notes: list[str] | None = None):
        self.source, self.host, self.kernel, self.nics = source, host, kernel, nics
        self.distribution = distribution  # nicdb.advice.facts.Distro of the host, None when unknown
        self.log = log  # nicdb.kernellog.LogSummary of the kernel log read with the input, if any
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

    def __init__(self, kb: KnowledgeBase, *, kernel: str | None, system=None, live_params: bool = False):
        self.kb = kb
        self.kernel = kernel
        self.system = system  # the host's firmware files and os-release (nicdb.inputs.host.HostSystem)
        self.live_params = live_params  # add live parameter descriptions and values (suggest on a live system)
        self._cache: dict[tuple, tuple] = {}
        self._fw: dict[tuple, tuple] = {}  # (plan, system, distribution) -> firmware files, state, advice
        self._distros: dict[int, tuple] = {}
        self._alias_rows: dict[tuple[int, int], list] = {}
        self._summaries: dict[tuple, tuple] = {}  # (lookup, firmware) -> the summary

    def distribution(self, system=None):
        """The :class:`~nicdb.advice.facts.Distro` of a host (``system``, else this run's)."""
        system = system if system is not None else self.system
        if system is None:
            return None
        hit = self._distros.get(id(system))
        if hit is None or hit[0] is not system:
            if len(self._distros) > 1000:
                self._distros.clear()
            hit = self._distros[id(system)] = (system, F.distribution(system.os_release,
                                                                          self.kb.facts_meta()["releases"]))
        return hit[1]

    def _binds(self, dev: PciDevice) -> dict[str, tuple[set, set]]:
        """Module -> (series, carried series) of the shipped aliases that match ``dev``."""
        from nicdb.modalias import modalias_key, pattern_matches

        if dev.vendor is None or dev.device is None:
            return {}
        ids = (dev.vendor, dev.device)
        rows = self._alias_rows.get(ids)
        if rows is None:
            if len(self._alias_rows) > 50_000:
                self._alias_rows.clear()
            rows = self._alias_rows[ids] = self.kb.shipped_alias_rows(dev.vendor, dev.device)
        key = modalias_key(dev)
        out: dict[str, tuple[set, set]] = {}
        for pattern, module, series, carried in rows:
            if pattern_matches(pattern, key):
                got = out.setdefault(module, (set(), set()))
                got[0].update(series.split())
                got[1].update(carried.split())
        return out

    def _facts(self, dev: PciDevice, candidate_modules: list[str] | None, shipped: bool) -> tuple:
        """The driver facts of a device's candidate modules (and of the driver in use), and
        the candidates' availability on this kernel (module -> (status, reason)) when the
        candidates came from the shipped table."""
        kb = self.kb
        meta = kb.facts_meta()
        series = meta["series"]
        if not series:
            return None, {}
        target, exact = F.kernel_series(self.kernel, series)
        binds = self._binds(dev)
        wanted = [m.replace("-", "_") for m in (candidate_modules or [])]
        if dev.driver:
            wanted.append(dev.driver.replace("-", "_"))
        mods = []
        avail: dict[str, tuple[str, str]] = {}
        for m in dict.fromkeys(wanted):
            row = kb.module_facts(m)
            if row is None:
                continue
            b, carried = binds.get(m, (set(), set()))
            drv = kb.driver(m)
            noted = frozenset(p["name"] for p in kb.params(drv["name"])) if drv else frozenset()
            src = F.facts_source(row["series"], meta["kernels"])
            mf = F.module_facts(row, series, sorted(b, key=F.series_key) if b else [],
                                sorted(carried - b, key=F.series_key), target, src, noted, drv is not None)
            mods.append(mf)
            if shipped and m in wanted[:len(candidate_modules or [])] and (b or carried):
                a = F.availability(sorted(b | carried, key=F.series_key), series, self.kernel)
                if a is not None:
                    avail[m] = a
        if not mods:
            return None, avail
        return DriverFacts(series, target, exact, mods, None), avail

    def _firmware_plan(self, facts: "DriverFacts | None", chip: dict | None, dev: PciDevice,
                       advice: DriverAdvice | None) -> F.FirmwarePlan | None:
        """Which module's firmware a NIC needs -- the driver in use, else the recommended one,
        else the first candidate the facts know -- and the names to check."""
        if facts is None:
            return None
        by_name = {m.module: m for m in facts.modules}
        order = []
        if dev.driver:
            order.append(dev.driver.replace("-", "_"))
        if advice and advice.recommended:
            rec = next((o for o in advice.options if o.name == advice.recommended), None)
            order.append((rec.module if rec and rec.module else advice.recommended).replace("-", "_"))
        order += [m.module for m in facts.modules]
        mf = next((by_name[m] for m in order if m in by_name), None)
        if mf is None:
            return None
        facts.firmware_module = mf.module
        names = F.firmware_names((chip or {}).get("firmware") or [], mf.firmware, facts.kernel_series, mf.series)
        if not names:
            return F.FirmwarePlan(mf.module, [], {}, [])
        shipped = self.kb.firmware_shipped([n[0] for n in names] + [d["name"] for d in mf.firmware])
        module_files = [r for d in mf.firmware for r in shipped.get(d["name"], [])]
        return F.FirmwarePlan(mf.module, names, shipped, module_files)

    _NO_FIRMWARE = ([], "none", None)

    def firmware(self, plan: F.FirmwarePlan | None, system) -> tuple:
        """(files, state, advice) of a plan on a host; one tuple shared by the NICs of one
        chip and host."""
        if plan is None:
            return self._NO_FIRMWARE
        key = (id(plan), id(system))
        hit = self._fw.get(key)
        if hit is None or hit[0] is not plan or hit[1] is not system:
            if len(self._fw) > 50_000:
                self._fw.clear()
            distro = self.distribution(system)
            files = F.firmware_files(plan, system, distro, self.kb.facts_meta()["releases"])
            hit = self._fw[key] = (plan, system, (files, *F.firmware_verdict(files, distro)))
        return hit[2]

    def _lookup(self, dev: PciDevice, candidate_modules: list[str] | None, cards: int, shipped: bool) -> tuple:
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
        facts, avail = self._facts(dev, candidate_modules, shipped)
        advice = None
        if supports or candidate_modules:
            advice = choose_driver(supports, issues_by, kernel=kernel, candidate_modules=candidate_modules,
                                   availability=avail)
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
        plan = self._firmware_plan(facts, chip, dev, advice)
        return names, chip, n_ranges, advice, params, modprobe, issues, alternatives, evidence, facts, plan

    def report(self, dev: PciDevice, candidate_modules: list[str] | None = None, modules_source: str | None = None,
               cards_per_driver: dict[str, int] | None = None, system=None,
               context: BusContext | None = None) -> NicReport:
        """The report of one device; ``system``: its host's (else this run's) firmware files;
        ``context``: what the bus verdict of a conventional-PCI device needs besides it."""
        cards = (cards_per_driver or {}).get(dev.driver or "", 1)
        shipped = bool(modules_source) and modules_source.startswith(SHIPPED)
        key = (dev.vendor, dev.device, tuple(dev.candidate_ids), dev.subsystem_vendor, dev.subsystem_device,
               dev.revision, dev.class_code,
               tuple(candidate_modules) if candidate_modules is not None else None, cards,
               dev.vendor_name, dev.device_name, dev.subsystem_name, dev.class_name, dev.driver, shipped)
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 50_000:
                self._cache.clear()
                self._fw.clear()
            hit = self._cache[key] = self._lookup(dev, candidate_modules, cards, shipped)
        ((vname, dname, sname, cname), chip, n_ranges, advice, params, modprobe, issues, alternatives, evidence,
         facts, plan) = hit
        system = system if system is not None else self.system
        fw = self.firmware(plan, system)
        files, fw_state, fw_advice = fw
        if self.live_params and facts is not None and system is not None and system.root is not None:
            facts = _with_live_params(facts, system.root)
        rep = NicReport(dev, vname, dname, sname, cname, chip, n_ranges, advice, params, modprobe, issues,
                        candidate_modules=candidate_modules, modules_source=modules_source,
                        alternatives=alternatives, evidence=evidence,
                        facts=facts, firmware=files, firmware_state=fw_state, firmware_advice=fw_advice)
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
        if rep.log_chip is not None:  # the log's chip is the device's own: no sharing
            rep.summary = summarize(rep)
            return rep
        # otherwise the summary depends only on the chip's lookup and the host's firmware:
        # made once per pair
        skey = (id(hit), id(fw))
        made = self._summaries.get(skey)
        if made is None or made[0] is not hit or made[1] is not fw:
            if len(self._summaries) > 50_000:
                self._summaries.clear()
            made = self._summaries[skey] = (hit, fw, summarize(rep))
        rep.summary = made[2]
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


def _with_live_params(facts: DriverFacts, root: str) -> DriverFacts:
    """A copy of ``facts`` whose parameters carry the live description (``modinfo -F parm``,
    for the real root only) and current value (``/sys/module/<m>/parameters`` below
    ``root``) -- shown, never stored."""
    from nicdb.inputs import host

    mods = []
    for m in facts.modules:
        values = host.module_param_values(m.module, root)
        descs = host.module_param_descriptions(m.module) if root == "/" else {}
        params = [F.ParamFact(p.name, p.type, p.types, p.series, p.change, p.noted, descs.get(p.name),
                              values.get(p.name)) for p in m.params]
        mods.append(F.ModuleFacts(m.module, m.series, m.path, m.binds, m.carried, m.span, m.added_in,
                                  m.removed_after, params, m.firmware, m.source, m.noted))
    return DriverFacts(facts.series, facts.kernel_series, facts.exact, mods, facts.firmware_module)


def summarize(rep: NicReport) -> str:
    """One line of advice for tables."""
    dev = rep.device
    first = [rep.firmware_advice] if rep.firmware_advice else []
    if dev.candidate_ids and dev.device is None:
        ids = ", ".join(f"{v:04x}:{i:04x}" for v, i in dev.candidate_ids)
        use = f"; use {rep.drivers.recommended}" if rep.drivers and rep.drivers.recommended else ""
        return "; ".join(first + [f"one of {len(dev.candidate_ids)} IDs ({ids}){use}"])
    if rep.chip is None and rep.log_chip is not None:
        use = f"use {rep.drivers.recommended}, " if rep.drivers and rep.drivers.recommended else ""
        return "; ".join(first + [f"{use}chip {rep.log_chip['chip']} from the kernel log"])
    if rep.chip is None:
        if rep.chip_ranges:
            text = "revision not in the knowledge base" if dev.revision is not None else "revision unknown"
        elif rep.drivers and rep.drivers.recommended:
            notes = "; ".join(x for x in ("no chip notes", _gone(rep), _firmware_note(rep)) if x)
            text = f"use {rep.drivers.recommended} ({notes})"
        elif rep.drivers and rep.drivers.options:
            o = rep.drivers.options[0]
            text = f"no usable driver: {o.name} {o.reason}"
        else:
            text = "not in the knowledge base"
        return "; ".join(first + [text])
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
    for note in (_gone(rep), _firmware_note(rep)):
        if note:
            parts.append(note)
    return "; ".join(first + [", ".join(parts) or "known chip"])


def _firmware_note(rep: NicReport) -> str:
    """What the advice says of firmware that is not missing: the packages when nicdb cannot
    see the host's files, or that the distribution ships none of the files."""
    if rep.firmware_state == "unknown":
        pkgs: list[str] = []
        for f in rep.firmware:
            for p in ([f.package] if f.package else [x["package"] for x in f.packages]):
                if p not in pkgs:
                    pkgs.append(p)
        return f"firmware: {'/'.join(pkgs[:3])}" if pkgs else ""
    if rep.firmware_state == "not-shipped":
        rel = next((f.release for f in rep.firmware if f.release), None)
        return f"firmware not shipped by {rel}" if rel else "firmware not shipped by Debian"
    return ""


def _gone(rep: NicReport) -> str:
    """"gone by 6.12" when the recommended driver's facts say it is not in the newest series."""
    if rep.facts is None or not (rep.drivers and rep.drivers.recommended):
        return ""
    rec = next((o for o in rep.drivers.options if o.name == rep.drivers.recommended), None)
    mod = (rec.module if rec and rec.module else rep.drivers.recommended).replace("-", "_")
    mf = next((m for m in rep.facts.modules if m.module == mod), None)
    if mf is None or not mf.removed_after:
        return ""
    later = [s for s in rep.facts.series if F.series_key(s) > F.series_key(mf.removed_after)]
    return f"gone by {later[0]}" if later else ""


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
                  modules=None, nics_only: bool = True, identifier: Identifier | None = None,
                  system=None) -> list[NicReport]:
    """Reports for every NIC (see :func:`select_nics`), or every device with ``nics_only=False``.

    ``modules`` is an optional callable ``device -> (modules, source description)``
    (:func:`nicdb.modalias.finder`); ``system`` the host's firmware files and os-release
    (:class:`nicdb.inputs.host.HostSystem`, None when unknown).
    """
    ident = identifier or Identifier(kb, kernel=kernel, system=system)
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
        out.append(ident.report(d, mods, msrc, cards, system, context))
    return out


def firmware_names_to_record(devices: list[PciDevice], kb: KnowledgeBase) -> list[str]:
    """What a snapshot records of its host's firmware: every name the drivers of its NICs
    (the driver in use and the candidate modules) declare in any series, and the files
    nicdb's chip notes name for them."""
    from nicdb import modalias

    find = modalias.finder(kb, None, live=True)
    names: dict[str, None] = {}
    for d in select_nics(devices, kb, find):
        mods = [d.driver] if d.driver else []
        mods += find(d)[0] or []
        for m in mods:
            facts = kb.module_facts(m)
            for f in facts["firmware"] if facts else []:
                names[f["name"]] = None
        if d.vendor is not None and d.device is not None:
            for c in kb.chips(d.vendor, d.device, d.revision, d.subsystem_vendor, d.subsystem_device):
                for f in c["firmware"]:
                    names[f] = None
    return sorted(names)


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
             nics_only: bool = True, live_params: bool = False) -> Document:
    """The :class:`Document` for one machine's :class:`~nicdb.inputs.Reading`: names for
    name-only input first, then a report per NIC (every function with ``nics_only=False``),
    with candidate modules from ``alias_file`` or the database's tables, and the firmware
    files of the host the reading says something of (``reading.system``; the machine
    nicdb runs on for a live reading). ``live_params``: add each parameter's live
    description and value (on a live system)."""
    from nicdb import modalias
    from nicdb.inputs import resolve_missing_ids

    system = reading.system
    if system is None and reading.live:
        from nicdb.inputs.host import live_system

        system = live_system()
    resolve_missing_ids(reading.devices, kb)
    ident = Identifier(kb, kernel=kernel, system=system, live_params=live_params)
    reports = build_reports(reading.devices, kb, kernel=kernel, nics_only=nics_only,
                            modules=modalias.finder(kb, alias_file, reading.live), identifier=ident)
    return Document(reading.label, reading.host if reading.live else None, kernel, reports,
                    distribution=ident.distribution(), log=getattr(reading, "log", None),
                    notes=list(getattr(reading, "notes", []) or []))

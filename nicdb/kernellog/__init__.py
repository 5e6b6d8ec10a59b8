"""The kernel log as a source of facts about NICs: what drivers print that the PCI ID
cannot tell (r8169's XID, tg3's ASIC revision, sky2's Yukon chip revision, iwlwifi's
REV, ath9k's MAC revision, e1000's bus clock and width, firmware that failed to load).

:func:`attach` reads a log (any saved shape: see :mod:`nicdb.kernellog.lines`) and puts
what it says about each device into ``PciDevice.log`` as :class:`nicdb.model.LogFact`
records. Lines are tied to a device by its slot (``r8169 0000:02:00.0 eth0: ...``), by
interface name where a line names only the interface (following renames as the log
goes), and, for lines that name neither (``skge: ... chip Yukon-Lite rev 9``,
``ieee80211 phy0: Atheros AR9285 Rev:2``), by the nearest line of the same driver that
does (after the line for a driver's own announcement, before it for a wireless PHY),
else by the one device of that driver, else by probe order (phyN is the N-th).

Before any expression is tried, lines are filtered with plain substring tests on the
devices' slots, interface names and drivers, and only the patterns of the drivers
present are compiled (:mod:`nicdb.kernellog.registry`). :func:`devices_from_log` reads a
log alone: the PCI core's enumeration lines give the devices (IDs and class, never the
revision), the drivers' lines the rest.

Fact kinds: ``chip`` (a chip name printed directly), the identifiers of the knowledge
base's ``log_ids`` (``xid``, ``ext-xid``, ``asic-rev``, ``chip-id``, ``chip-rev``,
``hw-rev``, ``rf-id``, ``mac-rev``, ``target-version``, ``chip-id-rev``, ``soc-id``,
``fw-major``, ``rt-chipset``, ``rf``), ``bus`` (``pci:32:33``, ``pci-x:64:133``, ``pcie``),
``pcie-link`` and ``pcie-capable`` (``2.5GT/s x1``), ``firmware-missing``,
``firmware-loaded``, ``firmware-version``, ``refused``, ``part-number``, ``mac-type``,
``phy-type``, ``pci-revision``, ``radio``, ``chip-cut``, ``mac-srev``, ``phy-srev``,
``hang``, ``tx-timeout``, ``pre-production``, ``link`` (Mb/s), ``xid-raw``.
"""

from __future__ import annotations

from nicdb.kernellog.lines import message, subject
from nicdb.model import LogFact, NetInterface, PciDevice

MAX_LINE = 300  # characters of a line kept with a fact
_AFTER, _BEFORE = 20, 50  # how far (in kept lines) a line without a device looks for its driver's


class LogSummary:
    """What reading a log found: ``lines`` read, ``kept`` after filtering, ``facts``
    attached, ``devices`` that got at least one."""

    __slots__ = ("source", "lines", "kept", "facts", "devices")

    def __init__(self, source: str, lines: int = 0, kept: int = 0, facts: int = 0, devices: int = 0):
        self.source, self.lines, self.kept, self.facts, self.devices = source, lines, kept, facts, devices

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__}


def _norm_driver(name: str | None) -> str | None:
    return None if name is None else name.replace("_", "-")


class _Reader:
    def __init__(self, devices: list[PciDevice], create: bool):
        from nicdb.kernellog.registry import by_driver, known_drivers

        self.create = create
        self.devices = devices
        self.by_slot = {d.slot: d for d in devices if "/" not in d.slot}
        self.iface = {i.name: d.slot for d in devices for i in d.interfaces if "/" not in d.slot}
        self.table = by_driver()
        drivers = set(known_drivers())
        for d in devices:
            if d.driver:
                drivers.add(d.driver)
            drivers.update(d.modules)
        self.drivers = frozenset(drivers)
        self.seen_drivers: dict[str, list[str]] = {}  # slot -> drivers that named it, netdev owners first
        self.pending: list[tuple] = []
        self.slot_lines: list[tuple[int, str, str]] = []  # (kept index, driver, slot)
        self.lines = self.kept = self.facts = 0

    # ------------------------------------------------------------------ filtering
    def needles(self) -> list[str] | None:
        """Substrings one of which a line must contain to be read (None: read every line)."""
        if self.create:
            return None
        from nicdb.model import may_be_nic

        out = set(self.by_slot) | set(self.iface) | {"ieee80211 phy", "NETDEV WATCHDOG", ": phy"}
        nics = [d for d in self.devices if may_be_nic(d)]
        names = {d.driver for d in nics if d.driver} | {m for d in nics for m in d.modules}
        if any(not d.driver for d in nics):
            names |= self.drivers
        for name in names - {"", "pci", "*", "ieee80211"}:
            out.add(name + ":")  # a driver's own announcements: "skge: ... chip Yukon-Lite rev 9"
        for p in self.table.get("", ()):
            out.add(p.needle)  # 2.6-era lines with only an interface as subject
        return sorted(out)

    # ------------------------------------------------------------------ one line
    def _device(self, slot: str) -> PciDevice | None:
        dev = self.by_slot.get(slot)
        if dev is None and self.create:
            dev = self.by_slot[slot] = PciDevice(slot, None, None, origin="kernel log")
            self.devices.append(dev)
        return dev

    def feed(self, lineno: int, line: str) -> None:
        msg = message(line.rstrip("\n"))
        subj = subject(msg, self.drivers)
        slot, drv = subj.slot, subj.driver
        if slot is not None and subj.iface:
            self.iface[subj.iface] = slot
        elif slot is None and subj.iface:
            slot = self.iface.get(subj.iface)
        key = drv
        if key is None and slot is not None and slot in self.by_slot:
            key = self.by_slot[slot].driver
        pats = list(self.table.get(key or "", ()))
        if subj.phy and drv not in ("ieee80211",):
            pats += self.table.get("ieee80211", ())
        pats += self.table.get("*", ())
        found: list[tuple[str, str, str | None]] = []
        for p in pats:
            for kind, value in p.facts(subj.text):
                found.append((kind, value, p.driver))
        index = self.kept
        self.kept += 1
        if self.create and slot is not None and drv and drv not in ("pci", "pci_bus"):
            self._device(slot)  # a log read alone shows every device a driver speaks of
        if drv and drv != "pci" and slot is not None:
            self.slot_lines.append((index, drv, slot))
            owners = self.seen_drivers.setdefault(slot, [])
            if drv not in owners:
                owners.insert(0, drv) if subj.iface else owners.append(drv)
        real = []
        for kind, value, pdrv in found:
            if kind[0] != "_":
                real.append((kind, value, pdrv))
            elif kind == "_slot":
                slot = value
            elif kind in ("_iface", "_renamed_from"):
                if kind == "_renamed_from" and slot is not None and self.iface.get(value) == slot:
                    del self.iface[value]
                elif kind == "_iface" and slot is not None:
                    self.iface[value] = slot
            elif slot is not None:
                self._pci(kind, value, slot, lineno)
        if not real:
            return
        text = msg if len(msg) <= MAX_LINE else msg[:MAX_LINE] + "..."
        if slot is not None:
            dev = self._device(slot)
            if dev is None:
                return
            tie = "slot" if subj.slot or (drv and slot) else "interface"
            for kind, value, pdrv in real:
                self._add(dev, LogFact(drv if drv and drv not in ("ieee80211",) else (pdrv or key or "?"),
                                       kind, value, text, lineno, tie))
        else:
            self.pending.append((index, drv, subj.phy, real, text, lineno))

    def _pci(self, kind: str, value: str, slot: str, lineno: int) -> None:
        """The PCI core's enumeration and bridge lines: IDs the input lacks, a bridge's bus."""
        dev = self._device(slot)
        if dev is None:
            return
        if kind == "_pci_id":
            v, d = int(value[:4], 16), int(value[5:], 16)
            if dev.vendor is None and dev.device is None:
                dev.vendor, dev.device = v, d
                if not self.create:
                    dev.notes.append(f"vendor and device IDs {value} from the kernel log's PCI enumeration "
                                     f"(line {lineno})")
        elif kind == "_class":
            if dev.class_code is None:
                dev.class_code = int(value, 16)
        elif kind == "_bridge_to":
            if dev.secondary_bus is None:
                dev.secondary_bus = int(value, 16)

    def _add(self, dev: PciDevice, fact: LogFact) -> None:
        for f in dev.log:  # the same fact from a repeated line (a log read twice, three loader tries)
            if f.kind == fact.kind and f.value == fact.value and f.driver == fact.driver:
                return
        dev.log.append(fact)
        self.facts += 1

    # ------------------------------------------------------------------ lines without a device
    def resolve(self) -> None:
        for index, drv, phy, real, text, lineno in self.pending:
            drivers = {d for _, _, d in real if d}
            if drv and drv not in ("ieee80211", "ath"):
                drivers.add(drv)
            dev, tie = self._nearest(index, drivers, before_first=phy is not None)
            if dev is None:
                dev, tie = self._by_driver(drivers, phy)
            if dev is None:
                continue
            for kind, value, pdrv in real:
                name = dev.driver if dev.driver and (not drivers or _norm_driver(dev.driver) in
                                                     {_norm_driver(x) for x in drivers}) else (pdrv or drv or "?")
                self._add(dev, LogFact(name, kind, value, text, lineno, tie))

    def _nearest(self, index: int, drivers: set[str], before_first: bool) -> tuple[PciDevice | None, str]:
        wanted = {_norm_driver(d) for d in drivers}
        after = [(i, s) for i, d, s in self.slot_lines if index < i <= index + _AFTER and _norm_driver(d) in wanted]
        before = [(i, s) for i, d, s in self.slot_lines if index - _BEFORE <= i < index and _norm_driver(d) in wanted]
        picks = ([max(before)] if before else []) + ([min(after)] if after else [])
        if not before_first:
            picks.reverse()
        for _, slot in picks:
            dev = self.by_slot.get(slot)
            if dev is not None:
                return dev, "nearby line"
        return None, ""

    def _by_driver(self, drivers: set[str], phy: str | None) -> tuple[PciDevice | None, str]:
        wanted = {_norm_driver(d) for d in drivers}
        mine = sorted((d for d in self.devices if _norm_driver(d.driver) in wanted
                       or wanted & {_norm_driver(m) for m in d.modules}), key=lambda d: d.slot)
        if not mine and phy is not None:  # a wireless PHY line and no driver known: the wireless devices
            mine = sorted((d for d in self.devices if d.class_code is not None and d.class_code >> 8 == 0x0280),
                          key=lambda d: d.slot)
        if len(mine) == 1:
            return mine[0], "only candidate"
        if phy is not None and phy[3:].isdigit() and int(phy[3:]) < len(mine):
            return mine[int(phy[3:])], "order"
        return None, ""

    def finish(self) -> None:
        self.resolve()
        if self.create:
            for slot, owners in self.seen_drivers.items():
                dev = self.by_slot.get(slot)
                if dev is not None and dev.driver is None and owners:
                    dev.driver = owners[0]
            for name, slot in self.iface.items():
                dev = self.by_slot.get(slot)
                if dev is not None and all(i.name != name for i in dev.interfaces):
                    dev.interfaces.append(NetInterface(name, dev.driver))


def _lines(text: str):
    return text.splitlines()


def attach(devices: list[PciDevice], text: str, source: str) -> LogSummary:
    """Read ``text`` (a kernel log) and add what it says of ``devices`` to their ``log``."""
    reader = _Reader(devices, create=False)
    return _run(reader, text, source)


def devices_from_log(text: str, source: str) -> tuple[list[PciDevice], LogSummary]:
    """The devices a log shows by itself (PCI enumeration lines and drivers' lines), with
    their facts."""
    devices: list[PciDevice] = []
    reader = _Reader(devices, create=True)
    summary = _run(reader, text, source)
    devices.sort(key=lambda d: d.slot)
    return devices, summary


# Line breaks of str.splitlines() other than "\n": a text without them is split at "\n" alone
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _wanted_lines(text: str, needles) -> tuple[int, list[tuple[int, str]]] | None:
    """(how many lines, the numbered lines holding a needle) of a text split at "\n",
    found by searching the whole text for each needle (in C) instead of testing every
    line with every needle -- a live log is hundreds of lines, of which a handful matter.
    None when the text has other line breaks (then every line is tested)."""
    if any(c in text for c in _OTHER_BREAKS):
        return None
    starts: set[int] = set()
    for n in needles:
        i = text.find(n)
        while i >= 0:
            start = text.rfind("\n", 0, i) + 1
            starts.add(start)
            end = text.find("\n", i)
            if end < 0:
                break
            i = text.find(n, end + 1)
    total = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    out = []
    prev, lineno = 0, 1
    for start in sorted(starts):
        lineno += text.count("\n", prev, start)
        prev = start
        end = text.find("\n", start)
        out.append((lineno, text[start:] if end < 0 else text[start:end]))
    return total, out


def _run(reader: _Reader, text: str, source: str) -> LogSummary:
    needles = reader.needles()
    found = _wanted_lines(text, needles) if needles is not None else None
    if found is not None:
        total, wanted = found
        for lineno, line in wanted:
            reader.feed(lineno, line)
    else:
        lines = _lines(text)
        total = len(lines)
        for lineno, line in enumerate(lines, 1):
            if needles is not None and not any(n in line for n in needles):
                continue
            reader.feed(lineno, line)
    reader.finish()
    return LogSummary(source, total, reader.kept, reader.facts, sum(1 for d in reader.devices if d.log))

"""Host-bus ceiling verdicts: can the bus a NIC sits on carry its line rate?

Pure functions over a :class:`~nicdb.model.PciDevice` and its knowledge-base chip row;
nothing here touches the running system.

Where the numbers come from:

* PCI Express: the device's *current* link, speed (GT/s) × lanes, less the line
  encoding of that generation: 8b/10b at 2.5 and 5 GT/s, 128b/130b at 8, 16 and
  32 GT/s. At 64 GT/s (PCIe 6.0, FLIT mode) the payload share of a 256-byte FLIT is
  taken as 242/256, an approximation. The result is per direction -- a PCIe link is
  full duplex, each direction on its own wire pairs. Transaction-layer headers cost a
  further few to ~20 percent depending on payload size; the ceiling does not subtract
  them, and the reason says so when the margin over the line rate is thin.
* Conventional PCI and PCI-X: width × clock. Both are *shared, half-duplex* buses: the
  two directions of a full-duplex NIC, and every other device on the segment, take
  turns, so a 1000 Mb/s full-duplex NIC needs 2000 Mb/s of bus. The figure is the burst
  peak; arbitration and address phases keep real transfers below it. Width and clock
  are the least of what each piece of evidence allows (:class:`BusContext`), strongest
  first: the bus the driver logged (e1000's ``(PCI:33MHz:32-bit)``, tg3's
  ``PCIX:133MHz:64-bit``: read from the chip, so certain); a PCI-X bridge's secondary
  bus mode; the device's and its bridge's 66 MHz Capable bits (a bus runs 66 MHz only
  when every device on it can); the PCI-X capability's 64-bit and 133 MHz bits; the
  datasheet of the bridge or chipset it sits behind (data/bridges); the chip row's
  width and clock. What nothing limits is assumed -- 32-bit/33 MHz, the common PCI slot,
  or 64-bit/66 MHz for PCI-X -- and the verdict says how sure it is (``confidence``:
  certain, datasheet, knowledge-base, inferred, assumed) and on what (``evidence``).

seed-001 (a 2009 blog series on the VIA VT6122) is the case behind this module: a
VT6122 on a 32-bit/33 MHz PCI bus (133 MB/s, shared) could not reach Gigabit, while the
PCIe VT6130 had no such limit.
"""

from __future__ import annotations

from nicdb.advice.citations import SEED_PCI
from nicdb.model import PciDevice, Record


# Nominal clock -> real clock, MHz: "33 MHz" PCI runs at 33.33 MHz, and so on.
_REAL_MHZ = {33: 100 / 3, 66: 200 / 3, 133: 400 / 3, 266: 800 / 3, 533: 1600 / 3}

# GT/s -> (generation label, encoding numerator, denominator, encoding text, approximate?)
_PCIE_GENS = {
    2.5: ("1.x", 8, 10, "8b/10b", False),
    5.0: ("2.x", 8, 10, "8b/10b", False),
    8.0: ("3.x", 128, 130, "128b/130b", False),
    16.0: ("4.0", 128, 130, "128b/130b", False),
    32.0: ("5.0", 128, 130, "128b/130b", False),
    64.0: ("6.0", 242, 256, "FLIT mode, 242/256 (approximate)", True),
}
_PCIE_WIDTHS = (1, 2, 4, 8, 16)

# The slowest PCIe link there is: 2.5 GT/s × 1 lane after 8b/10b.
PCIE_FLOOR_MBPS = 2000

# With less headroom than this over the line rate, PCIe packet headers may show.
_THIN_MARGIN = 1.25

KINDS = ("pci", "pci-x", "pcie", "unknown")


class BusVerdict(Record):
    """The host-bus ceiling of one NIC compared with its line rate.

    kind: "pci" | "pci-x" | "pcie" | "unknown"; ceiling_mbps: usable data rate, Mb/s (per
    direction for PCIe, both directions together for PCI/PCI-X); summary: a few words for
    a table column; description: how the ceiling was worked out; limited: True when the bus
    cannot carry full-duplex line rate, None when that cannot be told; downgraded (PCIe):
    which of speed/width runs below the maximum; reason: one sentence with the numbers;
    basis: "pcie-link" | "knowledge-base" | "unknown"; needed_mbps: what full-duplex line
    rate needs (2x on a shared bus); max_ceiling_mbps: PCIe ceiling at the link's maximum.
    """

    __slots__ = ("kind", "ceiling_mbps", "summary", "description", "line_rate_mbps", "limited", "downgraded",
                 "reason", "basis", "needed_mbps", "max_ceiling_mbps", "confidence", "evidence", "bridge",
                 "line_rate_from", "label")

    def __init__(self, kind: str, ceiling_mbps: int | None, summary: str, description: str,
                 line_rate_mbps: int | None, limited: bool | None, downgraded: str | None, reason: str,
                 basis: str, needed_mbps: int | None = None, max_ceiling_mbps: int | None = None,
                 confidence: str | None = None, evidence: list[str] | None = None, bridge: str | None = None,
                 line_rate_from: str | None = None, label: str | None = None):
        self.kind, self.ceiling_mbps, self.summary, self.description = kind, ceiling_mbps, summary, description
        self.line_rate_mbps, self.limited, self.downgraded = line_rate_mbps, limited, downgraded
        self.reason, self.basis = reason, basis
        self.needed_mbps, self.max_ceiling_mbps = needed_mbps, max_ceiling_mbps
        # conventional PCI/PCI-X: how sure the width and clock are, on what evidence, and
        # the slot of the bridge (or chipset function) whose bus it is
        self.confidence = confidence
        self.evidence = [] if evidence is None else evidence
        self.bridge = bridge
        # where the line rate came from: chip row, kernel log chip, device name, interface speed, given
        self.line_rate_from = line_rate_from
        self.label = label  # the bus in a few words: "PCI 32/33", "PCI-X 64/133", "PCIe 1.x x4"


class BusContext(Record):
    """What a conventional-PCI verdict can use besides the device and its chip row: the
    ``bridge`` it sits behind (a :class:`~nicdb.model.PciDevice`: a PCI-to-PCI bridge, or
    on bus 0 the chipset function or host bridge), how it was found (``via``: bridge,
    chipset, host bus), that bridge's data/bridges row (``bridge_row``), and the
    ``log_bus`` fact (:class:`~nicdb.model.LogFact`, kind ``bus``) of the device's driver."""

    __slots__ = ("bridge", "bridge_row", "via", "log_bus", "slow_peers")

    def __init__(self, bridge=None, bridge_row: dict | None = None, via: str = "", log_bus=None,
                 slow_peers: list[str] | None = None):
        self.bridge, self.bridge_row, self.via, self.log_bus = bridge, bridge_row, via, log_bus
        # slots of other devices on the same bridged bus segment that say 66MHz- (a bus runs
        # at 66 MHz only when every device on it can)
        self.slow_peers = [] if slow_peers is None else slow_peers


# ---------------------------------------------------------------------------
# Arithmetic


def real_mhz(mhz: float) -> float:
    """The real clock behind a nominal one: 33 -> 33.33, 66 -> 66.67, 133 -> 133.33."""
    if float(mhz).is_integer() and int(mhz) in _REAL_MHZ:
        return _REAL_MHZ[int(mhz)]
    return float(mhz)


def parallel_mbps(width_bits: int, mhz: float) -> int:
    """Peak rate of a parallel bus (PCI, PCI-X): width × clock, Mb/s, rounded."""
    return round(width_bits * real_mhz(mhz))


def pcie_encoding(speed_gts: float) -> tuple[str | None, int, int, str, bool]:
    """(generation, numerator, denominator, encoding text, approximate) at ``speed_gts``.

    Non-standard rates get the encoding of the nearest generation below and no name.
    """
    gen = _PCIE_GENS.get(float(speed_gts))
    if gen is not None:
        return gen
    if speed_gts <= 5:
        return None, 8, 10, "8b/10b", False
    if speed_gts < 64:
        return None, 128, 130, "128b/130b", False
    return None, 242, 256, "FLIT mode, 242/256 (approximate)", True


def pcie_mbps(speed_gts: float, width: int) -> int:
    """Per-direction data rate of a PCIe link after line encoding, Mb/s, rounded."""
    _, num, den, _, _ = pcie_encoding(speed_gts)
    return round(speed_gts * 1000 * width * num / den)


def _gts(speed: float) -> str:
    return f"{speed:g}"


def _pcie_label(speed: float, width: int) -> str:
    gen = pcie_encoding(speed)[0]
    return f"PCIe {gen} x{width}" if gen else f"PCIe {_gts(speed)} GT/s x{width}"


def _pcie_description(speed: float, width: int) -> str:
    _, _, _, enc, approx = pcie_encoding(speed)
    lanes = "lane" if width == 1 else "lanes"
    tilde = "~" if approx else ""
    return (f"{_pcie_label(speed, width)}: {_gts(speed)} GT/s × {width} {lanes}, {enc} "
            f"= {tilde}{pcie_mbps(speed, width)} Mb/s per direction")


def _pcie_summary_head(speed: float, width: int) -> str:
    tilde = "~" if pcie_encoding(speed)[4] else ""
    return f"{_pcie_label(speed, width)}: {tilde}{pcie_mbps(speed, width)} Mb/s"


def _bus_name(kind: str) -> str:
    return "PCI" if kind == "pci" else "PCI-X"


def _parallel_description(kind: str, width: int, mhz: float) -> str:
    return (f"{_bus_name(kind)} {width}-bit/{mhz:g} MHz = {parallel_mbps(width, mhz)} Mb/s "
            "shared by both directions (half-duplex bus)")


def ceiling_table() -> list[dict]:
    """Every standard bus configuration with its ceiling, for docs and tests.

    Rows: ``{"kind", "label", "ceiling_mbps", "shared", "description"}`` in the order
    PCI 32/33, 32/66, 64/33, 64/66; PCI-X 66, 100, 133, 266, 533 MHz (64-bit);
    PCIe 1.x to 6.0, each ×1, ×2, ×4, ×8, ×16. Shared (PCI, PCI-X) ceilings cover
    both directions together; PCIe ceilings are per direction.
    """
    rows = []
    for width, mhz in ((32, 33), (32, 66), (64, 33), (64, 66)):
        rows.append({"kind": "pci", "label": f"PCI {width}/{mhz}", "ceiling_mbps": parallel_mbps(width, mhz),
                     "shared": True, "description": _parallel_description("pci", width, mhz)})
    for mhz in (66, 100, 133, 266, 533):
        rows.append({"kind": "pci-x", "label": f"PCI-X 64/{mhz}", "ceiling_mbps": parallel_mbps(64, mhz),
                     "shared": True, "description": _parallel_description("pci-x", 64, mhz)})
    for speed in _PCIE_GENS:
        for width in _PCIE_WIDTHS:
            rows.append({"kind": "pcie", "label": _pcie_label(speed, width),
                         "ceiling_mbps": pcie_mbps(speed, width), "shared": False,
                         "description": _pcie_description(speed, width)})
    return rows


# ---------------------------------------------------------------------------
# Verdicts


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0


def _line_rate(device: PciDevice, chip: dict | None, line_rate_mbps: int | None,
               rate_from: str) -> tuple[int | None, str | None]:
    """The caller's rate, else the chip row's, else the fastest interface's speed; and
    where it came from."""
    if _number(line_rate_mbps):
        return int(line_rate_mbps), rate_from
    if chip and _number(chip.get("line_rate_mbps")):
        return int(chip["line_rate_mbps"]), "chip row"
    speeds = [i.speed_mbps for i in device.interfaces if _number(i.speed_mbps)]
    return (max(speeds), "interface speed") if speeds else (None, None)


def _with_flags(head: str, limited: bool | None, downgraded: list[str]) -> str:
    """``head`` plus ", below line rate" and "(speed/width downgraded)" where they apply."""
    s = head
    if limited:
        s += ", below line rate"
    if downgraded:
        s += f" ({'/'.join(downgraded)} downgraded)"
    return s


def _pcie_from_link(device: PciDevice, rate: int | None) -> BusVerdict:
    link = device.link
    speed, width = float(link.speed_gts), int(link.width)
    ceiling = pcie_mbps(speed, width)
    approx = pcie_encoding(speed)[4]
    tilde = "~" if approx else ""
    description = _pcie_description(speed, width)

    parts, which = [], []
    if link.max_speed_gts and speed < link.max_speed_gts:
        which.append("speed")
        parts.append(f"speed {_gts(speed)} GT/s of a possible {_gts(link.max_speed_gts)} GT/s")
    if link.max_width and width < link.max_width:
        which.append("width")
        parts.append(f"width x{width} of a possible x{link.max_width}")
    downgraded = ", ".join(parts) or None
    max_ceiling = None
    if link.max_speed_gts or link.max_width:
        max_ceiling = pcie_mbps(float(link.max_speed_gts or speed), int(link.max_width or width))

    limited = None if rate is None else ceiling < rate
    link_text = f"{_pcie_label(speed, width)} link"
    if rate is None:
        reason = (f"The {link_text} carries {tilde}{ceiling} Mb/s each way; the NIC's line rate is "
                  "unknown, so nicdb cannot say whether that is enough")
    elif limited:
        reason = (f"The {link_text} carries only {tilde}{ceiling} Mb/s each way, below the NIC's "
                  f"{rate} Mb/s line rate")
    else:
        reason = (f"The {link_text} carries {tilde}{ceiling} Mb/s each way, enough for the NIC's "
                  f"{rate} Mb/s line rate in both directions at once")
        if ceiling < rate * _THIN_MARGIN:
            reason += ", though packet headers eat into that thin margin"
    if downgraded:
        reason += (f"; the link runs below its maximum ({downgraded}; at full speed and width it "
                   f"would carry {max_ceiling} Mb/s), so check the slot, the upstream port, or "
                   "power saving that slows an idle link")
    if approx:
        reason += " (the 64 GT/s FLIT-mode figure is approximate)"
    return BusVerdict("pcie", ceiling, _with_flags(_pcie_summary_head(speed, width), limited, which),
                      description, rate, limited, downgraded, reason + ".", "pcie-link",
                      needed_mbps=rate, max_ceiling_mbps=max_ceiling, label=_pcie_label(speed, width))


def _pcie_unknown_link(device: PciDevice, chip: dict | None, rate: int | None) -> BusVerdict:
    from_kb = bool(chip) and chip.get("bus") == "pcie" and not device.is_pcie
    description = "PCI Express, link speed and width unknown"
    floor = f"even the slowest PCIe link (1.x x1) carries {PCIE_FLOOR_MBPS} Mb/s each way"
    if rate is not None and rate <= PCIE_FLOOR_MBPS:
        limited: bool | None = False
        reason = (f"The PCIe link state is unknown, but {floor}, which covers the NIC's "
                  f"{rate} Mb/s line rate")
    else:
        limited = None
        tail = ("" if rate is None
                else f", less than the NIC's {rate} Mb/s line rate, so the slot it sits in matters")
        reason = f"The PCIe link state is unknown (the input gives no link speed or width); {floor}{tail}"
    return BusVerdict("pcie", None, "PCIe, link unknown", description, rate, limited, None, reason + ".",
                      "knowledge-base" if from_kb else "unknown", needed_mbps=rate)


# How strong each kind of evidence is, strongest first; a verdict is as sure as the
# weakest evidence that decided its width or clock.
_STRENGTH = ("certain", "datasheet", "knowledge-base", "inferred", "assumed")
_ROW_STRENGTH = {"datasheet": "datasheet", "vendor-source": "datasheet", "driver-source": "datasheet",
                 "measured": "datasheet", "local": "inferred"}


def _weakest(*levels: str) -> str:
    return max(levels, key=_STRENGTH.index)


def _row_level(row: dict) -> str:
    return _ROW_STRENGTH.get(row.get("confidence", ""), "inferred")


def _bridge_name(ctx: BusContext) -> str:
    b, row = ctx.bridge, ctx.bridge_row
    ident = f"{b.vendor:04x}:{b.device:04x}" if b.vendor is not None and b.device is not None else "ID unknown"
    name = row["name"] if row else (b.device_name or "the bridge")
    return f"{name} ({ident}, {b.slot})"


def _conventional(device: PciDevice, chip: dict | None, rate: int | None, ctx: BusContext | None) -> BusVerdict:
    """Conventional PCI or PCI-X: the width and clock every piece of evidence allows."""
    chip = chip or {}
    widths: list[tuple[int, str, str]] = []  # (bits, strength, what says so)
    clocks: list[tuple[float, str, str]] = []
    basis_of: dict[str, str] = {}
    kind = None
    bridge = ctx.bridge if ctx else None
    slot = bridge.slot if bridge is not None else None
    lb = ctx.log_bus if ctx else None
    if lb is not None and lb.value != "pcie":
        k, w, m = lb.value.split(":")
        said = f"{_bus_name(k)} {w}-bit/{m} MHz"
        ev = f"its driver {lb.driver} logged {said}, read from the chip (kernel log line {lb.lineno})"
        return _parallel(k, int(w), float(m), rate, "kernel-log", "certain", [ev], slot)
    if bridge is not None:
        bx = bridge.pcix if bridge.pcix is not None and bridge.pcix.bridge else None
        if bx is not None and bx.bus_mhz is not None:
            if bx.bus_mhz == 0:
                kind = "pci"
                basis_of["kind"] = "config-space"
            else:
                kind = "pci-x"
                clocks.append((bx.bus_mhz, "certain", f"{_bridge_name(ctx)} runs its secondary bus in PCI-X "
                                                      f"mode at {bx.bus_mhz} MHz (its PCI-X capability)"))
                if bx.width_bits:
                    widths.append((bx.width_bits, "certain", f"that bus is {bx.width_bits}-bit"))
        row = ctx.bridge_row
        if row is not None:
            level = _row_level(row)
            kind = kind or "pci"  # every data/bridges row is a conventional PCI bus
            said = (f"{_bridge_name(ctx)} drives a {row['bus_width_bits']}-bit/{row['bus_mhz']} MHz PCI bus "
                    f"({row['source']['title'].split(': ')[0]}, {row['confidence']})")
            widths.append((row["bus_width_bits"], level, said))
            clocks.append((row["bus_mhz"], level, said))
            basis_of[said] = "bridge-datasheet"
        if ctx.via == "bridge" and bridge.sec_66mhz is False:
            clocks.append((33, "certain", f"{_bridge_name(ctx)} says its secondary bus is not 66 MHz capable "
                                          "(secondary status 66MHz-)"))
        if ctx.slow_peers:
            clocks.append((33, "certain", f"{', '.join(ctx.slow_peers[:3])} on the same bus "
                                          f"{'is' if len(ctx.slow_peers) == 1 else 'are'} not 66 MHz capable"))
    px = device.pcix if device.pcix is not None and not device.pcix.bridge else None
    if px is not None:
        if px.width_bits:
            widths.append((px.width_bits, "certain", f"the NIC's PCI-X capability: {px.width_bits}-bit"))
        if px.max_mhz:
            clocks.append((px.max_mhz, "certain", f"the NIC's PCI-X capability: up to {px.max_mhz} MHz"))
    if device.cap_66mhz is False:
        clocks.append((33, "certain", "the NIC's status register says it is not 66 MHz capable (66MHz-)"))
    if _number(chip.get("bus_width_bits")):
        widths.append((int(chip["bus_width_bits"]), "knowledge-base",
                       f"the chip is {chip['bus_width_bits']}-bit (knowledge base)"))
    if _number(chip.get("bus_mhz")):
        clocks.append((float(chip["bus_mhz"]), "knowledge-base",
                       f"the chip runs at up to {chip['bus_mhz']:g} MHz (knowledge base)"))
    if kind is None:
        kind = chip.get("bus") if chip.get("bus") in ("pci", "pci-x") else "pci-x" if px is not None else "pci"
    if kind == "pci":
        clocks = [c for c in clocks if c[0] <= 66] or clocks
    evidence: list[str] = []
    levels = []
    basis = "knowledge-base"
    for values, default, what in ((widths, 32 if kind == "pci" else 64, "width"),
                                  (clocks, 33 if kind == "pci" else 66, "clock")):
        if values:
            least = min(v[0] for v in values)
            at = sorted((v for v in values if v[0] == least), key=lambda v: _STRENGTH.index(v[1]))[0]
            levels.append(at[1])
            if at[2] not in evidence:
                evidence.append(at[2])
            if at[2] in basis_of:
                basis = basis_of[at[2]]
            elif at[1] == "certain" and basis == "knowledge-base":
                basis = "config-space"
        else:
            least = default
            if what == "clock" and device.cap_66mhz and bridge is not None and ctx.via == "bridge" \
                    and bridge.sec_66mhz:
                least = 66
                levels.append("inferred")
                evidence.append("the NIC and its bus both say 66 MHz capable (the slot may still run 33 MHz)")
                if basis == "knowledge-base":
                    basis = "config-space"
            else:
                levels.append("assumed")
                unit = "-bit" if what == "width" else " MHz"
                evidence.append(f"nothing in the input limits the {what}: {least}{unit} assumed, "
                                f"{'the common PCI slot' if kind == 'pci' else 'the slowest PCI-X mode'}")
        if what == "width":
            width = least
        else:
            mhz = least
    confidence = _weakest(*levels)
    if basis == "knowledge-base" and not widths and not clocks:
        basis = basis_of.get("kind", "assumed")
    return _parallel(kind, int(width), float(mhz), rate, basis, confidence, evidence, slot)


def _parallel(kind: str, width: int, mhz: float, rate: int | None, basis: str, confidence: str,
              evidence: list[str], bridge: str | None) -> BusVerdict:
    name = _bus_name(kind)
    needed = None if rate is None else 2 * rate
    ceiling = parallel_mbps(width, mhz)
    description = _parallel_description(kind, width, mhz)
    limited = None if rate is None else ceiling < needed
    full = "Conventional PCI" if kind == "pci" else "PCI-X"
    head = f"{full} at {width}-bit/{mhz:g} MHz peaks at {ceiling} Mb/s, shared by both directions and every device on that bus"
    if rate is None:
        reason = f"{head}; the NIC's line rate is unknown, so nicdb cannot say whether that is enough"
    elif ceiling < rate:
        reason = f"{head}, less than even one direction of the NIC's {rate} Mb/s line rate"
    elif limited:
        reason = (f"{head}, but a {rate} Mb/s full-duplex NIC needs {needed} Mb/s, so it cannot run at "
                  f"line rate both ways at once (one direction alone leaves {ceiling - rate} Mb/s "
                  "for bus overhead)")
    else:
        reason = f"{head}, which covers the {needed} Mb/s a {rate} Mb/s full-duplex NIC needs if the other devices leave room"
    if limited and kind == "pci" and width == 32 and round(mhz) == 33:
        reason += (f"; {SEED_PCI} found a VT6122 on such a bus short of Gigabit, where the PCIe "
                   "VT6130 had no such limit")
    if (width > 32 or mhz > 34) and confidence != "certain":
        reason += f"; this assumes a slot that runs the full {width}-bit/{mhz:g} MHz, a slower slot lowers it"
    reason += f"; how sure: {confidence}, because " + "; ".join(evidence)
    label = f"{name} {width}/{mhz:g}"
    if limited:
        summary = f"limited: ~{ceiling} Mb/s shared for a {needed} Mb/s full-duplex need ({label})"
    elif limited is False:
        summary = f"{label}: ~{ceiling} Mb/s shared, enough for {needed} Mb/s full duplex"
    else:
        summary = f"{label}: ~{ceiling} Mb/s shared"
    if confidence in ("inferred", "assumed"):
        summary += f", {confidence}"
    return BusVerdict(kind, ceiling, summary, description, rate, limited, None, reason + ".", basis,
                      needed_mbps=needed, confidence=confidence, evidence=evidence, bridge=bridge, label=label)


def bus_from_text(text: str | None) -> dict | None:
    """The bus a measurement set's ``bus`` text names, as chip-row keys (``bus``,
    ``bus_width_bits``, ``bus_mhz``): "PCI 32-bit/33 MHz (133 MB/s, shared)" ->
    ``{"bus": "pci", "bus_width_bits": 32, "bus_mhz": 33}``; None when it names no
    conventional PCI or PCI-X width and clock."""
    if not text:
        return None
    import re

    m = re.search(r"\b(PCI-X|PCI)\s+(\d{2})-bit\s*/\s*(\d{2,3}(?:\.\d+)?)\s*MHz", text)
    if not m:
        return None
    mhz = float(m.group(3))
    return {"bus": m.group(1).lower(), "bus_width_bits": int(m.group(2)),
            "bus_mhz": int(mhz) if mhz.is_integer() else mhz}


def _is_conventional(device: PciDevice, chip: dict | None, ctx: BusContext | None) -> bool:
    """Whether anything says the device sits on conventional PCI or PCI-X."""
    if chip and chip.get("bus") in ("pci", "pci-x"):
        return True
    if device.is_pcie is False or (device.pcix is not None and not device.pcix.bridge):
        return True
    if ctx is not None:
        if ctx.log_bus is not None and ctx.log_bus.value != "pcie":
            return True
        if ctx.bridge_row is not None:
            return True
    return False


def bus_ceiling(device: PciDevice, chip: dict | None, line_rate_mbps: int | None,
                context: BusContext | None = None, rate_from: str = "given") -> BusVerdict:
    """How much the host bus lets ``device`` move, and whether that caps its line rate.

    ``line_rate_mbps`` is the rate to judge against; None falls back to the chip row's
    ``line_rate_mbps``, then to the fastest speed among the device's interfaces. A
    known PCIe link (current speed and width) wins over the knowledge base. Conventional
    PCI and PCI-X get a verdict from every piece of evidence (``context``: the bridge
    above, its datasheet, the bus the driver logged; the device's own registers; the chip
    row), assuming the common slot for what nothing limits and saying so. A PCIe device
    whose link is unknown, or a device nothing says anything of, stays unknown
    (``limited=None``) and the reason says so.
    """
    rate, source = _line_rate(device, chip, line_rate_mbps, rate_from)
    verdict = _verdict(device, chip, rate, context)
    verdict.line_rate_from = source if rate is not None else None
    if rate is not None and source in ("device name", "kernel log chip"):
        said = "the device's name" if source == "device name" else "the chip its kernel log names"
        verdict.reason = verdict.reason[:-1] + f" (the {rate} Mb/s line rate is {said}'s)."
    return verdict


def _verdict(device: PciDevice, chip: dict | None, rate: int | None, context: BusContext | None) -> BusVerdict:
    link = device.link
    if link is not None and _number(link.speed_gts) and _number(link.width):
        return _pcie_from_link(device, rate)
    bus = (chip or {}).get("bus") or "unknown"
    logged = context.log_bus.value if context is not None and context.log_bus is not None else None
    if (device.is_pcie or bus == "pcie" or logged == "pcie") and logged in (None, "pcie"):
        return _pcie_unknown_link(device, chip, rate)
    if _is_conventional(device, chip, context):
        return _conventional(device, chip, rate, context)
    if bus == "integrated":
        reason = ("The knowledge base says this NIC is built into the chipset; its internal "
                  "connection is no slot bus, and nicdb knows no ceiling for it.")
        return BusVerdict("unknown", None, "integrated, bus unknown",
                          "integrated into the chipset, internal bus unknown", rate, None, None, reason,
                          "knowledge-base")
    why = "no knowledge-base chip row" if chip is None else "the knowledge base does not say which bus"
    reason = (f"The host bus is unknown ({why}, and no PCIe link state in the input), so nicdb cannot "
              "tell whether it limits this NIC.")
    return BusVerdict("unknown", None, "bus unknown", "bus unknown", rate, None, None, reason, "unknown")

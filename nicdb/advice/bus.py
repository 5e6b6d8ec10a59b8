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
* Conventional PCI and PCI-X: width × clock from the chip row (``bus``,
  ``bus_width_bits``, ``bus_mhz``). Both are *shared, half-duplex* buses: the two
  directions of a full-duplex NIC, and every other device on the segment, take turns,
  so a 1000 Mb/s full-duplex NIC needs 2000 Mb/s of bus. The figure is the burst peak;
  arbitration and address phases keep real transfers below it.

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
                 "reason", "basis", "needed_mbps", "max_ceiling_mbps")

    def __init__(self, kind: str, ceiling_mbps: int | None, summary: str, description: str,
                 line_rate_mbps: int | None, limited: bool | None, downgraded: str | None, reason: str,
                 basis: str, needed_mbps: int | None = None, max_ceiling_mbps: int | None = None):
        self.kind, self.ceiling_mbps, self.summary, self.description = kind, ceiling_mbps, summary, description
        self.line_rate_mbps, self.limited, self.downgraded = line_rate_mbps, limited, downgraded
        self.reason, self.basis = reason, basis
        self.needed_mbps, self.max_ceiling_mbps = needed_mbps, max_ceiling_mbps


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


def _line_rate(device: PciDevice, chip: dict | None, line_rate_mbps: int | None) -> int | None:
    """The caller's rate, else the chip row's, else the fastest interface's speed."""
    if _number(line_rate_mbps):
        return int(line_rate_mbps)
    if chip and _number(chip.get("line_rate_mbps")):
        return int(chip["line_rate_mbps"])
    speeds = [i.speed_mbps for i in device.interfaces if _number(i.speed_mbps)]
    return max(speeds) if speeds else None


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
                      needed_mbps=rate, max_ceiling_mbps=max_ceiling)


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


def _parallel(kind: str, chip: dict, rate: int | None) -> BusVerdict:
    name = _bus_name(kind)
    width, mhz = chip.get("bus_width_bits"), chip.get("bus_mhz")
    needed = None if rate is None else 2 * rate
    if not (_number(width) and _number(mhz)):
        if kind == "pci":
            hint = f"a 32-bit/33 MHz slot caps at ~{parallel_mbps(32, 33)} Mb/s shared"
            description = f"conventional PCI, width/clock unknown; {hint}"
            said = "conventional PCI"
        else:
            hint = (f"its slowest mode (64-bit/66 MHz) caps at ~{parallel_mbps(64, 66)} Mb/s shared, "
                    "less in a conventional PCI slot")
            description = f"PCI-X, width/clock unknown; {hint}"
            said = "PCI-X"
        tail = "" if needed is None else f", and full-duplex line rate needs {needed} Mb/s"
        reason = (f"The knowledge base says {said} but not its width or clock, so no ceiling is "
                  f"assumed; {hint}{tail}")
        return BusVerdict(kind, None, f"{name}, width/clock unknown", description, rate, None, None,
                          reason + ".", "knowledge-base", needed_mbps=needed)

    width, mhz = int(width), float(mhz)
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
    if width > 32 or mhz > 34:
        reason += f"; this assumes a slot that runs the full {width}-bit/{mhz:g} MHz, a slower slot lowers it"
    summary = _with_flags(f"{name} {width}/{mhz:g}: {ceiling} Mb/s shared", limited, [])
    return BusVerdict(kind, ceiling, summary, description, rate, limited, None, reason + ".",
                      "knowledge-base", needed_mbps=needed)


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


def bus_ceiling(device: PciDevice, chip: dict | None, line_rate_mbps: int | None) -> BusVerdict:
    """How much the host bus lets ``device`` move, and whether that caps its line rate.

    ``line_rate_mbps`` is the rate to judge against; None falls back to the chip row's
    ``line_rate_mbps``, then to the fastest speed among the device's interfaces. A
    known PCIe link (current speed and width) wins over the knowledge base; conventional
    PCI and PCI-X verdicts come from the chip row. What is unknown stays unknown
    (``limited=None``) and the reason says so.
    """
    rate = _line_rate(device, chip, line_rate_mbps)
    link = device.link
    if link is not None and _number(link.speed_gts) and _number(link.width):
        return _pcie_from_link(device, rate)
    bus = (chip or {}).get("bus") or "unknown"
    if device.is_pcie or bus == "pcie":
        return _pcie_unknown_link(device, chip, rate)
    if bus in ("pci", "pci-x"):
        return _parallel(bus, chip, rate)
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

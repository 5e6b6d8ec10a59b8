"""Host-bus ceiling verdicts: can the bus a NIC sits on carry its line rate?

Pure functions over a :class:`~nicdb.model.PciDevice` and its knowledge-base chip row.
Nothing here touches the running system.

Where the numbers come from:

* PCI Express: the device's *current* link (speed in GT/s × lanes) minus the line
  encoding of that generation -- 8b/10b at 2.5 and 5 GT/s, 128b/130b at 8, 16 and
  32 GT/s, and for 64 GT/s (PCIe 6.0, PAM4 signalling in FLIT mode) 242/256 as an
  approximation of the FLIT payload share. The result is per direction: a PCIe link is
  full duplex. Transaction-layer packet headers cost another few to ~20 percent,
  depending on payload size; the ceiling does not subtract that, and the verdict says
  so when the margin is thin.
* Conventional PCI and PCI-X: width × clock from the chip row (``bus``,
  ``bus_width_bits``, ``bus_mhz``). Both are *shared, half-duplex* buses: the two
  directions of a full-duplex NIC (and every other device on that bus segment) take
  turns, so a 1000 Mb/s full-duplex NIC needs 2000 Mb/s of bus. The ceiling is the
  theoretical burst peak; arbitration and address phases keep real transfers lower.

Seed 001_d5f3842907785cff.txt (cited as seed-001) is the case that motivated this: a
VT6122 on a 32-bit/33 MHz PCI bus (133 MB/s, shared) did not reach Gigabit, while the
PCIe VT6130 has no such limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicdb.model import PciDevice

SEED_PCI = "seed-001 (001_d5f3842907785cff.txt)"

# Nominal clock names -> the real clock (MHz). "33 MHz" PCI is 33.33 MHz, and so on.
_REAL_MHZ = {33: 100 / 3, 66: 200 / 3, 133: 400 / 3, 266: 800 / 3, 533: 1600 / 3}

# Transfer rate (GT/s) -> (generation name, encoding numerator, denominator, encoding label).
_PCIE_GENS = {
    2.5: ("1.0", 8, 10, "8b/10b"),
    5.0: ("2.0", 8, 10, "8b/10b"),
    8.0: ("3.0", 128, 130, "128b/130b"),
    16.0: ("4.0", 128, 130, "128b/130b"),
    32.0: ("5.0", 128, 130, "128b/130b"),
    64.0: ("6.0", 242, 256, "FLIT 242/256 (approximate)"),
}
_PCIE_WIDTHS = (1, 2, 4, 8, 16)

# The slowest PCIe link there is: 2.5 GT/s x1 after 8b/10b.
PCIE_FLOOR_MBPS = 2000

# Below this share of headroom over the line rate, PCIe packet overhead may matter.
_THIN_MARGIN = 1.25


@dataclass(frozen=True)
class BusVerdict:
    kind: str  # "pci" | "pci-x" | "pcie" | "unknown"
    ceiling_mbps: int | None  # usable data rate, Mb/s, one direction (shared buses: both together)
    raw: str  # how the ceiling was computed, e.g. "PCI 32-bit/33 MHz = 1067 Mb/s shared, half-duplex bus"
    line_rate_mbps: int | None  # the NIC's line rate the verdict compares against
    needed_mbps: int | None  # bus bandwidth full-duplex line rate needs (2x on a shared bus)
    limited: bool | None  # True: the bus cannot carry line rate both ways; None: cannot tell
    downgraded: tuple[str, ...]  # "speed" and/or "width" when the PCIe link runs below its maximum
    max_ceiling_mbps: int | None  # PCIe: the ceiling at the link's maximum speed and width
    reason: str  # one sentence for the user, with the numbers
    source: str  # "pcie-link" | "knowledge-base" | "unknown"
    summary: str  # a few words for a table cell


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


def pcie_encoding(speed_gts: float) -> tuple[str | None, int, int, str]:
    """(generation, numerator, denominator, label) of the line encoding at ``speed_gts``."""
    gen = _PCIE_GENS.get(float(speed_gts))
    if gen is not None:
        return gen
    if speed_gts <= 5:
        return None, 8, 10, "8b/10b"
    if speed_gts <= 32:
        return None, 128, 130, "128b/130b"
    return None, 242, 256, "FLIT 242/256 (approximate)"


def pcie_mbps(speed_gts: float, width: int) -> int:
    """Per-direction data rate of a PCIe link after line encoding, Mb/s, rounded."""
    _, num, den, _ = pcie_encoding(speed_gts)
    return round(speed_gts * 1000 * width * num / den)


def _fmt_gts(speed: float) -> str:
    return f"{speed:g}"


def _pcie_raw(speed: float, width: int) -> str:
    gen, _, _, label = pcie_encoding(speed)
    name = f"PCIe {gen}" if gen else "PCIe"
    lanes = "lane" if width == 1 else "lanes"
    return (f"{name} x{width}: {_fmt_gts(speed)} GT/s × {width} {lanes}, {label} "
            f"→ {pcie_mbps(speed, width)} Mb/s per direction")


def _parallel_raw(kind: str, width: int, mhz: float) -> str:
    name = "PCI" if kind == "pci" else "PCI-X"
    return (f"{name} {width}-bit/{mhz:g} MHz = {parallel_mbps(width, mhz)} Mb/s shared, "
            "half-duplex bus")


def ceiling_table() -> list[dict]:
    """Every standard bus configuration with its ceiling, for docs and tests.

    Rows: ``{"kind", "label", "ceiling_mbps", "shared", "raw"}``. Shared (PCI, PCI-X)
    ceilings are for both directions together; PCIe ceilings are per direction.
    """
    rows = []
    for width, mhz in ((32, 33), (32, 66), (64, 33), (64, 66)):
        rows.append({"kind": "pci", "label": f"PCI {width}-bit/{mhz} MHz",
                     "ceiling_mbps": parallel_mbps(width, mhz), "shared": True,
                     "raw": _parallel_raw("pci", width, mhz)})
    for mhz in (66, 100, 133, 266, 533):
        rows.append({"kind": "pci-x", "label": f"PCI-X 64-bit/{mhz} MHz",
                     "ceiling_mbps": parallel_mbps(64, mhz), "shared": True,
                     "raw": _parallel_raw("pci-x", 64, mhz)})
    for speed, (gen, *_rest) in _PCIE_GENS.items():
        for width in _PCIE_WIDTHS:
            rows.append({"kind": "pcie", "label": f"PCIe {gen} x{width}",
                         "ceiling_mbps": pcie_mbps(speed, width), "shared": False,
                         "raw": _pcie_raw(speed, width)})
    return rows


# ---------------------------------------------------------------------------
# Verdicts


def _line_rate(device: PciDevice, chip: dict | None, line_rate_mbps: int | None) -> int | None:
    """The caller's rate, else the chip row's, else the fastest interface's speed."""
    if line_rate_mbps is not None and line_rate_mbps > 0:
        return int(line_rate_mbps)
    if chip and isinstance(chip.get("line_rate_mbps"), (int, float)) and chip["line_rate_mbps"] > 0:
        return int(chip["line_rate_mbps"])
    speeds = [i.speed_mbps for i in device.interfaces if i.speed_mbps and i.speed_mbps > 0]
    return max(speeds) if speeds else None


def _summary(label: str, ceiling: int | None, limited: bool | None, downgraded: tuple[str, ...]) -> str:
    s = label if ceiling is None else f"{label}: {ceiling} Mb/s"
    if limited:
        s += ", limits line rate"
    elif limited is None and ceiling is not None:
        s += ", line rate unknown"
    if downgraded:
        s += f" ({'/'.join(downgraded)} downgraded)"
    return s


def _pcie_from_link(device: PciDevice, rate: int | None) -> BusVerdict:
    link = device.link
    assert link is not None and link.speed_gts and link.width
    speed, width = float(link.speed_gts), int(link.width)
    ceiling = pcie_mbps(speed, width)
    raw = _pcie_raw(speed, width)
    gen, *_ = pcie_encoding(speed)
    label = f"PCIe {gen} x{width}" if gen else f"PCIe {_fmt_gts(speed)} GT/s x{width}"

    downgraded: list[str] = []
    parts = []
    if link.max_speed_gts and speed < link.max_speed_gts:
        downgraded.append("speed")
        parts.append(f"speed {_fmt_gts(speed)} GT/s of a possible {_fmt_gts(link.max_speed_gts)} GT/s")
    if link.max_width and width < link.max_width:
        downgraded.append("width")
        parts.append(f"width x{width} of a possible x{link.max_width}")
    max_ceiling = None
    if link.max_speed_gts or link.max_width:
        max_ceiling = pcie_mbps(float(link.max_speed_gts or speed), int(link.max_width or width))

    limited = None if rate is None else ceiling < rate
    if rate is None:
        sentence = (f"The PCIe link ({raw}) carries {ceiling} Mb/s each way; "
                    "the NIC's line rate is unknown, so no verdict")
    elif limited:
        sentence = (f"The PCIe link carries only {ceiling} Mb/s each way ({raw}), "
                    f"below the {rate} Mb/s line rate")
    else:
        sentence = (f"The PCIe link carries {ceiling} Mb/s each way ({raw}), "
                    f"enough for the {rate} Mb/s line rate in both directions at once")
        if ceiling < rate * _THIN_MARGIN:
            sentence += (", though packet headers take some of the margin, so expect a little"
                         " below line rate under load")
    if downgraded:
        sentence += (f"; the link runs below its maximum ({' and '.join(parts)}, which would give "
                     f"{max_ceiling} Mb/s) -- the slot or upstream port may offer less, or the link "
                     "trained down (some devices also slow an idle link to save power)")
    return BusVerdict("pcie", ceiling, raw, rate, rate, limited, tuple(downgraded), max_ceiling,
                      sentence + ".", "pcie-link", _summary(label, ceiling, limited, tuple(downgraded)))


def _pcie_unknown_link(device: PciDevice, chip: dict | None, rate: int | None) -> BusVerdict:
    from_kb = bool(chip) and chip.get("bus") == "pcie" and not device.is_pcie
    source = "knowledge-base" if from_kb else "unknown"
    raw = "PCI Express, link speed and width unknown"
    floor = ("even the slowest PCIe link (1.0 x1) carries "
             f"{PCIE_FLOOR_MBPS} Mb/s per direction")
    if rate is not None and rate <= PCIE_FLOOR_MBPS:
        limited: bool | None = False
        sentence = (f"The device is PCI Express but its link state is unknown; {floor}, "
                    f"which covers the {rate} Mb/s line rate")
    else:
        limited = None
        tail = "" if rate is None else f", less than the {rate} Mb/s line rate, so the slot matters"
        sentence = (f"The device is PCI Express but its link state is unknown (the input "
                    f"gives no link speed and width); {floor}{tail}")
    return BusVerdict("pcie", None, raw, rate, rate, limited, (), None, sentence + ".", source,
                      _summary("PCIe, link unknown", None, limited, ()))


def _parallel(kind: str, chip: dict, rate: int | None) -> BusVerdict:
    name = "PCI" if kind == "pci" else "PCI-X"
    width, mhz = chip.get("bus_width_bits"), chip.get("bus_mhz")
    needed = None if rate is None else 2 * rate
    ok_numbers = isinstance(width, (int, float)) and width > 0 and isinstance(mhz, (int, float)) and mhz > 0
    if not ok_numbers:
        if kind == "pci":
            example = parallel_mbps(32, 33)
            raw = (f"conventional PCI, width/clock unknown; a 32-bit/33 MHz slot would cap at "
                   f"~{example} Mb/s shared")
        else:
            example = parallel_mbps(64, 66)
            raw = (f"PCI-X, width/clock unknown; its slowest mode (64-bit/66 MHz) would cap at "
                   f"~{example} Mb/s shared, less if the card sits in a conventional PCI slot")
        tail = "" if needed is None else f"; {needed} Mb/s would be needed for full-duplex line rate"
        sentence = (f"The knowledge base says {name} without width or clock, so no ceiling is "
                    f"assumed: {raw}{tail}")
        return BusVerdict(kind, None, raw, rate, needed, None, (), None, sentence + ".",
                          "knowledge-base", _summary(f"{name}, width/clock unknown", None, None, ()))

    width, mhz = int(width), float(mhz)
    ceiling = parallel_mbps(width, mhz)
    raw = _parallel_raw(kind, width, mhz)
    label = f"{name} {width}/{mhz:g}"
    limited = None if rate is None else ceiling < needed
    full = "Conventional PCI" if kind == "pci" else "PCI-X"
    head = (f"{full} {width}-bit/{mhz:g} MHz peaks at {ceiling} Mb/s, shared by both directions "
            "and every other device on the bus")
    if rate is None:
        sentence = f"{head}; the NIC's line rate is unknown, so no verdict"
    elif ceiling < rate:
        sentence = f"{head}, less than even one direction of the {rate} Mb/s line rate"
    elif limited:
        sentence = (f"{head}; a {rate} Mb/s full-duplex NIC needs {needed} Mb/s, so it cannot reach "
                    f"line rate in both directions at once, and one direction alone has only "
                    f"{ceiling - rate} Mb/s of headroom before bus overhead")
    else:
        sentence = (f"{head}, which covers the {needed} Mb/s a {rate} Mb/s full-duplex NIC needs "
                    "if the other devices on the bus leave it room")
    if limited and kind == "pci" and width == 32 and round(mhz) == 33:
        sentence += (f" -- as {SEED_PCI} found with a VT6122 on such a bus, which did not reach "
                     "Gigabit where the PCIe VT6130 had no such limit")
    if width > 32 or mhz > 34:
        sentence += (f"; this assumes the slot runs at the chip's full {width}-bit/{mhz:g} MHz, "
                     "a slower slot lowers the ceiling")
    return BusVerdict(kind, ceiling, raw, rate, needed, limited, (), None, sentence + ".",
                      "knowledge-base", _summary(label, ceiling, limited, ()))


def bus_ceiling(device: PciDevice, chip: dict | None, line_rate_mbps: int | None) -> BusVerdict:
    """How much the host bus lets ``device`` move, and whether that caps its line rate.

    ``line_rate_mbps`` is the rate to judge against; None falls back to the chip row's
    ``line_rate_mbps``, then to the fastest speed of the device's interfaces. Live PCIe
    link state wins over the knowledge base; a conventional PCI/PCI-X verdict comes
    from the chip row. Unknowns stay unknown (``limited=None``) and the reason says so.
    """
    rate = _line_rate(device, chip, line_rate_mbps)
    link = device.link
    if link is not None and link.speed_gts and link.width:
        return _pcie_from_link(device, rate)
    bus = (chip or {}).get("bus") or "unknown"
    if device.is_pcie or bus == "pcie":
        return _pcie_unknown_link(device, chip, rate)
    if bus in ("pci", "pci-x"):
        return _parallel(bus, chip, rate)
    if bus == "integrated":
        sentence = ("The knowledge base says this NIC is integrated into the chipset; its internal "
                    "connection is not a slot bus and nicdb knows no ceiling for it")
        return BusVerdict("unknown", None, "integrated into the chipset, internal bus unknown", rate,
                          None, None, (), None, sentence + ".", "knowledge-base",
                          "integrated, bus unknown")
    why = "no knowledge-base chip row" if chip is None else "the knowledge base does not say which bus"
    sentence = (f"Host bus unknown ({why}, and no PCIe link state in the input), so nicdb cannot "
                "tell whether the bus limits this NIC")
    return BusVerdict("unknown", None, "bus unknown", rate, None, None, (), None, sentence + ".",
                      "unknown", "bus unknown")

"""Broadcom wired drivers: tg3, bnx2, bnx2x.

- tg3 (tg3.c 17998, 5.10-7.x): ``Tigon3 [partno(%s) rev %04x] (%s) MAC address %pM`` --
  the rev field is the chip_rev_id (log_ids kind ``asic-rev``); the bus field is ``PCI
  Express``, ``PCIX:<clk>MHz:32/64-bit`` or ``PCI:33/66MHz:32/64-bit`` (17597), read from
  the chip. 2.6.17/2.6.18 printed ``ethN: Tigon3 [partno(..) rev XXXX PHY(NNNN)] (bus)
  10/100/1000BaseT Ethernet MAC``. Firmware: ``Failed to load firmware "%s"`` (11480),
  ``TSO capability disabled`` / ``EEE capability disabled`` after a missing file.
- bnx2 (bnx2.c 8578): ``<board name> (%c%d) <bus> found at mem %lx, IRQ %d, node addr
  %pM`` -- the letter is chip-ID bits 15:12 + 'A', the number the metal (bits 11:4,
  decimal); log_ids ``chip-id`` = chip number, letter index and two hex digits of metal
  (BCM5709 ``(C0)`` -> ``5709200``). The bus is ``PCI Express`` or ``PCI[-X] 32/64-bit
  NNMHz`` (8461-8470). ``bnx2: Can't load firmware file "%s"``.
- bnx2x: the chip line is debug-only; ``part number``, the PCIe bandwidth line (common),
  ``Error loading firmware``.
"""

from __future__ import annotations

from nicdb.kernellog.registry import bus_value, register


def _bus(m) -> list[tuple[str, str]]:
    """The bus a probe line names (groups ``bus``, ``x``, ``w``, ``mhz``), when it names one."""
    if m["bus"] == "PCI Express":
        return [("bus", "pcie")]
    if m["w"] and m["mhz"]:
        return [("bus", bus_value("pci-x" if m["x"] else "pci", m["w"], m["mhz"]))]
    return []


def _tg3(m):
    return [("asic-rev", m["rev"].lower()), ("part-number", m["part"])] + _bus(m)


register(("tg3", ""), "Tigon3 [", r"Tigon3 \[partno\((?P<part>[^)]*)\) rev (?P<rev>[0-9a-fA-F]+)"
         r"(?: PHY\([0-9a-fA-F]+\))?\] \((?P<bus>PCI Express|PCI(?P<x>X)?:(?P<mhz>\d+)MHz:(?P<w>\d+)-bit|[^)]*)\)",
         _tg3, driver="tg3")
register("tg3", "Failed to load firmware", r'Failed to load firmware "(?P<f>[^"]+)"',
         lambda m: [("firmware-missing", m["f"])])


def _bnx2(m):
    letter, metal = m["letter"], int(m["metal"])
    return [("chip", f"BCM{m['num']} {letter}{metal}"),
            ("chip-id", f"{m['num']}{ord(letter) - ord('A'):x}{metal:02x}")] + _bus(m)


register("bnx2", " found at mem ", r"BCM(?P<num>\d{4})\S* .*?\((?P<letter>[A-Z])(?P<metal>\d+)\) "
         r"(?P<bus>PCI Express|PCI(?P<x>-X)? (?P<w>\d+)-bit (?P<mhz>\d+)MHz) found at mem", _bnx2)
register("bnx2", "Can't load firmware file", r'Can\'t load firmware file "(?P<f>[^"]+)"',
         lambda m: [("firmware-missing", m["f"])])
register("bnx2x", "part number", r"part number (?P<p>[0-9A-F]+-[0-9A-F]+-[0-9A-F]+-[0-9A-F]+)",
         lambda m: [("part-number", m["p"])])

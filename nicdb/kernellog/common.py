"""Lines every driver can print through common kernel code, and the PCI core's own.

- PCI core enumeration, drivers/pci/probe.c: ``pci 0000:02:00.0: [10ec:8168] type 00
  class 0x020000`` (6.12 appends `` PCIe Endpoint`` and the like; no revision in any
  version), and a bridge's ``PCI bridge to [bus 05]`` / ``[bus 05-06]``, with
  `` (subtractive decode)`` for the consumer chipsets' PCI bridges.
- The firmware loader, drivers/base/firmware_loader/main.c: ``Direct firmware load for
  FILE failed with error -2``; Debian's patched loader adds ``firmware: failed to load
  FILE (-2)`` (and ``firmware: direct-loading firmware FILE`` when it worked).
- pcie_print_link_status, drivers/pci/pci.c (printed by mlx5, ixgbe, igc, bnx2x, ...):
  ``4.000 Gb/s available PCIe bandwidth (5.0 GT/s PCIe x1 link)`` or ``..., limited by
  2.5 GT/s PCIe x1 link at 0000:00:1c.0 (capable of 7.876 Gb/s with 8.0 GT/s PCIe x1 link)``.
- The driver core, drivers/base/dd.c: ``DRIVER: probe of SLOT failed with error -22``.
- The network core: ``DEVICE IFACE: renamed from eth0`` (net/core/dev.c) and
  ``NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out`` (net/sched/sch_generic.c).
"""

from __future__ import annotations

from nicdb.kernellog.registry import link_value, register


_HEX = frozenset("0123456789abcdefABCDEF")


def _pci_id(text: str):
    """``[10ec:8168] type 00 class 0x020000`` (plain string tests: the PCI core prints one
    such line per function, and a live log is read on every run)."""
    if len(text) < 33 or text[0] != "[" or text[5] != ":" or text[10:17] != "] type ":
        return []
    i = text.find(" class 0x", 17, 32)
    ids, cls = text[1:10], text[i + 9:i + 15] if i > 0 else ""
    if len(cls) != 6 or not _HEX.issuperset(ids[:4] + ids[5:] + cls):
        return []
    return [("_pci_id", ids.lower()), ("_class", cls.lower())]


register("pci", "] type ", None, _pci_id)
register("pci", "PCI bridge to [bus ", r"PCI bridge to \[bus (?P<b>[0-9a-fA-F]{2})",
         lambda m: [("_bridge_to", m["b"].lower())])

register("*", "firmware load for ", r"Direct firmware load for (?P<f>\S+) failed with error (?P<e>-?\d+)",
         lambda m: [("firmware-missing", m["f"])])
register("*", "failed to load ", r"^firmware: failed to load (?P<f>\S+) \((?P<e>-?\d+)\)",
         lambda m: [("firmware-missing", m["f"])])
register("*", "direct-loading firmware ", r"^firmware: direct-loading firmware (?P<f>\S+)",
         lambda m: [("firmware-loaded", m["f"])])


def _bandwidth(m):
    facts = []
    if m["lspeed"]:
        facts.append(("pcie-link", link_value(m["lspeed"], m["lwidth"])))
        facts.append(("pcie-capable", link_value(m["speed"], m["width"])))
    else:
        facts.append(("pcie-link", link_value(m["speed"], m["width"])))
    return facts


register("*", "available PCIe bandwidth", r"[\d.]+ Gb/s available PCIe bandwidth(?:, limited by "
         r"(?P<lspeed>[\d.]+) GT/s PCIe x(?P<lwidth>\d+) link at \S+)? \((?:capable of [\d.]+ Gb/s with )?"
         r"(?P<speed>[\d.]+) GT/s PCIe x(?P<width>\d+) link\)", _bandwidth)

register("*", "probe of ", r"^probe of (?P<slot>[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]) "
         r"failed with error (?P<e>-?\d+)",
         lambda m: [("_slot", m["slot"].lower()), ("refused", f"probe failed with error {m['e']}")])
register("*", "renamed from ", r"^renamed from (?P<old>\S+)", lambda m: [("_renamed_from", m["old"])])
register("*", "transmit queue", r"transmit queue (?P<q>\d+) timed out", lambda m: [("tx-timeout", f"queue {m['q']}")])

"""Intel wired drivers: e1000, e1000e, igb, igc, ixgbe, i40e, ice.

- e1000 (e1000_main.c): ``(PCI%s:%dMHz:%d-bit) %pM`` -- the conventional PCI or PCI-X bus
  the chip found itself on, e.g. ``(PCI:33MHz:32-bit)``, ``(PCI-X:133MHz:64-bit)``; 2.6
  kernels prefixed it with ``e1000: 0000:02:01.0: e1000_probe: ``. Direct evidence of
  the bus, read from the chip's status register.
- e1000e (netdev.c, 6.12 7240-7252): ``(PCI Express:2.5GT/s:Width x1) %pM`` (2.6 printed
  ``2.5GB/s``), ``MAC: %d, PHY: %d, PBA No: %s``.
- igb (igb_main.c): ``%s: (PCIe:2.5Gb/s|5.0Gb/s:Width xN) %pM`` (not on I354),
  ``%s: PBA No: %s``.
- igc, ixgbe, mlx5, bnx2x: pcie_print_link_status (see :mod:`nicdb.kernellog.common`);
  ixgbe ``MAC: %d, PHY: %d, SFP+: %d, PBA No: %s``, and refuses unsupported modules with
  ``failed to load because an unsupported SFP+ or QSFP module type was detected.``
- i40e (i40e_main.c): ``fw %d.%d.%05d api %d.%d nvm %s ...``, ``PCI-Express: Speed
  %sGT/s Width x%s``; it stops on ``The driver for the device stopped because the NVM
  image ... is newer than expected`` and warns ``This device is a pre-production adapter/LOM``.
- ice (ice_main.c): ``The DDP package was successfully loaded: %s version %d.%d.%d.%d``,
  or ``The DDP package file was not found or could not be read. Entering Safe Mode``.
- e1000e ``Detected Hardware Unit Hang:`` (fields on continuation lines).
"""

from __future__ import annotations

from nicdb.kernellog.registry import bus_value, link_value, register


def _e1000_bus(m):
    return [("bus", bus_value("pci-x" if m["x"] else "pci", m["w"], m["mhz"]))]


register(("e1000", ""), "MHz:", r"\(PCI(?P<x>-X)?:(?P<mhz>\d+)MHz:(?P<w>\d+)-bit\)", _e1000_bus, driver="e1000")
register(("e1000e", ""), "PCI Express:", r"\(PCI Express:(?P<s>[\d.]+)G[TB]/s:Width x(?P<w>\d+)\)",
         lambda m: [("pcie-link", link_value(m["s"], m["w"]))], driver="e1000e")
register("igb", "(PCIe:", r"\(PCIe:(?P<s>[\d.]+)Gb/s:Width x(?P<w>\d+)\)",
         lambda m: [("pcie-link", link_value(m["s"], m["w"]))])
register(("e1000e", "igb", "ixgbe", "igc", "e1000"), "PBA No: ", r"PBA No: (?P<pba>[0-9A-Fa-f\-]{4,20})",
         lambda m: [("part-number", m["pba"].upper())])
register(("e1000e", "ixgbe"), "MAC: ", r"^MAC: (?P<mac>\d+), PHY: (?P<phy>\d+)",
         lambda m: [("mac-type", m["mac"]), ("phy-type", m["phy"])])
register("e1000e", "Hardware Unit Hang", r"Detected Hardware Unit Hang", lambda m: [("hang", "Hardware Unit Hang")])
register("ixgbe", "unsupported SFP+", r"unsupported SFP\+ or QSFP module type",
         lambda m: [("refused", "unsupported SFP+ or QSFP module")])
register("i40e", "PCI-Express: Speed ", r"PCI-Express: Speed (?P<s>[\d.]+)GT/s Width x(?P<w>\d+)",
         lambda m: [("pcie-link", link_value(m["s"], m["w"]))])
register(("i40e", "ice"), "fw ", r"^fw (?P<fw>\d+\.\d+\.\d+) api (?P<api>\d+\.\d+) nvm (?P<nvm>\S+)",
         lambda m: [("firmware-version", f"fw {m['fw']} api {m['api']} nvm {m['nvm']}")])
register(("i40e", "ixgbe", "ice"), "pre-production", r"pre-production adapter",
         lambda m: [("pre-production", "yes")])
register(("i40e", "ice"), "NVM image", r"stopped because the NVM image (?P<v>\S+)? ?is newer than expected",
         lambda m: [("refused", "NVM image newer than the driver expects")])
register("ice", "DDP package", r"The DDP package was successfully loaded: (?P<p>.+) version (?P<v>[\d.]+)",
         lambda m: [("firmware-loaded", f"{m['p'].strip()} {m['v']}")])
register("ice", "Entering Safe Mode", r"DDP package file was not found or could not be read",
         lambda m: [("firmware-missing", "intel/ice/ddp/ice.pkg")])

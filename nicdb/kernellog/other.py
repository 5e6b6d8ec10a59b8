"""Other wired drivers: Mellanox mlx4/mlx5, Aquantia atlantic, Qualcomm Atheros alx and
atl1c, VIA Rhine, NVIDIA forcedeth, and link-state lines in the common shapes.

- mlx5_core (main.c 1162): ``firmware version: %d.%d.%d`` -- its major is the generation
  (log_ids ``fw-major``, the digits as printed); ``Driver cmdif rev(%d) differs from
  firmware's(%d)`` (cmd.c 2354).
- mlx4_core (fw.c 1677-1684): ``Installed FW has unsupported command interface revision %d``.
- atlantic: ``Bad FW version detected: %x`` (hw_atl_utils.c 85; fatal, except AQC113's
  ``..., but continue``).
- alx (main.c 1053): ``unrecognized chip, aborting`` (the PCI revision is >= 0x20).
- via-rhine: ``VIA Rhine II at ...`` (the chip's name from the driver's table).
- forcedeth: ``ifname eth0, PHY OUI 0x5043 @ 1, addr ...`` (gives the interface).
- Link lines: ``NIC Link is Up 1000 Mbps Full Duplex`` (e1000, e1000e, igb, igc, atl1c),
  ``Link is Up - 1Gbps/Full`` (phylib: r8169 and others), ``Link is up at 1000 Mbps``
  (tg3, skge, sky2), ``NIC Link is Up, 10 Gbps`` (i40e), ``NIC Link is Up 10 Gbps`` (ixgbe).
"""

from __future__ import annotations

from nicdb.kernellog.registry import hexval, register

register("mlx5_core", "firmware version: ", r"^firmware version: (?P<maj>\d+)\.(?P<mi>\d+)\.(?P<sub>\d+)",
         lambda m: [("fw-major", m["maj"]), ("firmware-version", f"{m['maj']}.{m['mi']}.{m['sub']}")])
register("mlx5_core", "cmdif rev", r"Driver cmdif rev\((?P<d>\d+)\) differs from firmware's\((?P<f>\d+)\)",
         lambda m: [("refused", f"firmware command interface {m['f']}, driver needs {m['d']}")])
register("mlx4_core", "command interface revision", r"unsupported command interface revision (?P<r>\d+)",
         lambda m: [("refused", f"firmware command interface {m['r']} unsupported")])
register(("atlantic", ""), "Bad FW version detected", r"Bad FW version detected: (?P<v>[0-9a-fA-F]+)(?P<c>, but continue)?",
         lambda m: [("firmware-version", hexval(m["v"]))] + ([] if m["c"] else [("refused", "unknown flash firmware")]),
         driver="atlantic")
register("alx", "unrecognized chip", r"unrecognized chip, aborting", lambda m: [("refused", "unrecognized chip")])
register("via-rhine", " at ", r"^(?P<name>VIA Rhine(?: I+)?(?: \(Management Adapter\))?) at ",
         lambda m: [("chip", m["name"])])
register("forcedeth", "ifname ", r"^ifname (?P<i>\S+), PHY OUI", lambda m: [("_iface", m["i"].rstrip(","))])


def _mbps(n: str, unit: str) -> str:
    return str(int(float(n) * (1000 if unit.lower().startswith("g") else 1)))


register("*", "Link is Up", r"Link is Up(?:,| -)?[ <]?(?P<n>[\d.]+) ?(?P<u>[MG])b(?:ps|/s)",
         lambda m: [("link", _mbps(m["n"], m["u"]))])
register("*", "Link is up at ", r"Link is up at (?P<n>\d+) Mbps", lambda m: [("link", m["n"])])
register("*", "NIC Link is up ", r"NIC Link is up (?P<n>[\d.]+) ?(?P<u>[MG])bps", lambda m: [("link", _mbps(m["n"], m["u"]))])

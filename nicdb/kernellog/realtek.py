"""Realtek wired drivers: r8169, 8139too, 8139cp.

r8169's probe line (drivers/net/ethernet/realtek/r8169_main.c) names the chip and its XID,
the chip version read from the TxConfig register, in three formats:

- 4.x and older: ``RTL8110s at 0x%p, %pM, XID %08x IRQ %d`` -- eight digits, TxConfig
  masked with 0x9cf0f8ff (2.6-era: 0x7cf0f8ff); ``(x >> 20) & 0xfcf`` is the XID, which
  loses XID bits 0x200 and 0x400, so the chip name on the line decides where they matter;
  2.6 kernels printed it with the interface alone as subject (``eth0: RTL8168b/8111b at ...``);
- about 5.0-6.x: ``RTL8168h/8111h, %pM, XID %03x, IRQ %d`` (5.10 line 5549, 6.12 line 5594);
- 7.x: ``%s, %pM, %sXID %x, IRQ %d`` -- no zero padding, and ``extXID`` for chips named
  through the second version register (7.2 line 5812).

Refusals: ``unknown chip XID %03x`` (5.10), ``error -ENODEV: unknown chip XID %03x, contact
r8169 maintainers ...`` (6.12), ``unknown chip %sXID %x, ...`` (7.2). Firmware:
``Unable to load firmware %s (%d)`` (r8169_firmware.c). After a transmit timeout (6.3+):
``ASPM disabled on Tx timeout``.

8139cp refuses plain RTL8139 chips naming the PCI revision:
``This (id 10ec:8139 rev 10) is not an 8139C+ compatible chip, use 8139too``.
"""

from __future__ import annotations

from nicdb.kernellog.registry import register

R8169 = ("r8169",)


def _xid(digits: str, ext: str | None) -> tuple[str, str]:
    x = int(digits, 16)
    if len(digits) == 8:  # 4.x: TxConfig & 0x9cf0f8ff
        return "xid", f"{(x >> 20) & 0xFCF:03x}"
    return ("ext-xid" if ext else "xid"), f"{x:03x}"


def _probe(m):
    kind, value = _xid(m["xid"], m["ext"])
    facts = [(kind, value)]
    if not m["ext"] or m["name"]:
        facts.insert(0, ("chip", m["name"].strip()))
    if len(m["xid"]) == 8:
        facts.append(("xid-raw", m["xid"].lower()))
    return facts


# the chip name runs up to ", <MAC>" (or " at 0x" in 4.x); MACs may be masked (XX:XX:.., XXX)
register(R8169 + ("",), "XID ",
         r"^(?P<name>[^,]{2,40}?)(?: at (?:0x)?\S+)?, (?:[0-9A-Fa-fX]{2}(?::[0-9A-Fa-fX]{2}){5}|X+|\S+), "
         r"(?P<ext>ext)?XID (?P<xid>[0-9a-fA-F]{1,8}),? IRQ", _probe, driver="r8169")
register(R8169, "unknown chip", r"unknown chip (?P<ext>ext)?XID (?P<xid>[0-9a-fA-F]{1,8})",
         lambda m: [_xid(m["xid"], m["ext"]), ("refused", "unknown chip XID")])
register(R8169, "Unable to load firmware", r"Unable to load firmware (?P<f>\S+) \((?P<e>-?\d+)\)",
         lambda m: [("firmware-missing", m["f"])])
register(R8169, "ASPM disabled on Tx timeout", r"ASPM disabled on Tx timeout", lambda m: [("tx-timeout", "ASPM disabled")])

register("8139cp", "is not an 8139C+", r"\(id (?P<v>[0-9a-f]{4}):(?P<d>[0-9a-f]{4}) rev (?P<r>[0-9a-f]{2})\) "
         r"is not an 8139C\+ compatible chip", lambda m: [("pci-revision", m["r"]),
                                                          ("refused", "not an 8139C+ (8139cp); 8139too drives it")])

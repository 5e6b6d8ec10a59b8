"""Marvell wired drivers: sky2, skge.

- sky2 1.30 (sky2.c 4918, 5.10-7.x): ``Yukon-2 %s chip revision %d`` -- the name stands
  for the chip ID register (XL b3, EC Ultra b4, Extreme b5, EC b6, FE b7, FE+ b8, Supreme
  b9, UL 2 ba, Optima bc, OptimaEEE bd, Optima 2 be; an unknown chip prints
  ``(chip 0x..)``), the revision is decimal: log_ids ``chip-id`` is the ID, ``chip-rev``
  the ID with the revision as one hex digit (EC Ultra revision 3 -> ``b43``). Not the
  PCI revision. Refusals: ``unsupported revision Yukon-EC rev A1`` (3162),
  ``unsupported chip type 0x%x`` (3208).
- skge 1.14 (skge.c 3951): ``skge: 1.14 addr 0x%llx irq %d chip %s rev %d`` -- pr_info
  without the device (tied to the next ``skge BDF IF: addr %pM`` line); names Genesis
  0a, Yukon b0, Yukon-Lite b1, Yukon-LP b2, unknown ``chipid 0x%x``; same encoding.
"""

from __future__ import annotations

from nicdb.kernellog.registry import register

SKY2_CHIPS = {"XL": "b3", "EC Ultra": "b4", "Extreme": "b5", "EC": "b6", "FE": "b7", "FE+": "b8", "Supreme": "b9",
              "UL 2": "ba", "Optima": "bc", "OptimaEEE": "bd", "Optima 2": "be"}
SKGE_CHIPS = {"Genesis": "0a", "Yukon": "b0", "Yukon-Lite": "b1", "Yukon-LP": "b2"}


def _chip_rev(chip_id: str | None, rev: str) -> list[tuple[str, str]]:
    if chip_id is None:
        return []
    facts = [("chip-id", chip_id)]
    r = int(rev)
    if r < 16:
        facts.append(("chip-rev", f"{chip_id}{r:x}"))
    return facts


def _sky2(m):
    name = m["name"]
    if name.startswith("(chip 0x"):
        return _chip_rev(name[8:].rstrip(")").lower(), m["rev"])
    return [("chip", f"Yukon-2 {name}")] + _chip_rev(SKY2_CHIPS.get(name), m["rev"])


def _skge(m):
    name = m["name"]
    if name.startswith("chipid 0x"):
        return _chip_rev(name[9:].lower(), m["rev"])
    return [("chip", f"Marvell {name}" if name != "Genesis" else "SysKonnect Genesis")] + _chip_rev(
        SKGE_CHIPS.get(name), m["rev"])


register("sky2", "chip revision", r"^Yukon-2 (?P<name>.+?) chip revision (?P<rev>\d+)", _sky2)
def _sky2_refused(m):
    if m["t"]:
        return [("chip-id", m["t"].lower()), ("refused", f"unsupported chip type 0x{m['t']}")]
    facts = [("refused", f"unsupported revision {m['r']}")]
    if m["r"] == "Yukon-EC rev A1":  # CHIP_REV_YU_EC_A1 is revision 0 of the EC (b6)
        facts = [("chip", "Yukon-2 EC"), ("chip-id", "b6"), ("chip-rev", "b60")] + facts
    return facts


register("sky2", "unsupported", r"unsupported (?:revision (?P<r>.+)|chip type 0x(?P<t>[0-9a-f]+))", _sky2_refused)
register("skge", " chip ", r"irq \d+ chip (?P<name>chipid 0x[0-9a-f]+|\S+) rev (?P<rev>\d+)", _skge)
register("skge", "unsupported chip type", r"unsupported chip type 0x(?P<t>[0-9a-f]+)",
         lambda m: [("refused", f"unsupported chip type 0x{m['t']}")])

"""udev rules presenter: the knowledge base's chip rows as rules that name the chip of a
network PCI device from its ``vendor``, ``device`` and ``revision`` attributes (see
udev(7)) -- the revision split that the hwdb's modalias match cannot express, since a
PCI modalias carries no revision.

Each rule sets ``ID_NICDB_CHIP``, ``ID_NICDB_FAMILY`` and ``ID_NICDB_CONFIDENCE`` and
jumps to the end: the rows of an ID come most specific first (your overlay's, then a
subsystem's, then by revision), as nicdb's own lookup takes them, so the first match wins.
"""

from __future__ import annotations

from nicdb import __version__
from nicdb.ids import fmt_rev_range
from nicdb.render.export_text import comment, header

_HEX = "0123456789abcdef"


def group_chips(chips: list[dict]) -> list[tuple[tuple[int, int], list[dict]]]:
    """Chip rows grouped by vendor:device, IDs in order, each group in the given order."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for c in chips:
        groups.setdefault((c["vendor"], c["device"]), []).append(c)
    return sorted(groups.items())


def _digits(lo: int, hi: int) -> str:
    """A glob matching one hex digit from ``lo`` to ``hi``."""
    if lo == hi:
        return _HEX[lo]
    if (lo, hi) == (0, 15):
        return "[0-9a-f]"
    parts = []
    for a, b in ((lo, min(hi, 9)), (max(lo, 10), hi)):
        if a <= b:
            parts.append(_HEX[a] if a == b else f"{_HEX[a]}-{_HEX[b]}")
    return "[" + "".join(parts) + "]"


def rev_globs(lo: int, hi: int) -> list[str]:
    """Globs that together match exactly the sysfs ``revision`` values ``0xLO``..``0xHI``
    (the kernel writes two lower-case hex digits)."""
    out = []
    first, last = lo >> 4, hi >> 4
    if first == last:
        return [f"0x{_HEX[first]}{_digits(lo & 15, hi & 15)}"]
    if lo & 15:
        out.append(f"0x{_HEX[first]}{_digits(lo & 15, 15)}")
        first += 1
    tail = None
    if hi & 15 != 15:
        tail = f"0x{_HEX[last]}{_digits(0, hi & 15)}"
        last -= 1
    if first <= last:
        out.append(f"0x{_digits(first, last)}[0-9a-f]")
    if tail:
        out.append(tail)
    return out


def udev_value(s: str) -> str:
    """A text as a udev assignment value: no quote, backslash or control character, and
    udev's substitution characters doubled, so the value is taken literally."""
    s = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in s)
    return s.replace("%", "%%").replace("$", "$$")


def _rule(c: dict) -> str:
    keys = ['SUBSYSTEM=="pci"', f'ATTR{{vendor}}=="0x{c["vendor"]:04x}"', f'ATTR{{device}}=="0x{c["device"]:04x}"']
    if c.get("subvendor") is not None:
        keys += [f'ATTR{{subsystem_vendor}}=="0x{c["subvendor"]:04x}"',
                 f'ATTR{{subsystem_device}}=="0x{c["subdevice"]:04x}"']
    if (c["rev_lo"], c["rev_hi"]) != (0, 255):
        keys.append(f'ATTR{{revision}}=="{"|".join(rev_globs(c["rev_lo"], c["rev_hi"]))}"')
    keys += [f'ENV{{ID_NICDB_CHIP}}="{udev_value(c["chip"])}"', f'ENV{{ID_NICDB_FAMILY}}="{udev_value(c["family"])}"',
             f'ENV{{ID_NICDB_CONFIDENCE}}="{udev_value(c["confidence"])}"', 'GOTO="nicdb_end"']
    return ", ".join(keys)


def chip_note(c: dict) -> str:
    prods = ", ".join(c["products"])
    sub = f" subsystem {c['subvendor']:04x}:{c['subdevice']:04x}" if c.get("subvendor") is not None else ""
    return (f"{c['vendor']:04x}:{c['device']:04x}{sub} rev {fmt_rev_range(c['rev_lo'], c['rev_hi'])}: {c['chip']}"
            + (f" ({prods})" if prods else "") + f" [{c['confidence']}, {c['origin']}]")


def chips_file(about: tuple[str, ...], scope: str, chips: list[dict], group_lines, *, prelude=(), coda=()) -> str:
    """An export of chip rows: the opening comment (``about``'s paragraphs with nicdb's
    version and the ``scope`` filled in), ``prelude`` lines, then ``group_lines(rows)``
    for the rows of each vendor:device, then ``coda`` lines."""
    out = header(*(par.format(version=__version__, scope=scope) for par in about)) + list(prelude)
    groups = group_chips(chips)
    if not groups:
        out += [""] + comment("no chips: nicdb has no chip notes for these devices")
    for _, rows in groups:
        out += group_lines(rows)
    return "\n".join(out + list(coda)) + "\n"


def _group_rules(rows: list[dict]) -> list[str]:
    c0 = rows[0]
    fam = {c.get("family_name") or c["family"] for c in rows}
    out = [""] + comment(f"{c0['vendor']:04x}:{c0['device']:04x}: {', '.join(sorted(fam))}"
                         + (f": {len(rows)} rows, the first that matches wins" if len(rows) > 1 else ""))
    for c in rows:
        out += comment(chip_note(c))
        out.append(_rule(c))
    return out


_ABOUT = (
    "udev rules written by nicdb {version}: the chip of each network PCI device by vendor, device and PCI revision, "
    "for {scope}.",
    "Sets ID_NICDB_CHIP (the chip's name as its driver source calls it), ID_NICDB_FAMILY (nicdb's family id) and "
    "ID_NICDB_CONFIDENCE (how sure nicdb is). Install it as /etc/udev/rules.d/70-nicdb.rules, then run 'udevadm "
    "control --reload' and 'udevadm trigger --subsystem-match=pci --action=change'; 'udevadm info "
    "/sys/bus/pci/devices/SLOT' shows the values.",
)


def udev_rules(chips: list[dict], scope: str) -> str:
    """The rules file for ``chips`` (knowledge-base chip rows); ``scope`` says in a comment
    which chips these are."""
    return chips_file(_ABOUT, scope, chips, _group_rules,
                      prelude=['ACTION=="remove", GOTO="nicdb_end"', 'SUBSYSTEM!="pci", GOTO="nicdb_end"'],
                      coda=["", 'LABEL="nicdb_end"'])

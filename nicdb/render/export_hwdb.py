"""hwdb presenter: what nicdb knows of a PCI ID whatever its revision, as a hwdb file
(see hwdb(7)). udev looks a PCI device up by its modalias
(``pci:vVVVVVVVVdDDDDDDDDsv...sd...bc..sc..i..``), which has no revision: a fact goes
here only when every revision row of the ID agrees on it. The chip of an ID that is split
by revision is left to the udev rules (``nicdb export udev``); its ranges are listed in
``ID_NICDB_REVISIONS`` so that the split is visible.

Records: one per vendor:device (and per subsystem, for rows limited to one); a later
record has the higher priority, so a subsystem's record follows the ID's.
"""

from __future__ import annotations

from nicdb.ids import fmt_rev_range
from nicdb.render.export_text import comment
from nicdb.render.export_udev import chip_note, chips_file


def _value(s: str) -> str:
    """A hwdb value: the rest of its line, so no line break or other control character."""
    return "".join(c if c.isprintable() else " " for c in s).strip()


def _match(vendor: int, device: int, subvendor: int | None, subdevice: int | None) -> str:
    key = f"pci:v{vendor:08X}d{device:08X}"
    if subvendor is not None:
        key += f"sv{subvendor:08X}sd{subdevice:08X}"
    return key + "*"


def _record(rows: list[dict]) -> list[str]:
    c0 = rows[0]
    props: list[tuple[str, str]] = []
    families = {c["family"] for c in rows}
    if len(families) == 1:
        props.append(("ID_NICDB_FAMILY", c0["family"]))
    chips = {(c["chip"], c["confidence"]) for c in rows}
    covered = sorted((c["rev_lo"], c["rev_hi"]) for c in rows)
    whole = covered[0][0] == 0 and covered[-1][1] == 255 and all(
        b[0] <= a[1] + 1 for a, b in zip(covered, covered[1:]))
    if len(chips) == 1 and whole:
        props += [("ID_NICDB_CHIP", c0["chip"]), ("ID_NICDB_CONFIDENCE", c0["confidence"])]
    else:
        props.append(("ID_NICDB_REVISIONS", ", ".join(
            f"{fmt_rev_range(c['rev_lo'], c['rev_hi'])} {c['chip']}" for c in sorted(rows, key=lambda c: c["rev_lo"]))))
    out = []
    for c in rows:
        out += comment(chip_note(c))
    out.append(_match(c0["vendor"], c0["device"], c0.get("subvendor"), c0.get("subdevice")))
    out += [f" {k}={_value(v)}" for k, v in props]
    return out


def _group_records(rows: list[dict]) -> list[str]:
    by_sub: dict[tuple, list[dict]] = {}
    for c in rows:
        by_sub.setdefault((c.get("subvendor"), c.get("subdevice")), []).append(c)
    out: list[str] = []
    for sub in sorted(by_sub, key=lambda k: (k[0] is not None, k)):  # the ID's own record first
        out += [""] + _record(by_sub[sub])
    return out


_ABOUT = (
    "hwdb written by nicdb {version}: what nicdb knows of network PCI IDs whatever their revision, for {scope}.",
    "A PCI modalias has no revision, so an ID split by revision gets ID_NICDB_FAMILY and ID_NICDB_REVISIONS here, and "
    "its chip from the udev rules ('nicdb export udev'). Install it as /etc/udev/hwdb.d/70-nicdb.hwdb, then run "
    "'systemd-hwdb update' and 'udevadm trigger --subsystem-match=pci --action=change'; 'systemd-hwdb query MODALIAS' "
    "shows the values.",
)


def hwdb_file(chips: list[dict], scope: str) -> str:
    """The hwdb file for ``chips`` (knowledge-base chip rows); ``scope`` says in a comment
    which chips these are."""
    return chips_file(_ABOUT, scope, chips, _group_records)

"""Filling in IDs from names, for lspci output printed without `-n` (plain `lspci`, `-k`,
`-v`): the names are looked up in pci.ids through the knowledge base, and where a name
is unknown or ambiguous the ID stays unknown and a note says so."""

from __future__ import annotations

import re

from nicdb.model import PciDevice

_HEXNAME = re.compile(r"(?:Unknown device|Device) ([0-9a-fA-F]{4})\Z")


def _hex_in_name(name: str) -> int | None:
    m = _HEXNAME.search(name)
    return int(m.group(1), 16) if m else None


def _device_ids(lookup, vendor: int, name: str | None) -> list[int]:
    if not name:
        return []
    h = _hex_in_name(name)
    return [h] if h is not None else lookup.device_ids(vendor, name)


def resolve_ids(devices: list[PciDevice], lookup) -> None:
    """``lookup`` offers vendor_ids(name), device_ids(vendor, name), class_codes(name)
    and vendor_prefixes(text) (as :class:`nicdb.kb.store.KnowledgeBase` does)."""
    for d in devices:
        if d.class_code is None and d.class_name:
            codes = lookup.class_codes(d.class_name)
            if len(codes) == 1:
                d.class_code = codes[0]
        if d.vendor is not None and d.device is not None:
            continue
        # (vendor id, vendor name, device name) readings of what the input printed
        readings: list[tuple[int, str, str | None]] = []
        if d.vendor is not None:
            readings = [(d.vendor, d.vendor_name or "", d.device_name)]
        elif d.vendor_name:
            readings = [(v, d.vendor_name, d.device_name) for v in lookup.vendor_ids(d.vendor_name)]
        elif d.device_name:
            # plain lspci runs vendor and device names together: known vendor names as prefixes
            text = d.device_name
            readings = [(v, n, text[len(n):].strip() or None) for v, n in lookup.vendor_prefixes(text)]
        shown = " ".join(x for x in (d.vendor_name, d.device_name) if x)
        if not readings:
            d.notes.append(f"unknown vendor in {shown!r}: IDs left unknown (lspci -nn output carries them)")
            continue
        pairs = {(v, dev_id, vn, dn) for v, vn, dn in readings for dev_id in _device_ids(lookup, v, dn)}
        if len({(v, i) for v, i, _, _ in pairs}) == 1:
            d.vendor, d.device, d.vendor_name, d.device_name = next(iter(pairs))
            continue
        vendors = {v for v, _, _ in readings}
        if len(vendors) == 1:
            d.vendor, d.vendor_name, d.device_name = readings[0]
        if pairs:
            d.notes.append(f"{shown!r} matches several IDs in pci.ids: "
                           + ", ".join(sorted(f"{v:04x}:{i:04x}" for v, i, _, _ in pairs)))
        else:
            d.notes.append(f"device name in {shown!r} is not in pci.ids"
                           + ("" if len(vendors) == 1 else " for vendors " + ", ".join(f"{v:04x}" for v in sorted(vendors))))

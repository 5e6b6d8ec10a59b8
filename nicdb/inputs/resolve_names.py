"""IDs from names, for lspci output printed without ``-n`` (plain ``lspci``, ``-k``, ``-v``,
``-vmm``, ``-mm``).

``lookup`` is any object with the three methods of :class:`nicdb.kb.store.KnowledgeBase`
that answer names with IDs (exact names, case-insensitive)::

    vendor_ids(name) -> list[int]
    device_ids(vendor, name) -> list[int]
    class_codes(name) -> list[int]        # 24-bit codes

and, optionally, the names other versions of pci.ids (older or newer than the installed
one) gave vendors and devices, tried when the installed names match nothing::

    other_vendor_ids(name) -> list[int]
    other_device_ids(vendor, name) -> list[int]

A header line runs the vendor and device names together ("Red Hat, Inc. Virtio 1.0
network device"); every split at a space is tried as (vendor name, device name). lspci's
own text for a device pci.ids does not name -- ``Device 1103``, or ``Unknown device
1103`` from pciutils 2.x -- gives the device ID directly. Where a name is unknown or
matches several IDs, the ID stays None and a note on the device says which name and
which candidates; a name that matches several IDs leaves them all in
``candidate_ids``, for the candidate drivers of each.
"""

from __future__ import annotations

from nicdb.model import PciDevice

_HEX = "0123456789abcdefABCDEF"


def _hex_device(name: str | None) -> int | None:
    """``Device 1103`` / ``Unknown device 1103`` -> 0x1103."""
    if not name:
        return None
    for prefix in ("Device ", "Unknown device ", "device "):
        if name.startswith(prefix):
            h = name[len(prefix):].strip()
            if len(h) == 4 and not h.strip(_HEX):
                return int(h, 16)
    return None


class _Cached:
    """Memoizes the lookups for one resolve_ids call (a fleet repeats the same names)."""

    def __init__(self, lookup):
        self.lookup = lookup
        self.v: dict[str, list[int]] = {}
        self.d: dict[tuple[int, str], list[int]] = {}
        self.c: dict[str, list[int]] = {}
        self.o: dict[str, list[int]] = {}  # vendor names of other pci.ids versions
        self.od: dict[tuple[int, str], list[int]] = {}  # and device names

    def other_vendor_ids(self, name: str) -> list[int]:
        """IDs another pci.ids version gave this vendor name (when the lookup knows any)."""
        r = self.o.get(name)
        if r is None:
            other = getattr(self.lookup, "other_vendor_ids", None)
            r = self.o[name] = sorted(set(other(name))) if other else []
        return r

    def other_device_ids(self, vendor: int, name: str) -> list[int]:
        """IDs another pci.ids version gave this device name (when the lookup knows any)."""
        key = (vendor, name)
        r = self.od.get(key)
        if r is None:
            other = getattr(self.lookup, "other_device_ids", None)
            r = self.od[key] = sorted(set(other(vendor, name))) if other else []
        return r

    def vendor_ids(self, name: str) -> list[int]:
        r = self.v.get(name)
        if r is None:
            r = self.v[name] = sorted(set(self.lookup.vendor_ids(name)))
        return r

    def device_ids(self, vendor: int, name: str) -> list[int]:
        h = _hex_device(name)
        if h is not None:
            return [h]
        key = (vendor, name)
        r = self.d.get(key)
        if r is None:
            r = self.d[key] = sorted(set(self.lookup.device_ids(vendor, name)))
        return r

    def class_codes(self, name: str) -> list[int]:
        r = self.c.get(name)
        if r is None:
            r = self.c[name] = sorted(set(self.lookup.class_codes(name)))
        return r


def _splits(text: str) -> list[tuple[str, str]]:
    """Every (vendor part, device part) split of a joined name at a space."""
    out = []
    i = text.find(" ")
    while i > 0:
        head, tail = text[:i].rstrip(), text[i + 1:].strip()
        if head and tail:
            out.append((head, tail))
        i = text.find(" ", i + 1)
    return out


def _readings(d: PciDevice, lk: _Cached) -> tuple[list[tuple[int, str | None, str | None]], bool]:
    """(vendor ID, vendor name, device name) readings of the device's names, and whether
    they rest on a vendor name only another version of pci.ids uses."""
    if d.vendor is not None:
        return [(d.vendor, d.vendor_name, d.device_name)], False
    if d.vendor_name:
        found = [(v, d.vendor_name, d.device_name) for v in lk.vendor_ids(d.vendor_name)]
        if found:
            return found, False
        return [(v, d.vendor_name, d.device_name) for v in lk.other_vendor_ids(d.vendor_name)], True
    if not d.device_name:
        return [], False
    splits = _splits(d.device_name)
    found = [(v, head, tail) for head, tail in splits for v in lk.vendor_ids(head)]
    if found:
        return found, False
    # a name from an older or newer pci.ids ("Intel Corp."): the longest such name per vendor
    longest: dict[int, tuple[int, str | None, str | None]] = {}
    for head, tail in splits:
        for v in lk.other_vendor_ids(head):
            longest[v] = (v, head, tail)
    return list(longest.values()), True


def _note(d: PciDevice, text: str) -> None:
    if text not in d.notes:  # resolving twice says it once
        d.notes.append(text)


def _fmt_ids(pairs) -> str:
    return ", ".join(f"{v:04x}:{i:04x}" for v, i in sorted(pairs))


def _resolve_class(d: PciDevice, lk: _Cached) -> None:
    codes = lk.class_codes(d.class_name)
    if len(codes) == 1:
        d.class_code = codes[0]
    elif codes:
        _note(d, f"class name {d.class_name!r} matches several class codes in pci.ids: "
                 + ", ".join(f"{c:06x}" for c in codes) + "; class left unknown")
    else:
        _note(d, f"class name {d.class_name!r} is not in pci.ids; class left unknown")


def _note_other_name(d: PciDevice, readings: list, lk: _Cached) -> None:
    """Say which vendor name came from another pci.ids version -- the one a device was
    found under, or, when none was, every candidate."""
    hits = [r for r in readings if d.device is not None or (r[2] and lk.device_ids(r[0], r[2]))] or readings
    for v, name, _ in hits:
        _note(d, f"vendor name {name!r} is not in the installed pci.ids; another pci.ids version gives it "
                 f"to {v:04x} (data/names/vendor-names-history.toml)")


def _resolve_device(d: PciDevice, lk: _Cached) -> None:
    shown = " ".join(x for x in (d.vendor_name, d.device_name) if x)
    readings, other_names = _readings(d, lk)
    if other_names:
        _note_other_name(d, readings, lk)
    if not readings:
        what = repr(d.vendor_name) if d.vendor_name else f"{shown!r}"
        _note(d, (f"no vendor in pci.ids is named {what}" if d.vendor_name else
                  f"{shown!r} starts with no vendor name pci.ids knows")
              + "; vendor and device IDs left unknown (lspci -nn prints them)")
        return
    found: dict[tuple[int, int], tuple[str | None, str | None]] = {}
    for v, vname, dname in readings:
        if d.device is not None:
            found.setdefault((v, d.device), (vname, dname))
            continue
        for i in (lk.device_ids(v, dname) if dname else []):
            found.setdefault((v, i), (vname, dname))
    where = "pci.ids"
    if not found and d.device is None:  # a device name from an older or newer pci.ids
        for v, vname, dname in readings:
            for i in (lk.other_device_ids(v, dname) if dname else []):
                found.setdefault((v, i), (vname, dname))
        if found:
            where = "other pci.ids versions (data/names/device-names-history.toml)"
    vendors = sorted({v for v, _, _ in readings})
    if len(found) == 1:
        (v, i), (vname, dname) = next(iter(found.items()))
        d.vendor, d.device, d.vendor_name, d.device_name = v, i, vname, dname
        if where != "pci.ids":
            _note(d, f"device name {dname!r} is not in the installed pci.ids; another pci.ids version gives it "
                     f"to {v:04x}:{i:04x} (data/names/device-names-history.toml)")
        return
    found_vendors = {v for v, _ in found}
    if len(found) > 1:  # the drivers of each candidate ID are what can drive it (nicdb.report)
        d.candidate_ids = sorted(found)
    certain = found_vendors if found else set(vendors)
    if len(certain) == 1:
        # the vendor is certain even where the device is not
        v = certain.pop()
        mine = [r for r in readings if r[0] == v]
        d.vendor = v
        if d.vendor_name is None and len(mine) == 1:
            d.vendor_name, d.device_name = mine[0][1], mine[0][2]
        vendors = [v]
    if len(found_vendors) > 1:
        _note(d, f"{shown!r} matches several IDs in {where}: {_fmt_ids(found)}; "
                 "vendor and device IDs left unknown (lspci -nn prints them)")
    elif found:
        names = sorted({dn for _, dn in found.values() if dn})
        _note(d, f"device name {(names[0] if len(names) == 1 else shown)!r} matches several IDs in {where}: "
                 f"{_fmt_ids(found)}; device ID left unknown (lspci -nn prints it)")
    elif len(vendors) == 1:
        dn = next((r[2] for r in readings), None) or shown
        _note(d, f"device name {dn!r} is not in pci.ids for vendor {vendors[0]:04x}; "
                 "device ID left unknown (lspci -nn prints it)")
    else:
        _note(d, f"{shown!r} could be several vendors in pci.ids ("
                 + ", ".join(f"{v:04x}" for v in vendors) + ") and names no known device there; "
                 "vendor and device IDs left unknown (lspci -nn prints them)")


def _resolve_subsystem(d: PciDevice, lk: _Cached) -> None:
    """Only the unambiguous ``VENDOR Device 1234`` form: pci.ids names few subsystems."""
    name = d.subsystem_name
    vendors: set[int] = set()
    sub = None
    for head, tail in _splits(name):
        h = _hex_device(tail)
        if h is not None:
            ids = lk.vendor_ids(head.rstrip(":"))  # pciutils 2.x: "VIA Technologies, Inc.: Unknown device 0110"
            if ids:
                vendors.update(ids)
                sub = h
    if len(vendors) == 1 and sub is not None:
        d.subsystem_vendor, d.subsystem_device = vendors.pop(), sub


def resolve_ids(devices: list[PciDevice], lookup) -> None:
    """Fill in vendor, device and class IDs (and subsystem IDs where lspci printed them
    as ``VENDOR Device 1234``) from names, in place."""
    lk = _Cached(lookup)
    for d in devices:
        if d.class_code is None and d.class_name:
            _resolve_class(d, lk)
        if (d.vendor is None or d.device is None) and (d.vendor_name or d.device_name):
            _resolve_device(d, lk)
        if d.subsystem_vendor is None and d.subsystem_device is None and d.subsystem_name:
            _resolve_subsystem(d, lk)

"""Decoding a PCI configuration-space dump (as `lspci -x`/`-xxx`/`-xxxx` print it).

The standard header gives vendor, device, revision, class and (header type 0) the
subsystem IDs; the capability list is walked to find PCI Express and read its link
capabilities and status -- which is how a revision-based guess such as "rev 0x80 and up
is the PCIe VT6130" gets cross-checked against the hardware itself.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.model import PciDevice, PciLink

SPEEDS = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0}
CAP_PCIE = 0x10


def _u16(data: bytes, off: int) -> int:
    return data[off] | (data[off + 1] << 8)


def decode_config(data: bytes, slot: str, origin: str) -> PciDevice:
    if len(data) < 64:
        raise InputError(f"{origin}: config space of {slot} has {len(data)} bytes; the header needs 64")
    vendor, device = _u16(data, 0), _u16(data, 2)
    if vendor in (0xFFFF, 0x0000):
        raise InputError(f"{origin}: config space of {slot} has no device (vendor {vendor:04x})")
    dev = PciDevice(slot=slot, vendor=vendor, device=device, revision=data[8],
                    class_code=(data[11] << 16) | (data[10] << 8) | data[9], origin=origin)
    header_type = data[0x0E] & 0x7F
    if header_type == 0:
        dev.subsystem_vendor, dev.subsystem_device = _u16(data, 0x2C), _u16(data, 0x2E)
    status = _u16(data, 6)
    if not status & 0x10:
        dev.is_pcie = False
        return dev
    ptr = data[0x34] & 0xFC
    seen: set[int] = set()
    while ptr:
        if ptr in seen or ptr < 0x40:
            return dev  # a loop or a pointer into the header: the list is broken, say nothing
        if ptr + 2 > len(data):
            return dev  # the dump stops before the list does (lspci -x): unknown
        seen.add(ptr)
        cap_id, nxt = data[ptr], data[ptr + 1] & 0xFC
        if cap_id == CAP_PCIE:
            dev.is_pcie = True
            if ptr + 0x14 <= len(data):
                lnkcap = _u16(data, ptr + 0x0C)
                lnksta = _u16(data, ptr + 0x12)
                dev.link = PciLink(SPEEDS.get(lnksta & 0xF), (lnksta >> 4) & 0x3F or None,
                                   SPEEDS.get(lnkcap & 0xF), (lnkcap >> 4) & 0x3F or None)
            return dev
        ptr = nxt
    dev.is_pcie = False
    return dev

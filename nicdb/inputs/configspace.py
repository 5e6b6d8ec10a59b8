"""Decoding a PCI configuration-space dump (the bytes ``lspci -x``/``-xxx``/``-xxxx`` print).

The standard header gives vendor, device, revision, class and (header type 0) the
subsystem IDs. When the status register says there is a capability list, the list is
walked to find the PCI Express capability and read its Link Capabilities and Link
Status -- which is how a guess from the revision ("rev 0x80 and up is the PCIe VT6130")
is checked against the hardware itself.

``is_pcie`` is True when the PCIe capability is found, False when the device has no
capability list or the whole list was read without finding it, and None when the dump
stops before the list does (``lspci -x`` shows only the first 64 bytes) or the list is
broken.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.model import PciDevice, PciLink

SPEEDS = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0}  # link speed codes, GT/s
CAP_PCIE = 0x10
_MAX_CAPS = 48  # (256 - 64) / 4: more entries than that can only be a loop


def _u16(data: bytes, off: int) -> int:
    return data[off] | (data[off + 1] << 8)


def _link(data: bytes, cap: int) -> PciLink | None:
    """Link Capabilities (cap+0x0C) and Link Status (cap+0x12) of a PCIe capability."""
    if cap + 0x14 > len(data):
        return None
    lnkcap, lnksta = _u16(data, cap + 0x0C), _u16(data, cap + 0x12)
    if not lnkcap and not lnksta:
        return None  # a root-complex integrated endpoint has no link
    return PciLink(SPEEDS.get(lnksta & 0xF), (lnksta >> 4) & 0x3F or None,
                   SPEEDS.get(lnkcap & 0xF), (lnkcap >> 4) & 0x3F or None)


def decode_config(data: bytes, slot: str, origin: str) -> PciDevice:
    """One function's config space -> a device (``origin`` names where the bytes came from)."""
    if not isinstance(data, (bytes, bytearray)):
        raise InputError(f"{origin}: config space of {slot} is not bytes")
    if len(data) < 64:
        raise InputError(f"{origin}: config space of {slot} has {len(data)} bytes; the header needs 64")
    vendor, device = _u16(data, 0), _u16(data, 2)
    if vendor in (0xFFFF, 0x0000):
        raise InputError(f"{origin}: config space of {slot} has vendor {vendor:04x}: no device there")
    dev = PciDevice(slot=slot, vendor=vendor, device=device, revision=data[8],
                    class_code=(data[11] << 16) | (data[10] << 8) | data[9], origin=origin)
    header_type = data[0x0E] & 0x7F
    sv = sd = None
    if header_type == 0:
        sv, sd = _u16(data, 0x2C), _u16(data, 0x2E)
    elif header_type == 2 and len(data) >= 0x44:  # CardBus bridge
        sv, sd = _u16(data, 0x40), _u16(data, 0x42)
    if sv is not None:
        if sv not in (0x0000, 0xFFFF) or sd not in (0x0000, 0xFFFF):
            dev.subsystem_vendor, dev.subsystem_device = sv, sd
    if not _u16(data, 0x06) & 0x10:
        dev.is_pcie = False  # no capability list, so no PCIe capability
        return dev
    ptr = data[0x14 if header_type == 2 else 0x34] & 0xFC
    seen: set[int] = set()
    while ptr:
        if ptr < 0x40 or ptr in seen or len(seen) >= _MAX_CAPS:
            return dev  # a pointer into the header, or a loop: the list is broken
        if ptr + 2 > len(data):
            return dev  # the dump stops before the list does
        seen.add(ptr)
        if data[ptr] == CAP_PCIE:
            dev.is_pcie = True
            dev.link = _link(data, ptr)
            return dev
        ptr = data[ptr + 1] & 0xFC
    dev.is_pcie = False
    return dev

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
from nicdb.model import PciDevice, PciLink, PciX

SPEEDS = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0, 6: 64.0}  # link speed codes, GT/s
CAP_PCIE = 0x10
CAP_PCIX = 0x07
STATUS_66MHZ = 0x20  # status register (0x06) bit 5: 66 MHz capable
# PCI-X secondary bus mode and frequency (bridge secondary status bits 8:6), MHz; 0 = conventional
_PCIX_BUS_MHZ = {0: 0, 1: 66, 2: 100, 3: 133}
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


def _pcix(data: bytes, cap: int, bridge: bool) -> PciX | None:
    """A PCI-X capability: a device's status (cap+4, 32 bits) or a bridge's secondary
    status (cap+2, 16 bits)."""
    if bridge:
        if cap + 4 > len(data):
            return None
        sec = _u16(data, cap + 2)
        return PciX(True, 64 if sec & 0x1 else 32, 133 if sec & 0x2 else 66, _PCIX_BUS_MHZ.get((sec >> 6) & 7))
    if cap + 8 > len(data):
        return None
    status = _u16(data, cap + 4) | (_u16(data, cap + 6) << 16)
    mhz = 533 if status & 0x80000000 else 266 if status & 0x40000000 else 133 if status & 0x20000 else 66
    return PciX(False, 64 if status & 0x10000 else 32, mhz)


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
    status = _u16(data, 0x06)
    dev.cap_66mhz = bool(status & STATUS_66MHZ)
    if header_type == 1:  # a PCI-to-PCI bridge: its secondary bus and that bus's 66 MHz bit
        dev.secondary_bus = data[0x19]
        dev.sec_66mhz = bool(_u16(data, 0x1E) & STATUS_66MHZ)
    if not status & 0x10:
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
        elif data[ptr] == CAP_PCIX:
            dev.pcix = _pcix(data, ptr, header_type == 1)
        ptr = data[ptr + 1] & 0xFC
    if dev.is_pcie is None:
        dev.is_pcie = False
    return dev


def bus_bits(data: bytes | None, dev: PciDevice) -> None:
    """Fill in what conventional PCI needs from a function's config space as sysfs gives
    it (``config``: 64 bytes unprivileged, 256 or 4096 as root): the 66 MHz bits, a
    bridge's secondary bus, the PCI-X capability. Bytes too short or not a device are
    ignored: sysfs attributes are read, never trusted."""
    if not data or len(data) < 64 or _u16(data, 0) in (0xFFFF, 0x0000):
        return
    try:
        cfg = decode_config(bytes(data), dev.slot, "")
    except InputError:
        return
    dev.cap_66mhz, dev.secondary_bus, dev.sec_66mhz = cfg.cap_66mhz, cfg.secondary_bus, cfg.sec_66mhz
    if cfg.pcix is not None:
        dev.pcix = cfg.pcix

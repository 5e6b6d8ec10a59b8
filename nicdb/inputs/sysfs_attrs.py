"""Parsing single sysfs attribute values, shared by the udev and sysfs back ends."""

from __future__ import annotations

import re

from nicdb.errors import InputError

_HEXVAL = re.compile(r"\s*(?:0x)?([0-9a-fA-F]{1,8})\s*\Z")
_SPEED = re.compile(r"\s*([0-9.]+)\s*GT/s")


def hex_attr(raw: str | bytes | None, name: str, where: str, bits: int = 16) -> int | None:
    """``'0x1af4\\n'`` -> 0x1af4. None stays None; garbage raises InputError naming the file."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    m = _HEXVAL.match(raw)
    if not m:
        raise InputError(f"{where}/{name}: {raw.strip()[:40]!r} is not a hex number")
    value = int(m.group(1), 16)
    if value >= 1 << bits:
        raise InputError(f"{where}/{name}: {raw.strip()[:40]!r} is larger than {bits} bits")
    return value


def link_speed(raw: str | bytes | None) -> float | None:
    """``'2.5 GT/s PCIe'`` -> 2.5; ``'Unknown'`` or garbage -> None."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    m = _SPEED.match(raw)
    try:
        return float(m.group(1)) if m else None
    except ValueError:
        return None


def small_int(raw: str | bytes | None) -> int | None:
    """A small decimal attribute (link width, mtu, speed); garbage or negative -> None."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    return int(raw)


def text_attr(raw: str | bytes | None) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    raw = raw.strip()
    return raw or None

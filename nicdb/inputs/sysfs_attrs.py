"""Reading and parsing single sysfs attribute values, shared by the udev and sysfs back ends."""

from __future__ import annotations

import os

from nicdb.errors import InputError

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_SPEED_CHARS = frozenset("0123456789.")


def hex_attr(raw: str | bytes | None, name: str, where: str, bits: int = 16) -> int | None:
    """``'0x1af4\\n'`` -> 0x1af4. None stays None; garbage raises InputError naming the file."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    digits = raw.strip()
    if digits[:2] == "0x":
        digits = digits[2:]
    if not 0 < len(digits) <= 8 or not _HEX_DIGITS.issuperset(digits):
        raise InputError(f"{where}/{name}: {raw.strip()[:40]!r} is not a hex number")
    value = int(digits, 16)
    if value >= 1 << bits:
        raise InputError(f"{where}/{name}: {raw.strip()[:40]!r} is larger than {bits} bits")
    return value


def link_speed(raw: str | bytes | None) -> float | None:
    """``'2.5 GT/s PCIe'`` -> 2.5; ``'Unknown'`` or garbage -> None."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    s = raw.lstrip()
    end = 0
    while end < len(s) and s[end] in _SPEED_CHARS:
        end += 1
    if end == 0 or not s[end:].lstrip().startswith("GT/s"):
        return None
    try:
        return float(s[:end])
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


def read_attr(path: str, limit: int = 4096) -> bytes | None:
    """A sysfs attribute file's bytes (None when it cannot be read). O_NONBLOCK: a FIFO in
    a hostile tree must not hang the read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)

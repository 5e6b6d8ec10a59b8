"""Parsing and formatting of PCI IDs and revision IDs as users type them.

Accepted forms follow lspci: ``1106:3119``, ``1106:3119:1106:0110`` (with subsystem),
revisions ``11``, ``0x11``, ``11h`` -- always hexadecimal.
"""

from __future__ import annotations

import re

from nicdb.errors import InputError

# Pattern texts, compiled (and cached by re) only when a command parses what a user typed.
_HEX = r"(?:0x)?([0-9a-fA-F]{1,4})\Z"
_REV = r"(?i:0x)?([0-9a-fA-F]{1,2})(?i:h)?\Z"


def parse_hex16(text: str, what: str = "ID") -> int:
    """Parse a 16-bit hex ID such as ``1106`` or ``0x1106``."""
    m = re.match(_HEX, text.strip()) if isinstance(text, str) else None
    if not m:
        raise InputError(f"malformed {what} {text!r}: expected 1-4 hex digits, e.g. 1106")
    return int(m.group(1), 16)


def parse_rev(text: str) -> int:
    """Parse a revision ID: ``11``, ``0x11`` or ``11h`` (hex, 00-ff)."""
    m = re.match(_REV, text.strip()) if isinstance(text, str) else None
    if not m:
        raise InputError(f"malformed revision {text!r}: expected a hex byte 00-ff, e.g. 11 or 0x11")
    return int(m.group(1), 16)


def parse_pci_id(text: str) -> tuple[int, int, int | None, int | None]:
    """Parse ``VENDOR:DEVICE`` or ``VENDOR:DEVICE:SUBVENDOR:SUBDEVICE`` (hex).

    Returns (vendor, device, subvendor, subdevice); the last two are None when absent.
    """
    if not isinstance(text, str):
        raise InputError(f"malformed PCI ID {text!r}: expected VENDOR:DEVICE, e.g. 1106:3119")
    raw = text.strip().strip("[]")
    parts = raw.split(":")
    if len(parts) not in (2, 4) or not all(re.match(_HEX, p) for p in parts):
        raise InputError(f"malformed PCI ID {text!r}: expected VENDOR:DEVICE in hex, e.g. 1106:3119")
    vals = [int(re.match(_HEX, p).group(1), 16) for p in parts]
    if len(vals) == 2:
        return vals[0], vals[1], None, None
    return vals[0], vals[1], vals[2], vals[3]


def parse_rev_range(text: str) -> tuple[int, int]:
    """Parse a revision range from data files: ``*``, ``11``, ``10-1f`` (inclusive)."""
    t = text.strip()
    if t == "*":
        return 0, 0xFF
    lo, sep, hi = t.partition("-")
    a = parse_rev(lo)
    b = parse_rev(hi) if sep else a
    if b < a:
        raise InputError(f"revision range {text!r} runs backwards")
    return a, b


def fmt_id(value: int | None) -> str:
    return "" if value is None else f"{value:04x}"


def fmt_rev(value: int | None) -> str:
    return "" if value is None else f"{value:02x}"


def fmt_rev_range(lo: int, hi: int) -> str:
    return f"{lo:02x}" if lo == hi else f"{lo:02x}-{hi:02x}"

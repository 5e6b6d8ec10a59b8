"""Reading the PCI ID database (pci.ids) -- the first link of the name-source chain.

pci.ids is parsed once, when the knowledge base is built, never per run: the names go
into the SQLite database (see :mod:`nicdb.kb.build`) and are read back from there.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import zlib
from pathlib import Path
from typing import Iterator, NamedTuple

from nicdb.errors import InputError

_VERSION = re.compile(r"#\s*Version:\s*(\S+)")
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")


class PciIdsRecord(NamedTuple):
    """One named entry. ``kind``: vendor, device, subsystem, class, subclass or progif
    (class codes are 24-bit: class << 16 | subclass << 8 | prog-if)."""

    kind: str
    key: tuple[int, ...]
    name: str


def _is_hex(code: str, digits: int) -> bool:
    return len(code) == digits and _HEX_DIGITS.issuperset(code)


def open_text(path: str | os.PathLike) -> str:
    """Read a (possibly gzip- or xz-compressed) pci.ids file as text."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read pci.ids file {p}: {e.strerror or e}") from None
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        elif raw[:6] == b"\xfd7zXZ\x00":
            raw = lzma.decompress(raw)
    except (OSError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise InputError(f"{p}: compressed pci.ids is corrupt ({e})") from None
    return raw.decode("utf-8", errors="replace")


def read_version(text: str) -> str | None:
    """The ``# Version: 2023.04.10`` header, or None."""
    for line in text.splitlines()[:40]:
        m = _VERSION.match(line)
        if m:
            return m.group(1)
    return None


def parse(text: str, origin: str = "pci.ids", strict: bool = True) -> Iterator[PciIdsRecord]:
    """Yield every named entry of a pci.ids text.

    A line that fits none of the shapes raises :class:`InputError` naming ``origin`` and
    the line number, so a corrupt file never silently yields wrong names. With
    ``strict=False`` such a line is passed over instead, and with it the entries below it
    (a bad vendor line's devices), which could otherwise be filed under the wrong parent:
    for reading old snapshots of pci.ids, a few of which carry merge leftovers. (This runs over
    tens of thousands of lines on every database build, so it avoids regexes and
    per-line closures.)
    """
    vendor: int | None = None
    device: int | None = None
    klass: int | None = None
    sub: int | None = None
    rec = PciIdsRecord
    is_hex = _is_hex
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line or line[0] == "#" or not line.strip():
            continue
        if line[0] != "\t":
            if line.startswith("C "):
                code, _, name = line[2:].partition(" ")
                if not is_hex(code, 2) or not name.strip():
                    if strict:
                        raise _bad(origin, lineno, line, "malformed class line")
                    klass = sub = vendor = device = None  # its subclasses are skipped too
                    continue
                klass, sub, vendor, device = int(code, 16), None, None, None
                yield rec("class", (klass << 16,), name.strip())
                continue
            code, _, name = line.partition(" ")
            if not is_hex(code, 4) or not name.strip():
                if strict:
                    raise _bad(origin, lineno, line, "malformed vendor line")
                vendor = device = klass = None  # its devices are skipped too
                continue
            vendor, device, klass = int(code, 16), None, None
            yield rec("vendor", (vendor,), name.strip())
            continue
        if line[1:2] == "\t":
            body = line[2:]
            if klass is not None:
                code, _, name = body.partition(" ")
                if sub is None or not is_hex(code, 2) or not name.strip():
                    if strict:
                        raise _bad(origin, lineno, line, "malformed programming-interface line")
                    continue
                yield rec("progif", ((klass << 16) | (sub << 8) | int(code, 16),), name.strip())
                continue
            parts = body.split(None, 2)
            if device is None or len(parts) < 3 or not is_hex(parts[0], 4) or not is_hex(parts[1], 4):
                if strict:
                    raise _bad(origin, lineno, line, "malformed subsystem line")
                continue
            yield rec("subsystem", (vendor, device, int(parts[0], 16), int(parts[1], 16)), parts[2].strip())
            continue
        code, _, name = line[1:].partition(" ")
        if klass is not None:
            if not is_hex(code, 2) or not name.strip():
                if strict:
                    raise _bad(origin, lineno, line, "malformed subclass line")
                sub = None  # its programming interfaces are skipped too
                continue
            sub = int(code, 16)
            yield rec("subclass", ((klass << 16) | (sub << 8),), name.strip())
            continue
        if vendor is None or not is_hex(code, 4) or not name.strip():
            if strict:
                raise _bad(origin, lineno, line, "malformed device line")
            device = None  # its subsystems are skipped too
            continue
        device = int(code, 16)
        yield rec("device", (vendor, device), name.strip())


def _bad(origin: str, lineno: int, line: str, why: str) -> InputError:
    return InputError(f"{origin} line {lineno}: {why}: {line[:60]!r}")


def version_key(version: str | None) -> tuple[int, ...]:
    """Comparable form of a pci.ids Version header (``2023.04.10``)."""
    if not version:
        return ()
    return tuple(int(x) for x in re.findall(r"\d+", version))

"""The registry of kernel-log line formats: per driver, the lines that tell something the
PCI ID does not, and the named facts each gives.

A :class:`Pattern` belongs to the drivers whose lines it reads (their dev_printk names:
``r8169``, ``mlx5_core``, ``rtw_8821ce``; ``ieee80211`` for wireless PHY lines whose
driver the line does not name; ``*`` for lines any driver prints through a common
function, such as the firmware loader's). It has a *needle*, plain text the message must
contain before its regular expression is tried at all, and a builder that turns a match
into facts: ``(kind, value)`` pairs, values as text (hex identifiers in lower case
without ``0x``, as :mod:`nicdb.kb` compares them). Kinds starting with ``_`` are for the
reader only (an interface name a line gives, a slot named in the text, a PCI ID from the
PCI core's enumeration) and are not kept as facts.

The groups of drivers live in one module each (:data:`GROUPS`); they are imported when a
log is read, and a pattern's expression is compiled the first time a line of one of its
drivers contains its needle, so a log of two r8169 NICs compiles r8169's and the common
patterns only.
"""

from __future__ import annotations

import importlib
import re
from typing import Callable

GROUPS = ("common", "realtek", "intel", "broadcom", "marvell", "wifi", "other")

Facts = list[tuple[str, str]]


class Pattern:
    """One line format: the ``drivers`` whose lines it reads, a ``needle`` the message must
    contain, the expression (``source``, searched in the message after its subject) and
    ``build(match) -> facts`` (or, with ``source`` None, ``build(text) -> facts`` of plain
    string tests, for lines every log has many of). ``driver`` names the driver the facts belong to when the
    line does not name one (``ieee80211`` PHY lines)."""

    __slots__ = ("drivers", "needle", "source", "build", "driver", "_re")

    def __init__(self, drivers: tuple[str, ...], needle: str, source: str | None, build: Callable,
                 driver: str | None = None):
        self.drivers, self.needle, self.source, self.build, self.driver = drivers, needle, source, build, driver
        self._re = None

    def facts(self, text: str) -> Facts:
        if self.needle not in text:
            return []
        try:
            if self.source is None:  # a parser of plain string tests, given the text
                return self.build(text)
            if self._re is None:
                self._re = re.compile(self.source)
            m = self._re.search(text)
            return [] if m is None else self.build(m)
        except (ValueError, KeyError, IndexError):  # a number too odd to normalise: no fact
            return []


PATTERNS: list[Pattern] = []


def register(drivers, needle: str, source: str | None, build: Callable,
             driver: str | None = None) -> None:
    """Add a pattern (``drivers``: one name or a tuple)."""
    PATTERNS.append(Pattern((drivers,) if isinstance(drivers, str) else tuple(drivers), needle, source, build,
                            driver))


_BY_DRIVER: dict[str, list[Pattern]] | None = None


def by_driver() -> dict[str, list[Pattern]]:
    """Every pattern, filed under each of its drivers (``*`` for any)."""
    global _BY_DRIVER
    if _BY_DRIVER is None:
        for g in GROUPS:
            importlib.import_module(f"nicdb.kernellog.{g}")
        table: dict[str, list[Pattern]] = {}
        for p in PATTERNS:
            for d in p.drivers:
                table.setdefault(d, []).append(p)
        _BY_DRIVER = table
    return _BY_DRIVER


def known_drivers() -> frozenset[str]:
    """The driver names the registry has line formats for."""
    return frozenset(d for d in by_driver() if d not in ("*", "ieee80211", "", "pci"))


# ---------------------------------------------------------------- helpers for the groups

def group(name: str, kind: str, fmt: Callable[[str], str] = str.lower):
    """A builder giving one fact from one named group of the match."""
    return lambda m: [(kind, fmt(m[name]))] if m[name] else []


def hexval(text: str) -> str:
    """A hex number as the knowledge base compares it: lower case, no ``0x``, no
    leading zeros beyond what the driver prints (``0x00340aff`` -> ``00340aff``)."""
    t = text.strip().lower()
    if t.startswith("0x"):
        t = t[2:]
    int(t, 16)  # ValueError when not hex: no fact
    return t


def bus_value(kind: str, width: int | str | None = None, mhz: int | str | None = None) -> str:
    """A host bus as a fact value: ``pci:32:33``, ``pci-x:64:133``, ``pcie``."""
    if kind == "pcie":
        return "pcie"
    return f"{kind}:{int(width)}:{int(mhz)}"


def link_value(speed: str, width: str) -> str:
    """A PCIe link as a fact value: ``2.5GT/s x1``."""
    return f"{float(speed):g}GT/s x{int(width)}"

"""A line rate from a device's name, for NICs the knowledge base has no chip row for.

pci.ids names most wired NICs by their speed ("82547GI Gigabit Ethernet Controller",
"RTL-8100/8101L/8139 PCI Fast Ethernet Adapter", "Ethernet Controller 10-Gigabit
X540-AT2", "MT27800 Family [ConnectX-5]" -- not that one). The rate read from the words
is the fastest the name claims; a name that claims none gives None. Wireless names give
none either: their PHY rates are not in their names.
"""

from __future__ import annotations

import re

_SPEED = None
_SEEN: dict[str, int | None] = {}  # a fleet repeats a few names


def rate_from_name(name: str | None) -> int | None:
    """Mb/s a device name claims (``10-Gigabit`` -> 10000, ``Gigabit`` -> 1000,
    ``Fast Ethernet`` / ``10/100`` -> 100), or None."""
    if not name:
        return None
    if name not in _SEEN:
        if len(_SEEN) > 4096:
            _SEEN.clear()
        _SEEN[name] = _rate(name)
    return _SEEN[name]


def _rate(name: str) -> int | None:
    global _SPEED
    low = name.lower()
    if "wireless" in low or "wi-fi" in low or "wifi" in low or "802.11" in low:
        return None
    if "g" not in low.replace("ing", ""):  # no G at all: no regex to compile (one-shot runs)
        return 100 if "fast ethernet" in low or "10/100" in low else None
    if _SPEED is None:
        _SPEED = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d)?)[ -]?(?:gigabit|gbe|gbit|gbps|g(?= ethernet| nic| network))")
    found = [float(m.group(1)) for m in _SPEED.finditer(low)]
    if found:
        return int(max(found) * 1000)
    if "gigabit" in low or "10/100/1000" in low or "gbe" in low:
        return 1000
    if "fast ethernet" in low or "10/100" in low:
        return 100
    return None

"""A saved kernel log read by itself: ``dmesg``, ``journalctl -k``, a syslog kern.log or
a hw-probe log (see :mod:`nicdb.kernellog`).

The PCI core's enumeration lines (``pci 0000:02:00.0: [10ec:8168] type 00 class
0x020000``) give the devices with their IDs and class -- never the revision, which no
kernel prints there -- and the drivers' lines what the PCI ID cannot tell. A log
without enumeration lines (an excerpt) still gives every device a driver names, with
its IDs unknown. ``Linux version ...`` gives the kernel the advice is for.
"""

from __future__ import annotations

import re

from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source

NAME = "kernel_log"
SHAPE = "text"

_SLOT_LINE = None
_VERSION = None
_SCAN = 5000  # lines looked at by detect()


def _slot_line():
    global _SLOT_LINE
    if _SLOT_LINE is None:
        # a driver or the PCI core speaking of a device, or a wireless PHY, after any prefix
        _SLOT_LINE = re.compile(r"(?:^|[\]:;>] ?)(?:[\w.\-]{1,32} [0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7][: ]"
                                r"|ieee80211 phy\d+: )")
    return _SLOT_LINE


def detect(src: Source) -> bool:
    """Text with lines in which a driver (or the PCI core) names a PCI device."""
    text = src.text
    if "0000:" not in text and "ieee80211 phy" not in text:
        return False
    search = _slot_line().search
    for n, line in enumerate(text.splitlines()):
        if n >= _SCAN:
            break
        if search(line):
            return True
    return False


def kernel_version(text: str) -> str | None:
    """The release in the log's ``Linux version 6.1.0-18-amd64 (...)`` line, if any."""
    global _VERSION
    i = text.find("Linux version ")
    if i < 0:
        return None
    if _VERSION is None:
        _VERSION = re.compile(r"Linux version (\d+\.\d+[\w.+~\-]*)")
    m = _VERSION.match(text, i)
    return m.group(1) if m else None


def read(src: Source, nics_only: bool = False) -> Reading:
    from nicdb.kernellog import devices_from_log

    text = src.text
    devices, summary = devices_from_log(text, src.label)
    if not devices:
        raise InputError(f"{src.label}: a kernel log that names no PCI device")
    reading = Reading(devices, src.label, kernel=kernel_version(text), method=NAME)
    reading.log = summary
    return reading

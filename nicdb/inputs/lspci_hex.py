"""`lspci -x`/`-xx`/`-xxx`/`-xxxx` config-space dumps (the shape `lspci -F` reads).

The text parser reads hex blocks wherever they appear (alone or inside `-vvvnn -x`
output); this entry point also insists that every function in the text has its dump.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.inputs.lspci_text import parse_lspci_text
from nicdb.model import PciDevice


def parse_lspci_hex(text: str, origin: str) -> list[PciDevice]:
    devices = parse_lspci_text(text, origin)
    for d in devices:
        if d.vendor is None or d.revision is None:
            raise InputError(f"{d.origin}: {d.slot} has no config-space dump")
    return devices

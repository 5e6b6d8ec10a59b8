"""Which input back end a text is for."""

from __future__ import annotations

import re

from nicdb.errors import InputError
from nicdb.model import PciDevice

_HEXLINE = re.compile(r"^[0-9a-fA-F]{2,3}:(?: [0-9a-fA-F]{2}){16}\s*$", re.MULTILINE)
_LSPCI = re.compile(r"^(?:(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\s|(?:Slot|Device):\s)",
                    re.MULTILINE)


def detect_format(text: str) -> str:
    """``nicdb-json``, ``lspci-hex``, ``lspci-text`` or ``unknown``."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return "nicdb-json"
    if _LSPCI.search(text):
        return "lspci-hex" if _HEXLINE.search(text) else "lspci-text"
    return "unknown"


def parse_text(text: str, origin: str) -> list[PciDevice]:
    fmt = detect_format(text)
    if fmt == "nicdb-json":
        from nicdb.inputs.json_doc import parse_json_text

        return parse_json_text(text, origin)
    if fmt in ("lspci-text", "lspci-hex"):
        from nicdb.inputs.lspci_text import parse_lspci_text

        return parse_lspci_text(text, origin)
    raise InputError(f"{origin}: not lspci output, an lspci -x dump or nicdb JSON")

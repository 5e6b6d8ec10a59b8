"""Which text back end a file is for: lspci hex dumps, lspci text, or nicdb JSON."""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.model import PciDevice

_HEX = "0123456789abcdefABCDEF"


def _is_config_line(line: str) -> bool:
    """``00: 86 80 29 12 ...`` (``000: `` with -xxxx) -- the first line of a config-space block."""
    n = 4 if line.startswith("00: ") else 5 if line.startswith("000: ") else 0
    if not n or len(line) < n + 47:
        return False
    parts = line[n:].split()
    return len(parts) == 16 and all(len(p) == 2 and not p.strip(_HEX) for p in parts)


def detect_format(text: str) -> str:
    """``nicdb-json``, ``lspci-hex``, ``lspci-text`` or ``unknown``."""
    stripped = text.lstrip()
    if stripped[:1] == "{":
        return "nicdb-json"
    from nicdb.inputs.lspci_text import looks_like_lspci

    if not looks_like_lspci(text):
        return "unknown"
    if "\n00: " in text or "\n000: " in text or text.startswith(("00: ", "000: ")):
        for line in text.splitlines():
            if line[:1] == "0" and _is_config_line(line.rstrip()):
                return "lspci-hex"
    return "lspci-text"


def parse_text(text: str, origin: str) -> list[PciDevice]:
    """Devices from a text of any supported format."""
    fmt = detect_format(text)
    if fmt == "nicdb-json":
        from nicdb.inputs.json_doc import parse_json_text

        return parse_json_text(text, origin)
    if fmt == "lspci-hex":
        from nicdb.inputs.lspci_hex import parse_lspci_hex

        return parse_lspci_hex(text, origin)
    if fmt == "lspci-text":
        from nicdb.inputs.lspci_text import parse_lspci_text

        return parse_lspci_text(text, origin)
    raise InputError(f"{origin}: not lspci output, an lspci -x dump or nicdb JSON "
                     "(no line starts with a PCI slot such as 00:03.0)")

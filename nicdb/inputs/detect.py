"""Which text back end a file is for: lspci hex dumps, lspci text, or nicdb JSON.

nicdb JSON is a text that starts with ``{`` or ``[`` and is JSON holding a ``"nics"`` or
``"devices"`` key -- one document, a list of them, or JSON lines (one document per host,
as ``identify --from DIR --json`` writes them, with its summary line). A text that starts
like JSON but is not such a document is ``unknown``, and :func:`parse_text` says what is
wrong with it.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.model import PciDevice

_DOC_KEYS = ("nics", "devices")


def _is_document(doc) -> bool:
    if isinstance(doc, dict):
        return any(k in doc for k in _DOC_KEYS)
    if isinstance(doc, list):
        return bool(doc) and all(isinstance(d, dict) and any(k in d for k in _DOC_KEYS) for d in doc)
    return False


def _json_problem(text: str) -> str | None:
    """None when ``text`` is nicdb JSON, else what is wrong with it as JSON."""
    import json

    try:
        doc = json.loads(text)
    except RecursionError:
        return "JSON nested too deeply"
    except json.JSONDecodeError as e:
        whole = f"not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if len(lines) < 2:
            return whole
        # JSON lines, one document per host; the fleet summary line is no host
        for ln in lines:
            try:
                doc = json.loads(ln)
            except (ValueError, RecursionError):
                return whole
            if _is_document(doc):
                return None
            if not (isinstance(doc, dict) and "summary" in doc):
                return whole
        return None
    except ValueError:  # json refuses integers of more than 4300 digits with a plain ValueError
        return "not valid JSON (a number is too long)"
    if _is_document(doc):
        return None
    return "JSON, but not a nicdb document (no \"nics\" or \"devices\" key)"


def _is_config_start(line: str, following: str) -> bool:
    """``00: 86 80 29 12 ...`` (``000: `` with -xxxx) -- the first line of a config-space
    block: sixteen two-character words, or a line ``10: ...`` after it. (Whether the
    words are hex is for the hex reader to say, naming the line.)"""
    n = 4 if line.startswith("00: ") else 5 if line.startswith("000: ") else 0
    if not n:
        return False
    parts = line[n:].split()
    if len(parts) == 16 and all(len(p) == 2 for p in parts):
        return True
    return following.lstrip().startswith("10: " if n == 4 else "010: ")


def detect_format(text: str) -> str:
    """``nicdb-json``, ``lspci-hex``, ``lspci-text`` or ``unknown``."""
    if text.lstrip()[:1] in ("{", "["):
        return "nicdb-json" if _json_problem(text) is None else "unknown"
    from nicdb.inputs.lspci_text import looks_like_lspci

    if not looks_like_lspci(text):
        return "unknown"
    if "00: " in text:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            t = line.strip()
            if t[:1] == "0" and _is_config_start(t, lines[i + 1] if i + 1 < len(lines) else ""):
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
    if text.lstrip()[:1] in ("{", "["):
        raise InputError(f"{origin}: {_json_problem(text)}")
    raise InputError(f"{origin}: not lspci output, an lspci -x dump or nicdb JSON "
                     "(no line starts with a PCI slot such as 00:03.0)")

"""``lspci -x``/``-xx``/``-xxx``/``-xxxx`` config-space dumps (the shape ``lspci -F`` reads).

Each function is a header line (any shape :mod:`nicdb.inputs.lspci_text` reads) followed
by hex lines ``00: 86 80 29 12 ...``, 16 bytes each, at offsets 00, 10, ... (up to ff, or
fff with ``-xxxx``). The bytes are decoded by :func:`nicdb.inputs.configspace.decode_config`
and win over what the text says; names, the driver and modules come from the header
and any ``-v``/``-k`` detail lines (``lspci -vvvnnk -x``).
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.inputs.configspace import decode_config
from nicdb.inputs.lspci_text import looks_like_lspci, merge_same_slot, scan
from nicdb.inputs.source import Reading, Source
from nicdb.model import PciDevice

_MAX_BYTES = 4096
_HEX = "0123456789abcdefABCDEF"


def _block_bytes(hexlines: list, origin: str) -> bytes:
    """The bytes of one block; InputError naming the line when it is not a whole dump."""
    out = bytearray()
    for lineno, body, offtext in hexlines:
        off = int(offtext, 16)
        parts = body.split()
        try:
            line_bytes = bytes.fromhex(body)  # 16 words and 16 bytes: each word is two hex digits
        except ValueError:
            line_bytes = b""
        if off == len(out) and len(parts) == 16 and len(line_bytes) == 16 and off < _MAX_BYTES:
            out += line_bytes
            continue
        where = f"{origin} line {lineno}"
        if off != len(out):
            raise InputError(f"{where}: the config-space dump skips from {len(out):02x} to {off:02x} "
                             "(lines missing or out of order)")
        if len(parts) != 16:
            raise InputError(f"{where}: config-space line stops mid-line ({len(parts)} bytes, not 16)"
                             if len(parts) < 16 else f"{where}: config-space line has {len(parts)} bytes, not 16")
        if len(line_bytes) != 16:
            bad = next((p for p in parts if len(p) != 2 or p.strip(_HEX)), body.strip())
            raise InputError(f"{where}: {bad[:8]!r} is not a hex byte")
        raise InputError(f"{where}: config space longer than {_MAX_BYTES} bytes")
    return bytes(out)


def _combine(text_dev: PciDevice, cfg: PciDevice, origin: str) -> PciDevice:
    """The decoded device, with what only the text knows (names, driver, modules)."""
    for k in ("vendor", "device"):
        t, c = getattr(text_dev, k), getattr(cfg, k)
        if t is not None and t != c:
            raise InputError(f"{origin}: the header line says {k} {t:x} but the config space says {c:x}")
    notes = list(text_dev.notes)
    if text_dev.revision is not None and text_dev.revision != cfg.revision:
        # the bytes are the device's own; a header's "(rev ..)" may have been edited by hand
        notes.append(f"{origin}: the header line says revision {text_dev.revision:02x} but the config space "
                     f"says {cfg.revision:02x}; the config space is used")
    cfg.vendor_name, cfg.device_name = text_dev.vendor_name, text_dev.device_name
    cfg.subsystem_name, cfg.class_name = text_dev.subsystem_name, text_dev.class_name
    cfg.driver, cfg.modules = text_dev.driver, text_dev.modules
    if cfg.link is None:
        cfg.link = text_dev.link
    if cfg.is_pcie is None:
        cfg.is_pcie = text_dev.is_pcie
    if cfg.pcix is None:  # a short dump (lspci -x) stops before the capability list
        cfg.pcix = text_dev.pcix
    cfg.notes = notes
    cfg.origin = text_dev.origin
    cfg.upstream = text_dev.upstream
    return cfg


def parse_lspci_hex(text: str, origin: str) -> list[PciDevice]:
    """Every function of an lspci hex dump. Functions printed without a dump (a log that
    also holds plain lspci output) are kept as the text gives them."""
    devices: list[PciDevice] = []
    for dev, hexlines in scan(text, origin, want_hex=True):
        if hexlines:
            data = _block_bytes(hexlines, origin)
            where = f"{origin} line {dev.origin.rpartition(':')[2]}"
            dev = _combine(dev, decode_config(data, dev.slot, where), where)
        devices.append(dev)
    devices = merge_same_slot(devices)
    if not devices:
        raise InputError(f"{origin}: no PCI devices found (not lspci output?)")
    return devices


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


NAME = "lspci_hex"
SHAPE = "text"


def detect(src: Source) -> bool:
    """lspci output with at least one config-space block (``00: 86 80 ...``)."""
    text = src.text
    if "00: " not in text or not looks_like_lspci(text):
        return False
    lines = text.splitlines()
    for i, line in enumerate(lines):
        t = line.strip()
        if t[:1] == "0" and _is_config_start(t, lines[i + 1] if i + 1 < len(lines) else ""):
            return True
    return False


def read(src: Source, nics_only: bool = False) -> Reading:
    return Reading(parse_lspci_hex(src.text, src.label), src.label, method=NAME)

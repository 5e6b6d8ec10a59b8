"""Reading offline inputs from files: one file (or ``-``), or a folder with one file per
host (a fleet). The format of each file is detected (see :mod:`nicdb.inputs.detect`);
a snapshot archive or a sysfs-shaped folder is read as such."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

from nicdb.errors import InputError, NicdbError
from nicdb.model import PciDevice

MAX_TEXT = 64 * 1024 * 1024
_ARCHIVE_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_HOST_SUFFIXES = (".txt", ".log", ".out", ".json", ".jsonl", ".lspci", ".gz", ".tar", ".tgz")


def decode(data: bytes, origin: str) -> str:
    if b"\x00" in data[:65536]:
        raise InputError(f"{origin}: binary data, not lspci text or nicdb JSON")
    return data.decode("utf-8", errors="replace")


def parse_any_text(text: str, origin: str) -> list[PciDevice]:
    """lspci text, lspci hex dumps or nicdb JSON, whichever ``text`` is."""
    from nicdb.inputs.detect import parse_text

    return parse_text(text, origin)


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_TEXT + 1)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None
    if len(data) > MAX_TEXT:
        raise InputError(f"{path}: larger than {MAX_TEXT // (1024 * 1024)} MiB")
    return data


def read_file(path: str | os.PathLike, nics_only: bool = False) -> list[PciDevice]:
    """Devices from one file: text (lspci, dumps, JSON) or a snapshot archive.

    ``nics_only`` lets a reader leave out devices that are certainly not NICs (class known
    and not 0x02xx) when that saves work; the others are all there, as without it. A
    broken input is an error all the same."""
    p = Path(path)
    if p.is_dir():
        if (p / "bus" / "pci" / "devices").is_dir() or (p / "nicdb-snapshot").is_dir():
            from nicdb.inputs.snapshot import read_snapshot

            return read_snapshot(p)[0]
        raise InputError(f"{p}: is a folder (give it to --from to read it as a fleet)")
    data = _read_bytes(p)
    if data.startswith(_ARCHIVE_MAGIC) or data[257:262] == b"ustar":
        from nicdb.inputs.snapshot import read_snapshot

        return read_snapshot(p)[0]
    text = decode(data, str(p))
    if nics_only and text[:6] == "Slot:\t" and "00: " not in text:  # (else it may be an lspci -x dump)
        from nicdb.inputs.lspci_text import vmm_nn_nics

        nics = vmm_nn_nics(text, str(p))
        if nics is not None:
            return nics
    return parse_any_text(text, str(p))


def read_input(src: str) -> list[PciDevice]:
    """``--from`` with one input: a file, or ``-`` for standard input."""
    if src == "-":
        data = sys.stdin.buffer.read(MAX_TEXT + 1) if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        if len(data) > MAX_TEXT:
            raise InputError(f"<stdin>: larger than {MAX_TEXT // (1024 * 1024)} MiB")
        return parse_any_text(decode(data, "<stdin>"), "<stdin>")
    if not os.path.exists(src):
        raise InputError(f"{src}: no such file or folder")
    return read_file(src)


def host_name(path: Path) -> str:
    name = path.name
    for _ in range(3):
        for suf in _HOST_SUFFIXES:
            if name.endswith(suf) and len(name) > len(suf):
                name = name[: -len(suf)]
    return name


def fleet_members(folder: str | os.PathLike) -> list[str]:
    """The names of the per-host inputs of a fleet folder (files and sysfs folders, hidden
    ones skipped), sorted. Names only -- a path object per host would cost several times
    the memory on a fleet of a million hosts."""
    try:
        return sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except OSError as e:
        raise InputError(f"cannot list {folder}: {e.strerror or e}") from None


def iter_fleet(folder: str | os.PathLike,
               nics_only: bool = False) -> Iterator[tuple[str, Path, list[PciDevice] | None, str | None]]:
    """``(host, path, devices, error)`` per member, one at a time (memory stays flat).
    ``nics_only``: as for :func:`read_file`."""
    base = Path(folder)
    for name in fleet_members(folder):
        path = base / name
        try:
            yield host_name(path), path, read_file(path, nics_only), None
        except NicdbError as e:
            yield host_name(path), path, None, str(e)

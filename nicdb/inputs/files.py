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


def is_sysfs_tree(path: str | os.PathLike) -> bool:
    """A folder shaped like /sys (or an unpacked ``nicdb snapshot``)."""
    return os.path.isdir(os.path.join(path, "bus", "pci", "devices")) or os.path.isdir(
        os.path.join(path, "nicdb-snapshot"))


def read_file(path: str | os.PathLike, nics_only: bool = False) -> list[PciDevice]:
    """Devices from one file: text (lspci, dumps, JSON) or a snapshot archive.

    ``nics_only`` lets a reader leave out devices that are certainly not NICs (class known
    and not 0x02xx) when that saves work; the others are all there, as without it. A
    broken input is an error all the same."""
    p = Path(path)
    if p.is_dir():
        if is_sysfs_tree(p):
            from nicdb.inputs.snapshot import read_snapshot

            return read_snapshot(p)[0]
        raise InputError(f"{p}: a folder that is not a sysfs tree or snapshot "
                         f"(nicdb identify --from FOLDER reads a folder of per-host files as a fleet)")
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


class FleetListing:
    """The members of a fleet folder: per-host inputs (files and sysfs trees), sorted, and
    the other folders in it, which are not hosts and are skipped."""
    __slots__ = ("members", "skipped")

    def __init__(self, members: list[str], skipped: list[str]) -> None:
        self.members = members
        self.skipped = skipped


def fleet_members(folder: str | os.PathLike) -> FleetListing:
    """The per-host inputs of a fleet folder, by name (hidden ones left out), sorted.
    Names only -- a path object per host would cost several times the memory on a fleet
    of a million hosts. A folder is a member only if it is a sysfs tree or snapshot."""
    members: list[str] = []
    skipped: list[str] = []
    try:
        with os.scandir(folder) as it:
            for e in it:
                n = e.name
                if n.startswith("."):
                    continue
                try:
                    is_dir = e.is_dir()
                except OSError:
                    is_dir = False  # reading it says what is wrong
                if is_dir and not is_sysfs_tree(e.path):
                    skipped.append(n)
                else:
                    members.append(n)
    except OSError as e:
        raise InputError(f"cannot list {folder}: {e.strerror or e}") from None
    members.sort()
    skipped.sort()
    return FleetListing(members, skipped)


def iter_fleet(folder: str | os.PathLike, nics_only: bool = False,
               members: list[str] | None = None) -> Iterator[tuple[str, Path, list[PciDevice] | None, str | None]]:
    """``(host, path, devices, error)`` per member, one at a time (memory stays flat).
    ``nics_only``: as for :func:`read_file`; ``members``: the names from
    :func:`fleet_members`, when the caller has listed the folder already."""
    base = Path(folder)
    for name in fleet_members(folder).members if members is None else members:
        path = base / name
        try:
            yield host_name(path), path, read_file(path, nics_only), None
        except NicdbError as e:
            yield host_name(path), path, None, str(e)

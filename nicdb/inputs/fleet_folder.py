"""A fleet folder: one input per host (a file of any format nicdb reads, a snapshot, or
a sysfs tree), listed by name and read one host at a time through the access methods
(:func:`nicdb.inputs.read_path`), so memory stays flat however many hosts there are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from nicdb.errors import InputError, NicdbError
from nicdb.inputs import method, read_path
from nicdb.inputs.source import Reading, Source
from nicdb.model import PciDevice

_HOST_SUFFIXES = (".txt", ".log", ".out", ".json", ".jsonl", ".lspci", ".gz", ".tar", ".tgz")


def is_sysfs_tree(path: str | os.PathLike) -> bool:
    """A folder that is one host's input (a sysfs tree or an unpacked snapshot), not a fleet."""
    src = Source(os.fspath(path))
    return any(method(name).detect(src) for name in ("snapshot", "sysfs"))


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


def read_member(base: str | os.PathLike, name: str,
                nics_only: bool = False) -> tuple[str, Path, Reading | None, str | None]:
    """``(host, path, reading, error)`` of one member of a fleet folder: its whole
    :class:`~nicdb.inputs.Reading` (a snapshot's also says which firmware files its host
    has), or None and the one-line error that made it unreadable."""
    path = Path(base) / name
    try:
        return host_name(path), path, read_path(str(path), nics_only), None
    except NicdbError as e:
        return host_name(path), path, None, str(e)


def iter_fleet(folder: str | os.PathLike, nics_only: bool = False,
               members: list[str] | None = None) -> Iterator[tuple[str, Path, list[PciDevice] | None, str | None]]:
    """``(host, path, devices, error)`` per member, one at a time (memory stays flat).
    ``nics_only``: as for :func:`nicdb.inputs.read`; ``members``: the names from
    :func:`fleet_members`, when the caller has listed the folder already."""
    for host, path, reading, err in iter_fleet_readings(folder, nics_only, members):
        yield host, path, None if reading is None else reading.devices, err


def iter_fleet_readings(folder: str | os.PathLike, nics_only: bool = False,
                        members: list[str] | None = None) -> Iterator[tuple[str, Path, Reading | None, str | None]]:
    """:func:`read_member` of each member: :func:`iter_fleet` with each host's whole
    :class:`~nicdb.inputs.Reading`."""
    for name in fleet_members(folder).members if members is None else members:
        yield read_member(folder, name, nics_only)

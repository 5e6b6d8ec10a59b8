"""One measured run, as every tool's parser yields it, and the reading of a results file
by whichever parser recognises it."""

from __future__ import annotations

import math

from nicdb.errors import InputError
from nicdb.model import Record

MAX_MBPS = 1e8  # 100 Tb/s: anything above is not a measurement


class Run(Record):
    """One direction of one run. ``direction``: tx (the machine the file was written on
    sent) or rx (it received); ``cpu_local``/``cpu_peer`` in whole percent; ``where``:
    file and line or document it came from."""

    __slots__ = ("tool", "direction", "mbps", "retransmits", "cpu_local", "cpu_peer", "duration_s", "mtu", "mss",
                 "peer", "local_address", "when", "where")

    def __init__(self, tool: str, direction: str, mbps: float, *, retransmits: int | None = None,
                 cpu_local: int | None = None, cpu_peer: int | None = None, duration_s: float | None = None,
                 mtu: int | None = None, mss: int | None = None, peer: str | None = None,
                 local_address: str | None = None, when: str | None = None, where: str = ""):
        self.tool, self.direction, self.mbps = tool, direction, mbps
        self.retransmits, self.cpu_local, self.cpu_peer = retransmits, cpu_local, cpu_peer
        self.duration_s, self.mtu, self.mss = duration_s, mtu, mss
        self.peer, self.local_address, self.when, self.where = peer, local_address, when, where


def finite(x, what: str, where: str, top: float = MAX_MBPS) -> float:
    """``x`` as a float that is a plausible non-negative figure; InputError naming it otherwise."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or not 0 <= x <= top:
        raise InputError(f"{where}: {what} {x!r} is not a plausible figure")
    return float(x)


def pct(x) -> int | None:
    """A CPU share as whole percent (None when not a number)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0:
        return None
    return min(100, int(round(x)))


def read_text(text: str, label: str, direction: str | None = None) -> list[Run]:
    """The runs in one results file's ``text``: iperf3 ``--json`` output (one document or
    several written one after another) or nuttcp output (plain or ``-fparse``, brief or
    ``-v``, with or without the command lines around it). ``direction`` says which way
    the data went where nuttcp's text does not."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise InputError(f"{label}: empty file")
    if body[0] == "{":
        from nicdb.evidence import iperf3

        return iperf3.parse(body, label)
    from nicdb.evidence import nuttcp

    if nuttcp.detect(body):
        return nuttcp.parse(body, label, direction)
    if body[0] == "[":
        raise InputError(f"{label}: a JSON array is not iperf3 --json output (a document starts with '{{')")
    raise InputError(f"{label}: neither iperf3 --json output nor nuttcp output (no result line found)")


def read_file(path: str, direction: str | None = None) -> list[Run]:
    """:func:`read_text` of the file at ``path`` (at most 64 MiB)."""
    import os

    try:
        if os.path.isdir(path):
            raise InputError(f"{path}: is a folder, not a results file")
        with open(path, "rb") as f:
            raw = f.read((64 << 20) + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(raw) > 64 << 20:
        raise InputError(f"{path}: larger than 64 MiB: not a results file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not text (not UTF-8): not a results file") from None
    if "\0" in text:
        raise InputError(f"{path}: holds NUL bytes: not a results file")
    return read_text(text, path, direction)

"""What an access method reads (:class:`Source`) and what it gives back (:class:`Reading`).

A source is the live system, a folder (a sysfs tree, an unpacked snapshot), or a file
(an archive, or a text: lspci output, a config-space dump, nicdb JSON, a kernel log) --
or standard input. Its bytes and text are read once, on first use, with a size limit,
so that every method's ``detect`` can look at them without reading the file again.
"""

from __future__ import annotations

import os
import sys

from nicdb.errors import InputError
from nicdb.model import Record

MAX_TEXT = 64 * 1024 * 1024
_UNREAD = object()


class Source:
    """One input: ``live``, a path, or ``-`` (standard input). ``label`` names it in
    messages and in ``origin`` fields."""

    __slots__ = ("path", "label", "live", "_data", "_text")

    def __init__(self, path: str | None, label: str | None = None, *, live: bool = False,
                 text: str | None = None) -> None:
        self.path = path
        self.live = live
        self.label = label or ("udev" if live else "<stdin>" if path == "-" else str(path))
        self._data = _UNREAD
        self._text = _UNREAD if text is None else text

    @classmethod
    def of_text(cls, text: str, label: str) -> "Source":
        """A text already in memory (a test, a fuzzer, a pasted buffer)."""
        return cls(None, label, text=text)

    @property
    def is_dir(self) -> bool:
        # os.path, not pathlib: pathlib raises on a name that is too long (ENAMETOOLONG)
        return self.path not in (None, "-") and os.path.isdir(self.path)

    @property
    def data(self) -> bytes:
        """The file's bytes (at most :data:`MAX_TEXT`; more is an error)."""
        if self._data is _UNREAD:
            if self._text is not _UNREAD:
                self._data = self._text.encode("utf-8", "surrogateescape")
            elif self.path == "-":
                stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
                self._data = stdin.read(MAX_TEXT + 1) if stdin else sys.stdin.read().encode()
            else:
                self._data = _read_bytes(self.path)
            if len(self._data) > MAX_TEXT:
                raise InputError(f"{self.label}: larger than {MAX_TEXT // (1024 * 1024)} MiB")
        return self._data

    @property
    def text(self) -> str:
        """The bytes as text (UTF-8, undecodable bytes replaced); binary data is an error."""
        if self._text is _UNREAD:
            data = self.data
            if b"\x00" in data[:65536]:
                raise InputError(f"{self.label}: binary data, not lspci text or nicdb JSON")
            self._text = data.decode("utf-8", errors="replace")
        return self._text


def _read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_TEXT + 1)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder") from None
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or e}") from None


class Reading(Record):
    """What an access method read: the devices, and what it knows of the machine they are
    on (``kernel``: the kernel release the machine ran, when the input says; ``host``;
    ``live``: the running system, whose kernel and files nicdb may consult; ``system``:
    the host's firmware files and os-release as recorded with the input -- a
    :class:`nicdb.inputs.host.HostSystem`, None when the input says nothing of them)."""

    __slots__ = ("devices", "label", "live", "kernel", "host", "method", "system", "log_text", "log", "notes")

    def __init__(self, devices: list, label: str, *, live: bool = False, kernel: str | None = None,
                 host: str | None = None, method: str = "", system=None, log_text: str | None = None) -> None:
        self.devices = devices
        self.label = label
        self.live = live
        self.kernel = kernel
        self.host = host
        self.method = method
        self.system = system
        # the kernel log that came with the input (a snapshot's), not yet read
        self.log_text = log_text
        self.log = None  # nicdb.kernellog.LogSummary once a log was read for these devices
        self.notes: list[str] = []  # what the reading wants said once (not per device)

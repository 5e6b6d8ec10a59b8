"""Access methods: interchangeable back ends that all yield :class:`nicdb.model.PciDevice`.

Like pciutils' method table (``lib/internal.h``, ``struct pci_methods``), every way of
reading a machine is one module with the same entry points:

- ``NAME`` -- the method's name, ``SHAPE`` -- what it reads: ``live``, ``folder``,
  ``archive`` or ``text``;
- ``detect(source) -> bool`` -- whether the :class:`~nicdb.inputs.source.Source` is its kind;
  optionally ``near_miss(source) -> str | None`` -- what is wrong with an input that looks
  like its kind but is not (said when no method reads it);
- ``read(source, nics_only=False) -> Reading`` -- the devices and what the input says of
  the machine (kernel, host). ``nics_only`` lets a method leave out functions that are
  certainly not NICs when that saves work (how is the method's own business: the live
  method reads only the candidates in full, the lspci reader has a fast path for fleets
  of ``-vmmnn`` files); every function that may be a NIC is still there.

:data:`METHODS` lists them in the order they are tried; :func:`read` is the one place
that dispatches. Name-only inputs (plain lspci) get their IDs from the names afterwards
(:func:`resolve_missing_ids`), once the knowledge base is open.
"""

from __future__ import annotations

import importlib
import os

from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source

__all__ = ["METHODS", "Reading", "Source", "detect", "method", "read", "read_live", "read_path", "read_text",
           "resolve_missing_ids", "with_kernel_log"]

# The method table, in the order detection tries them (most specific first).
METHODS: tuple[str, ...] = (
    "udev",        # the live system, enumerated with pyudev
    "snapshot",    # nicdb snapshot archives (and unpacked snapshots)
    "sysfs",       # a sysfs-shaped folder: /sys, a fixture
    "json_doc",    # nicdb's own --json output, and fleet JSON lines
    "lspci_hex",   # lspci -x/-xx/-xxx/-xxxx config-space dumps
    "lspci_text",  # pasted lspci output in every common shape (pciutils and BusyBox)
    "kernel_log",  # a saved kernel log alone: dmesg, journalctl -k, kern.log, hw-probe
)


def method(name: str):
    """The module of access method ``name`` (imported on first use)."""
    if name not in METHODS:
        raise KeyError(name)
    return importlib.import_module(f"nicdb.inputs.{name}")


class _PausedGC:
    """Pause the cyclic garbage collector while a big text is parsed: hundreds of
    thousands of new records would otherwise set off full collections over and over
    (parsing makes no cycles)."""

    def __init__(self, size: int) -> None:
        self.gc = None
        if size > 1 << 20:  # (gc is imported only then: a one-shot run need not load it)
            import gc

            if gc.isenabled():
                self.gc = gc

    def __enter__(self):
        if self.gc is not None:
            self.gc.disable()

    def __exit__(self, *exc):
        if self.gc is not None:
            self.gc.enable()
        return False


def detect(src: Source, only: tuple[str, ...] | None = None) -> str | None:
    """The name of the first method of :data:`METHODS` (or of ``only``) that reads ``src``.
    Only methods of the source's shape are asked: the live method for the live system,
    folder methods (and archives, which may be unpacked) for a folder, archive and text
    methods for a file."""
    shapes = _shapes(src)
    for name in only or METHODS:
        m = method(name)
        if m.SHAPE in shapes and m.detect(src):
            return name
    return None


def _shapes(src: Source) -> tuple[str, ...]:
    if src.live:
        return ("live",)
    if src.is_dir:
        return ("folder", "archive")
    return ("archive", "text")


def read(src: Source, nics_only: bool = False, only: tuple[str, ...] | None = None) -> Reading:
    """Read ``src`` with the first method of :data:`METHODS` (or of ``only``) that detects
    it. When none does and ``only`` is given, its first method reads anyway, so that the
    error names what is wrong with the input as that kind of input; otherwise a method
    whose kind of input it nearly is (JSON that is no nicdb document) says what is wrong."""
    name = detect(src, only)
    if name is not None:
        return _read_with(method(name), src, nics_only)
    if only:
        return _read_with(method(only[0]), src, nics_only)
    for name in METHODS:
        if method(name).SHAPE not in _shapes(src):
            continue
        near_miss = getattr(method(name), "near_miss", None)
        why = near_miss(src) if near_miss is not None else None
        if why:
            raise InputError(f"{src.label}: {why}")
    if src.is_dir:
        raise InputError(f"{src.label}: a folder that is not a sysfs tree or snapshot "
                         "(nicdb identify --from FOLDER reads a folder of per-host files as a fleet)")
    raise InputError(f"{src.label}: not lspci output, an lspci -x dump, nicdb JSON or a kernel log "
                     "(no line starts with a PCI slot such as 00:03.0, and no driver names one)")


def _read_with(m, src: Source, nics_only: bool) -> Reading:
    if m.SHAPE != "text":
        return m.read(src, nics_only)
    with _PausedGC(len(src.text)):
        return m.read(src, nics_only)


def read_live(nics_only: bool = False) -> Reading:
    """This machine."""
    return read(Source(None, live=True), nics_only, only=("udev",))


def read_path(path: str, nics_only: bool = False, *, sysfs_only: bool = False) -> Reading:
    """A file, an archive or a folder (``-``: standard input). ``sysfs_only``: only a sysfs
    folder or a snapshot will do (``--sysfs``)."""
    if path != "-" and not os.path.lexists(path):
        raise InputError(f"{path}: no such file or folder")
    return read(Source(path), nics_only, only=("snapshot", "sysfs") if sysfs_only else None)


def read_text(text: str, label: str, nics_only: bool = False) -> Reading:
    """A text in memory, whatever text format it is."""
    return read(Source.of_text(text, label), nics_only)


def resolve_missing_ids(devices: list, lookup) -> None:
    """Name-only input (plain lspci): vendor, device and class IDs from the names, in place,
    before anything is looked up -- when some device lacks one (see
    :func:`nicdb.inputs.resolve_names.resolve_ids`; imported only then)."""
    if any(d.vendor is None or d.device is None or d.class_code is None for d in devices):
        from nicdb.inputs.resolve_names import resolve_ids

        resolve_ids(devices, lookup)


def with_kernel_log(reading: Reading, dmesg: str | None = None) -> Reading:
    """Attach what a kernel log says to the reading's devices: the file ``dmesg``
    (``--dmesg FILE``, ``-`` for standard input), else the log that came with the input (a
    snapshot's), else -- for this machine -- the running kernel's, from /dev/kmsg or the
    journal; when that is not readable the reading gets a note saying so. A reading that
    is a log itself has read it already."""
    text, source = None, None
    if dmesg is not None:
        if dmesg != "-" and not os.path.lexists(dmesg):
            raise InputError(f"{dmesg}: no such file")
        src = Source(dmesg)
        if src.is_dir:
            raise InputError(f"{dmesg}: is a folder, not a kernel log")
        text, source = src.text, src.label
    elif reading.log_text is not None:
        text, source = reading.log_text, f"{reading.label} (its kernel log)"
    elif reading.live:
        from nicdb.kernellog.live import read_live as read_live_log

        text, source = read_live_log()
        if text is None:
            reading.notes.append(source)
            return reading
    if text is None:
        return reading
    from nicdb.kernellog import attach

    reading.log = attach(reading.devices, text, source)
    if reading.kernel is None and dmesg is not None:
        from nicdb.inputs.kernel_log import kernel_version

        reading.kernel = kernel_version(text)
    return reading

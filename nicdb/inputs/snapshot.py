"""nicdb snapshot archives: exactly the sysfs attributes nicdb reads, as plain files.

``nicdb snapshot OUT`` writes a gzip'd tar of ``nicdb-snapshot/`` holding
``bus/pci/devices/<slot>/<attr>`` (drivers as files holding the name, never links; config
space; the bridges above the function in ``nicdb_upstream``), each function's network
interfaces below it as sysfs has them, ``kernel-log.txt`` -- the kernel-log lines that
speak of a PCI device, a network driver or a wireless PHY, at most :data:`MAX_LOG`
bytes -- and ``meta.json`` (host, kernel, date, nicdb version, where the log came from,
and what the firmware check needs: the host's os-release and, for the firmware files its
NICs' drivers may request, where the kernel's search path has each or that it has none).
Reading one back extracts only regular files and
folders with safe relative names into a private temporary folder: an archive can never
write outside it, and since no link is ever created nothing can point out of it.
"""

from __future__ import annotations

import io
import json
import lzma
import os
import platform
import tarfile
import tempfile
import time
import zlib
from pathlib import Path

from nicdb import __version__
from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source
from nicdb.inputs.sysfs import (BINARY_ATTRS, NET_ATTRS, PCI_ATTRS, SLOT_RE, UPSTREAM_FILE, _driver, net_dirs, read_tree,
                                upstream_of)

TOP = "nicdb-snapshot"
MAX_MEMBER = 64 * 1024
MAX_TOTAL = 64 * 1024 * 1024
MAX_MEMBERS = 200_000
MAX_DEPTH = 16  # bus/pci/devices/<slot>/<child>/net/<iface>/<attr> is 8
MAX_LOG = 1024 * 1024  # bytes of kernel log a snapshot keeps (well under MAX_TOTAL)
LOG_FILE = "kernel-log.txt"


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(f"{TOP}/{name}")
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _read_small(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_MEMBER)
    except OSError:
        return None


def _add_dir(tar: tarfile.TarFile, src: str, name: str, attrs: tuple, driver: str | None, mtime: float) -> None:
    """The attributes of one sysfs folder, and its driver as a file holding the name."""
    for attr in attrs:
        data = _read_small(os.path.join(src, attr))
        if data is not None:
            _add(tar, f"{name}/{attr}", data, mtime)
    if driver:
        _add(tar, f"{name}/driver", (driver + "\n").encode(), mtime)


def log_excerpt(text: str, drivers: set[str]) -> tuple[str, int, bool]:
    """The lines of a kernel log a snapshot keeps: those naming a PCI slot, a wireless
    PHY, one of ``drivers`` or a driver nicdb reads, and the ``Linux version`` line --
    plain substring tests, in order, cut at :data:`MAX_LOG` bytes. Returns (text, lines
    kept, whether it was cut)."""
    from nicdb.kernellog.registry import known_drivers

    needles = {f"{d}:" for d in drivers | known_drivers()} | {f"{d} " for d in drivers}
    needles |= {"0000:", "ieee80211 phy", "Linux version ", "NETDEV WATCHDOG", "firmware"}
    out: list[str] = []
    size, cut = 0, False
    for line in text.splitlines():
        if any(n in line for n in needles):
            size += len(line.encode("utf-8", "replace")) + 1
            if size > MAX_LOG:
                cut = True
                break
            out.append(line)
    return "\n".join(out) + ("\n" if out else ""), len(out), cut


def write_snapshot(out: str | os.PathLike, sys_root: str = "/sys", log: str | None = None,
                   extra: dict | None = None) -> dict:
    """Write a snapshot of ``sys_root`` to ``out``, with the kernel log's lines about its
    devices (``log``: a saved log's path; default: this machine's when readable, and only
    when ``sys_root`` is the live /sys). Returns its meta data. ``extra`` goes into
    meta.json too: what the host says besides sysfs (``firmware``: which of its NIC
    drivers' firmware files it has, and ``os_release``; see
    :func:`nicdb.inputs.host.recorded_system`)."""
    base = os.path.join(sys_root, "bus", "pci", "devices")
    if not os.path.isdir(base):
        raise InputError(f"{sys_root}: not a sysfs tree (no bus/pci/devices folder)")
    now = time.time()
    meta = {"nicdb": __version__, "host": platform.node(), "kernel": platform.release(),
            "machine": platform.machine(), "taken": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
            "functions": 0, "interfaces": 0, **(extra or {})}
    log_text, log_source = None, None
    if log is not None:
        from nicdb.inputs.source import Source

        if log != "-" and not os.path.isfile(log):
            raise InputError(f"{log}: no such file")
        log_text, log_source = Source(log).text, log
    elif os.path.realpath(sys_root) == "/sys":
        from nicdb.kernellog.live import read_live

        log_text, log_source = read_live()
        if log_text is None:
            meta["kernel_log_note"] = log_source
            log_source = None
    drivers: set[str] = set()
    out = Path(out)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tarfile.open(tmp, "w:gz") as tar:
            for slot in sorted(os.listdir(base)):
                if not SLOT_RE.match(slot):
                    continue
                fdir = os.path.join(base, slot)
                meta["functions"] += 1
                drv = _driver(os.path.join(fdir, "driver"))
                if drv:
                    drivers.add(drv)
                _add_dir(tar, fdir, f"bus/pci/devices/{slot}", PCI_ATTRS + BINARY_ATTRS, drv, now)
                up = upstream_of(fdir) if os.path.islink(fdir) else []
                if up:
                    _add(tar, f"bus/pci/devices/{slot}/{UPSTREAM_FILE}", ("\n".join(up) + "\n").encode(), now)
                for ndir in net_dirs(fdir):
                    meta["interfaces"] += 1
                    ndrv = _driver(os.path.join(ndir, "device", "driver")) or _driver(os.path.join(ndir, "driver"))
                    _add_dir(tar, ndir, f"bus/pci/devices/{slot}/{os.path.relpath(ndir, fdir)}", NET_ATTRS, ndrv, now)
            if log_text is not None:
                excerpt, kept, cut = log_excerpt(log_text, drivers)
                meta["kernel_log"] = {"source": log_source, "lines": kept, "truncated": cut}
                _add(tar, LOG_FILE, excerpt.encode("utf-8", "replace"), now)
            _add(tar, "meta.json", json.dumps(meta, indent=2).encode(), now)
        os.replace(tmp, out)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write snapshot {out}: {e.strerror or e}") from None
    return meta


def _safe_name(name: str) -> str | None:
    """The member's path below TOP, or None when it is not a safe relative name."""
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or parts[0] != TOP or any(p == ".." for p in parts) or len(parts) > MAX_DEPTH:
        return None
    return "/".join(parts[1:])


def extract_snapshot(archive: str | os.PathLike, dest: str) -> dict:
    """Extract a snapshot into ``dest`` (an empty folder). Returns its meta data."""
    total = 0
    meta: dict = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for count, m in enumerate(tar, 1):
                if count > MAX_MEMBERS:
                    raise InputError(f"{archive}: too many members for a nicdb snapshot")
                rel = _safe_name(m.name)
                if rel is None:
                    raise InputError(f"{archive}: refusing member {m.name[:80]!r}: not a safe path inside {TOP}/")
                if m.isdir():
                    if rel:
                        os.makedirs(os.path.join(dest, rel), exist_ok=True)
                    continue
                if not m.isfile():
                    raise InputError(f"{archive}: refusing member {m.name[:80]!r}: only regular files are allowed")
                if m.size > (MAX_LOG if rel == LOG_FILE else MAX_MEMBER):
                    raise InputError(f"{archive}: member {m.name[:80]!r} is too large for a sysfs attribute")
                total += m.size
                if total > MAX_TOTAL:
                    raise InputError(f"{archive}: archive is too large for a nicdb snapshot")
                f = tar.extractfile(m)
                data = f.read() if f else b""
                if rel == "meta.json":
                    try:
                        meta = json.loads(data)
                    except (ValueError, RecursionError):
                        raise InputError(f"{archive}: meta.json is not valid JSON") from None
                    if not isinstance(meta, dict):
                        raise InputError(f"{archive}: meta.json is not an object")
                    continue
                target = os.path.join(dest, rel)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, ValueError) as e:  # ValueError: tarfile
        # on malformed numbers in pax/sparse headers
        why = str(e)
        if "\n" in why:  # tarfile's "r:*" lists each method it tried on a line of its own
            why = "not a tar archive, plain or compressed with gzip, bzip2 or xz"
        raise InputError(f"{archive}: not a readable snapshot archive ({why})") from None
    except FileExistsError as e:
        name = os.path.relpath(e.filename, dest) if e.filename else "?"
        raise InputError(f"{archive}: member {TOP + '/' + name!r} appears twice") from None
    except OSError as e:
        raise InputError(f"{archive}: cannot extract ({e.strerror or e})") from None
    return meta


_ARCHIVE_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")

NAME = "snapshot"
SHAPE = "archive"


def _unpacked(path: str) -> str | None:
    """The snapshot folder inside an unpacked snapshot (``DIR/nicdb-snapshot`` or ``DIR``
    itself when it holds ``meta.json`` beside ``bus/``), else None."""
    if os.path.isdir(os.path.join(path, TOP)):
        return os.path.join(path, TOP)
    if os.path.isfile(os.path.join(path, "meta.json")) and os.path.isdir(os.path.join(path, "bus", "pci", "devices")):
        return path
    return None


def detect(src: Source) -> bool:
    if src.live or src.path is None:
        return False
    if src.is_dir:
        return _unpacked(src.path) is not None
    head = src.data[:262]
    return head.startswith(_ARCHIVE_MAGIC) or head[257:262] == b"ustar"


def read(src: Source, nics_only: bool = False) -> Reading:
    from nicdb.inputs.host import recorded_system

    devices, meta = read_snapshot(src.path)
    kernel, host = meta.get("kernel"), meta.get("host")
    reading = Reading(devices, src.label, kernel=kernel if isinstance(kernel, str) else None,
                      host=host if isinstance(host, str) else None, method=NAME,
                      system=recorded_system(meta, f"snapshot:{src.label}"), log_text=meta.get("_log_text"))
    note = meta.get("kernel_log_note")
    if isinstance(note, str) and reading.log_text is None:
        reading.notes.append(f"when the snapshot was taken, {note}")
    return reading


def _log_of(folder: str) -> str | None:
    try:
        with open(os.path.join(folder, LOG_FILE), "rb") as f:
            return f.read(MAX_LOG).decode("utf-8", "replace")
    except OSError:
        return None


def read_snapshot(path: str | os.PathLike) -> tuple[list, dict]:
    """Devices and meta data from a snapshot archive, or from a sysfs-shaped folder (the
    kernel log it keeps, if any, is in the meta data as ``_log_text``)."""
    p = Path(path)
    # os.path, not Path.is_dir(): pathlib raises on a name that is too long (ENAMETOOLONG)
    if os.path.isdir(p):
        inner = Path(_unpacked(str(p)) or p)
        meta = {}
        if os.path.isfile(inner / "meta.json"):
            try:
                meta = json.loads((inner / "meta.json").read_text())
            except (ValueError, OSError, RecursionError):
                raise InputError(f"{inner}/meta.json is not valid JSON") from None
        meta = meta if isinstance(meta, dict) else {}
        log = _log_of(str(inner))
        if log is not None:
            meta["_log_text"] = log
        return read_tree(inner, origin=f"sysfs:{p}"), meta
    if not os.path.exists(p):
        raise InputError(f"{p}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="nicdb-snap-") as tmp:
        meta = extract_snapshot(p, tmp)
        if not os.path.isdir(os.path.join(tmp, "bus", "pci", "devices")):
            raise InputError(f"{p}: snapshot has no bus/pci/devices (truncated?)")
        log = _log_of(tmp)
        if log is not None:
            meta["_log_text"] = log
        return read_tree(tmp, origin=f"snapshot:{p}"), meta

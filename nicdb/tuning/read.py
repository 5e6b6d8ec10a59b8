"""Read the settings that decide how fast one interface can move TCP data.

Everything is read from files under a root directory -- ``/`` for this host, or a
copied tree (``proc/sys/net/...`` and ``sys/class/net/IFACE/...``) for another one.
ethtool is only run for the live host (``root == "/"``); its ``-c``/``-g`` text is
parsed by the pure functions :func:`parse_ethtool_coalesce` and
:func:`parse_ethtool_rings`.

A single unreadable or nonsensical file never stops the read: its field stays None
and :attr:`Settings.problems` gets one line naming the file. Only a missing interface
is an error.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from nicdb.errors import InputError

NOTE_NO_ETHTOOL = "ethtool is not installed"
NOTE_COALESCE_UNSUPPORTED = "the driver does not support interrupt coalescing settings"
NOTE_RINGS_UNSUPPORTED = "the driver does not support ring size settings"

_MAX_READ = 4096
_INT = re.compile(r"[+-]?\d{1,20}\Z")
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*\Z")
# ethtool prints speed -1 when unknown; older kernels exposed the unsigned 32-bit form.
_SPEED_UNKNOWN = {-1, 0, 0xFFFFFFFF}


@dataclass
class Settings:
    iface: str
    root: str = "/"
    driver: str | None = None  # the netdev's driver (from sys/class/net/IFACE/device/driver)
    mtu: int | None = None
    tx_queue_len: int | None = None
    speed_mbps: int | None = None  # None when the driver does not report it (virtio says -1)
    netdev_max_backlog: int | None = None
    rmem_max: int | None = None
    wmem_max: int | None = None
    tcp_rmem: tuple[int, int, int] | None = None  # min, default, max (bytes)
    tcp_wmem: tuple[int, int, int] | None = None
    tcp_mem: tuple[int, int, int] | None = None  # low, pressure, high (pages, system-wide)
    tcp_congestion_control: str | None = None
    tcp_available_congestion_control: list[str] | None = None
    tcp_window_scaling: bool | None = None
    coalesce: dict | None = None  # parsed ``ethtool -c``; None when not read
    rings: dict | None = None  # parsed ``ethtool -g``: {"max": {...}, "current": {...}}
    coalesce_supported: bool | None = None  # False: the driver said "Operation not supported"
    rings_supported: bool | None = None
    notes: list[str] = field(default_factory=list)  # facts about how the read went
    problems: list[str] = field(default_factory=list)  # one line per unreadable/garbage file


# ---------------------------------------------------------------------------
# Files


def _read(path: str, problems: list[str]) -> str | None:
    """The stripped text of ``path``; None (and a problem line) when it cannot be read."""
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_READ)
    except FileNotFoundError:
        problems.append(f"{path}: missing")
        return None
    except IsADirectoryError:
        problems.append(f"{path}: is a directory, not a setting")
        return None
    except OSError as e:
        problems.append(f"{path}: unreadable ({e.strerror or e})")
        return None
    return raw.decode("utf-8", errors="replace").strip()


def _garbage(path: str, text: str, what: str, problems: list[str]) -> None:
    shown = text if len(text) <= 40 else text[:37] + "..."
    problems.append(f"{path}: {shown!r} is not {what}")


def _int(path: str, problems: list[str], *, minimum: int = 0) -> int | None:
    text = _read(path, problems)
    if text is None:
        return None
    if not _INT.match(text) or int(text) < minimum:
        _garbage(path, text, f"a whole number >= {minimum}", problems)
        return None
    return int(text)


def _triple(path: str, problems: list[str]) -> tuple[int, int, int] | None:
    text = _read(path, problems)
    if text is None:
        return None
    parts = text.split()
    if len(parts) != 3 or not all(_INT.match(p) and int(p) >= 0 for p in parts):
        _garbage(path, text, "three whole numbers", problems)
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def _word(path: str, problems: list[str]) -> str | None:
    text = _read(path, problems)
    if text is None:
        return None
    if not _NAME.match(text):
        _garbage(path, text, "a congestion control name", problems)
        return None
    return text


def _words(path: str, problems: list[str]) -> list[str] | None:
    text = _read(path, problems)
    if text is None:
        return None
    names = text.split()
    if not names or not all(_NAME.match(n) for n in names):
        _garbage(path, text, "a list of congestion control names", problems)
        return None
    return names


def _flag(path: str, problems: list[str]) -> bool | None:
    text = _read(path, problems)
    if text is None:
        return None
    if text not in ("0", "1"):
        _garbage(path, text, "0 or 1", problems)
        return None
    return text == "1"


def _speed(path: str, problems: list[str], notes: list[str]) -> int | None:
    try:
        with open(path, "rb") as f:
            text = f.read(_MAX_READ).decode("utf-8", errors="replace").strip()
    except FileNotFoundError:
        problems.append(f"{path}: missing")
        return None
    except OSError as e:
        if e.errno == errno.EINVAL:  # the kernel's answer while the link is down
            notes.append("the driver reports no link speed (reading it fails: the link is down, or the device has none)")
        else:
            problems.append(f"{path}: unreadable ({e.strerror or e})")
        return None
    if not _INT.match(text):
        _garbage(path, text, "a speed in Mb/s", problems)
        return None
    value = int(text)
    if value in _SPEED_UNKNOWN or value < 0:
        notes.append(f"the driver reports no link speed (speed = {text}); virtual NICs usually do not")
        return None
    return value


# ---------------------------------------------------------------------------
# ethtool text


def _value(text: str) -> object:
    t = text.strip()
    if t == "n/a" or t == "":
        return None
    if _INT.match(t):
        return int(t)
    if t in ("on", "off"):
        return t == "on"
    return t


def _key(text: str) -> str:
    return "-".join(text.strip().lower().split())


_PAIR = re.compile(r"(?P<prefix>.*?)\s*RX:\s*(?P<rx>\S+)\s+TX:\s*(?P<tx>\S+)\s*\Z")


def parse_ethtool_coalesce(text: str) -> dict:
    """``ethtool -c IFACE`` output -> ``{"rx-usecs": 0, "adaptive-rx": False, ...}``.

    ``n/a`` becomes None (the driver does not have that knob), ``on``/``off`` become
    booleans, numbers become ints. ``Adaptive RX: off  TX: n/a`` yields ``adaptive-rx``
    and ``adaptive-tx``. Raises ValueError when the text holds no coalescing fields.
    """
    out: dict = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.lower().startswith("coalesce parameters for"):
            continue
        m = _PAIR.match(line)
        if m and m.group("prefix"):
            prefix = _key(m.group("prefix"))
            out[f"{prefix}-rx"] = _value(m.group("rx"))
            out[f"{prefix}-tx"] = _value(m.group("tx"))
            continue
        key, sep, val = line.partition(":")
        if sep and key.strip():
            out[_key(key)] = _value(val)
    if not any(k.startswith(("rx-", "tx-", "adaptive-")) for k in out):
        raise ValueError("no interrupt coalescing fields in the ethtool -c output")
    return out


def parse_ethtool_rings(text: str) -> dict:
    """``ethtool -g IFACE`` output -> ``{"max": {"rx": 256, ...}, "current": {"rx": 256, ...}}``.

    Keys are lower-case with dashes (``rx-mini``, ``rx-jumbo``, ``rx-buf-len``,
    ``tx-push``); values as in :func:`parse_ethtool_coalesce`. Raises ValueError when
    the text has no ring sizes.
    """
    out: dict = {"max": {}, "current": {}}
    section = None
    for line in text.splitlines():
        line = line.strip()
        low = line.lower()
        if not line or low.startswith("ring parameters for"):
            continue
        if low.startswith("pre-set maximums"):
            section = "max"
            continue
        if low.startswith("current hardware settings"):
            section = "current"
            continue
        key, sep, val = line.partition(":")
        if sep and section and key.strip():
            out[section][_key(key)] = _value(val)
    if "rx" not in out["current"] and "tx" not in out["current"]:
        raise ValueError("no ring sizes in the ethtool -g output")
    return out


@dataclass
class EthtoolResult:
    coalesce: dict | None = None
    rings: dict | None = None
    coalesce_supported: bool | None = None
    rings_supported: bool | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _find_ethtool(ethtool: str) -> str | None:
    if os.sep in ethtool:
        return ethtool if os.path.isfile(ethtool) and os.access(ethtool, os.X_OK) else None
    # ethtool lives in /usr/sbin, which an ordinary user's PATH often lacks.
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return shutil.which(ethtool, path=path)


def run_ethtool(iface: str, ethtool: str = "ethtool", timeout: float = 10.0) -> EthtoolResult:
    """Run ``ethtool -c`` and ``ethtool -g`` on ``iface`` and parse them (read-only)."""
    res = EthtoolResult()
    exe = _find_ethtool(ethtool)
    if exe is None:
        res.notes.append(NOTE_NO_ETHTOOL)
        return res
    env = dict(os.environ, LC_ALL="C")
    for flag, what, parse in (("-c", "coalesce", parse_ethtool_coalesce), ("-g", "rings", parse_ethtool_rings)):
        cmd = f"{os.path.basename(exe)} {flag} {iface}"
        try:
            p = subprocess.run([exe, flag, iface], capture_output=True, text=True, errors="replace",
                               timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            res.problems.append(f"{cmd}: no answer within {timeout:g} s")
            continue
        except OSError as e:
            res.problems.append(f"{cmd}: could not run ({e.strerror or e})")
            continue
        both = (p.stdout + "\n" + p.stderr).strip()
        if "Operation not supported" in both:
            setattr(res, f"{what}_supported", False)
            res.notes.append(NOTE_COALESCE_UNSUPPORTED if what == "coalesce" else NOTE_RINGS_UNSUPPORTED)
            continue
        if p.returncode != 0:
            last = both.splitlines()[-1] if both else f"exit status {p.returncode}"
            res.problems.append(f"{cmd}: failed ({last.strip()})")
            continue
        try:
            setattr(res, what, parse(p.stdout))
            setattr(res, f"{what}_supported", True)
        except ValueError as e:
            res.problems.append(f"{cmd}: {e}")
    return res


# ---------------------------------------------------------------------------
# The whole read


def read_settings(iface: str, root: str = "/", ethtool: str | None = "ethtool") -> Settings:
    """The current throughput-related settings of ``iface`` under ``root``.

    ``ethtool`` is the binary to run for ``-c``/``-g`` (None: do not run it); it runs
    only when ``root`` is ``/``. Raises InputError when the interface does not exist.
    """
    if not iface or "/" in iface or iface in (".", "..") or "\0" in iface:
        raise InputError(f"{iface!r} is not a network interface name")
    net = os.path.join(root, "sys", "class", "net")
    dev = os.path.join(net, iface)
    if not os.path.lexists(dev):
        raise InputError(f"no network interface named {iface!r} (see /sys/class/net)")

    s = Settings(iface=iface, root=root)
    p = s.problems
    drv = os.path.join(dev, "device", "driver")
    if os.path.islink(drv):
        s.driver = os.path.basename(os.readlink(drv)) or None

    s.mtu = _int(os.path.join(dev, "mtu"), p, minimum=1)
    s.tx_queue_len = _int(os.path.join(dev, "tx_queue_len"), p)
    s.speed_mbps = _speed(os.path.join(dev, "speed"), p, s.notes)

    core = os.path.join(root, "proc", "sys", "net", "core")
    ipv4 = os.path.join(root, "proc", "sys", "net", "ipv4")
    s.netdev_max_backlog = _int(os.path.join(core, "netdev_max_backlog"), p)
    s.rmem_max = _int(os.path.join(core, "rmem_max"), p)
    s.wmem_max = _int(os.path.join(core, "wmem_max"), p)
    s.tcp_rmem = _triple(os.path.join(ipv4, "tcp_rmem"), p)
    s.tcp_wmem = _triple(os.path.join(ipv4, "tcp_wmem"), p)
    s.tcp_mem = _triple(os.path.join(ipv4, "tcp_mem"), p)
    s.tcp_congestion_control = _word(os.path.join(ipv4, "tcp_congestion_control"), p)
    s.tcp_available_congestion_control = _words(os.path.join(ipv4, "tcp_available_congestion_control"), p)
    s.tcp_window_scaling = _flag(os.path.join(ipv4, "tcp_window_scaling"), p)

    if ethtool is None:
        s.notes.append("ethtool not run (disabled): coalescing and ring sizes not read")
    elif os.path.realpath(root) != "/":
        s.notes.append(f"ethtool not run: settings read from the tree at {root}, not this host")
    else:
        e = run_ethtool(iface, ethtool)
        s.coalesce, s.rings = e.coalesce, e.rings
        s.coalesce_supported, s.rings_supported = e.coalesce_supported, e.rings_supported
        s.notes.extend(e.notes)
        s.problems.extend(e.problems)
    return s

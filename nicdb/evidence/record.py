"""A measurement set of the user's own, written to the overlay
(``measurements/<set>.toml``) in the form of data/SCHEMA.md and validated with the
shipped data before anything is written.

Runs of one direction at one value of the setting are one row: the median of their
throughputs (``mbps``), each run's figure (``runs``), and the medians of their
retransmits and CPU use. A set made on one machine stays that machine's: appending runs
from another host, kernel or NIC, or from another tool, is refused.
"""

from __future__ import annotations

import os
import re
import time

from nicdb.errors import InputError

_INT = re.compile(r"[+-]?\d{1,18}\Z")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?\Z")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def parse_value(text: str):
    """A setting's value from the command line: a whole number, a number, several whole
    numbers separated by spaces (``4096 131072 6291456``) or a word (``on``, ``bbr``)."""
    t = text.strip()
    if not t:
        raise InputError("a setting's value must not be empty")
    if _INT.match(t):
        return int(t)
    if _FLOAT.match(t):
        v = float(t)
        return int(v) if v.is_integer() and "e" not in t.lower() and "." not in t else v
    parts = t.split()
    if len(parts) > 1 and all(_INT.match(p) for p in parts):
        return [int(p) for p in parts]
    if len(t) > 100 or any(c in t for c in "\n\r\t\0=,"):
        raise InputError(f"setting value {t[:40]!r} is not a number or a word")
    return t


def parse_assignment(text: str) -> tuple[str, object]:
    """``NAME=VALUE`` -> (setting name, value), the name checked."""
    from nicdb.evidence.names import parse_setting

    name, sep, value = text.partition("=")
    if not sep:
        raise InputError(f"--setting {text!r} must be NAME=VALUE (e.g. via_velocity.DMA_length=6)")
    return parse_setting(name.strip()).text, parse_value(value)


def median(xs: list[float]) -> float:
    ys = sorted(xs)
    n = len(ys)
    return ys[n // 2] if n % 2 else (ys[n // 2 - 1] + ys[n // 2]) / 2


def _median_int(xs: list) -> int | None:
    ys = [x for x in xs if x is not None]
    return None if not ys else int(round(median(ys)))


def row(direction: str, runs: list, *, driver: str, setting: str | None = None, value=None,
        driver_version: str | None = None, params: dict | None = None, mtu: int | None = None,
        note: str = "") -> dict:
    """The ``[[rows]]`` fields of ``runs`` (:class:`nicdb.evidence.runs.Run`) of one
    direction at one value: medians, and every run's Mb/s when there are several."""
    figures = [round(r.mbps, 4) for r in runs]
    mid = round(median(figures), 4)
    durations = [r.duration_s for r in runs if r.duration_s is not None]
    return {
        "driver": driver, "driver_version": driver_version or None, "setting": setting,
        "value": value, "params": params or None,
        "mtu": next((r.mtu for r in runs if r.mtu), None) or mtu,
        "mss": next((r.mss for r in runs if r.mss), None), "direction": direction, "mbps": mid,
        "runs": figures if len(figures) > 1 else None,
        "retransmits": _median_int([r.retransmits for r in runs]),
        "cpu_local_pct": _median_int([r.cpu_local for r in runs]),
        "cpu_peer_pct": _median_int([r.cpu_peer for r in runs]),
        "duration_s": round(median(durations), 3) if durations else None, "note": note or None,
    }


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def default_set_id(ctx, setting: str | None) -> str:
    """``HOST-IFACE-SETTING-YYYYMMDD-HHMMSS``, in the characters an overlay file name takes."""
    parts = [ctx.host or "local", ctx.iface or (f"{ctx.vendor:04x}-{ctx.device:04x}" if ctx.vendor is not None
                                                  else "nic")]
    if setting:
        parts.append(setting)
    parts.append(time.strftime("%Y%m%d-%H%M%S"))
    sid = _SAFE.sub("-", "-".join(parts)).strip("-.")
    return sid[:64].rstrip("-.")


def header(set_id: str, ctx, *, tool: str, setting: str | None, chip: str | None = None, bus: str | None = None,
           peer: str | None = None, title: str | None = None) -> dict:
    """The ``[set]`` fields of a new set made on the machine ``ctx`` describes."""
    where = " ".join(x for x in (ctx.host, ctx.iface) if x)
    auto = f"{tool} runs on {where or 'this machine'}" + (f": {setting} varied" if setting else "")
    rev = ctx.revision
    return {
        "id": set_id, "title": title or auto, "tool": tool, "setting": setting,
        "vendor": None if ctx.vendor is None else f"{ctx.vendor:04x}",
        "device": None if ctx.device is None else f"{ctx.device:04x}",
        "revs": None if ctx.vendor is None or rev is None else f"{rev:02x}",
        "chip": chip or None, "board": ctx.board or None, "cpu": ctx.cpu or None, "bus": bus or None,
        "line_rate_mbps": ctx.speed_mbps or None, "host": ctx.host or None, "kernel": ctx.kernel or None,
        "iface": ctx.iface or None, "slot": ctx.slot or None, "peer": peer or None, "date": now(),
        "confidence": "local",
    }


def _existing(set_id: str) -> dict | None:
    """The ``[set]`` of the overlay's set ``set_id``, if there is one."""
    import tomllib

    from nicdb.kb import paths

    path = os.path.join(paths.overlay_dir(), "measurements", f"{set_id}.toml")
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InputError(f"cannot read your set {path}: {e}") from None
    s = doc.get("set")
    return s if isinstance(s, dict) else {}


def _shipped_ids() -> set[str]:
    from nicdb.kb import paths

    d = os.path.join(paths.data_dir(), "measurements")
    try:
        return {n[:-5] for n in os.listdir(d) if n.endswith(".toml")}
    except OSError:
        return set()


def write(head: dict, rows: list[dict]) -> tuple[str, bool]:
    """Write ``rows`` to the overlay's set ``head["id"]``: a new file with ``head``, or
    appended to the set of that name when it was made on the same machine with the same
    tool. Returns (the file, whether it was new). Nothing is written when validation fails."""
    from nicdb.kb import overlay

    set_id = overlay.safe_name(head["id"], "set name")
    if set_id in _shipped_ids():
        raise InputError(f"{set_id!r} is one of nicdb's own measurement sets; choose another --set")
    old = _existing(set_id)
    if old is not None:
        for key, what in (("host", "host"), ("kernel", "kernel"), ("vendor", "PCI vendor"),
                          ("device", "PCI device"), ("revs", "revision"), ("iface", "interface"),
                          ("tool", "tool")):
            a, b = old.get(key), head.get(key)
            if a is not None and b is not None and str(a) != str(b):
                raise InputError(f"set {set_id!r} was made with {what} {a}, these runs with {b}: "
                                 "give another --set")
        # the set's own setting stays; a row varying another one names it
        for r in rows:
            if r.get("setting") is not None and r["setting"] == old.get("setting"):
                r["setting"] = None
    else:
        for r in rows:
            if r.get("setting") == head.get("setting"):
                r["setting"] = None
    text = "\n".join(overlay.table("[[rows]]", {k: v for k, v in r.items() if v is not None}) for r in rows)
    hdr = overlay.table("[set]", {k: v for k, v in head.items() if v is not None})
    return str(overlay.add_rows("measurements", set_id, hdr, text)), old is None

"""Tuning reports as JSON-ready dicts and as plain text (no terminal styling)."""

from __future__ import annotations

SCHEMA = "nicdb-tune/1"

# Settings fields in the order they are shown and serialized.
SETTING_FIELDS = (
    "driver", "mtu", "tx_queue_len", "speed_mbps", "netdev_max_backlog", "rmem_max", "wmem_max",
    "tcp_rmem", "tcp_wmem", "tcp_mem", "tcp_congestion_control", "tcp_available_congestion_control",
    "tcp_window_scaling", "coalesce", "rings", "coalesce_supported", "rings_supported", "notes", "problems",
)

# (label, field) for the text view; coalescing and rings are formatted on their own.
_TEXT_ROWS = (
    ("driver", "driver"),
    ("mtu", "mtu"),
    ("txqueuelen", "tx_queue_len"),
    ("link speed (Mb/s)", "speed_mbps"),
    ("net.core.netdev_max_backlog", "netdev_max_backlog"),
    ("net.core.rmem_max", "rmem_max"),
    ("net.core.wmem_max", "wmem_max"),
    ("net.ipv4.tcp_rmem", "tcp_rmem"),
    ("net.ipv4.tcp_wmem", "tcp_wmem"),
    ("net.ipv4.tcp_mem (pages)", "tcp_mem"),
    ("net.ipv4.tcp_congestion_control", "tcp_congestion_control"),
    ("  available", "tcp_available_congestion_control"),
    ("net.ipv4.tcp_window_scaling", "tcp_window_scaling"),
)
_COALESCE_KEYS = ("adaptive-rx", "adaptive-tx", "rx-usecs", "rx-frames", "tx-usecs", "tx-frames")


def _plain(value: object) -> object:
    """JSON-safe copy: tuples become lists, unknown objects become strings."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _settings_of(report, settings):
    return settings if settings is not None else getattr(report, "settings", None)


def tune_to_dict(report, settings=None) -> dict:
    """A stable, JSON-serializable form of a TuneReport and the Settings it came from.

    ``settings`` None: the report's own ``settings``. Keys, in order: schema, interface,
    rate_mbps, rtt_ms, bdp_bytes, buffer_target_bytes, assumptions, proposals (each
    setting, current, proposed, reason, command, optional, source), notes, problems,
    settings (the fields in SETTING_FIELDS, or null).
    """
    s = _settings_of(report, settings)
    return {
        "schema": SCHEMA,
        "interface": report.iface,
        "rate_mbps": report.rate_mbps,
        "rtt_ms": report.rtt_ms,
        "bdp_bytes": report.bdp_bytes,
        "buffer_target_bytes": report.buffer_target_bytes,
        "assumptions": list(report.assumptions),
        "proposals": [
            {"setting": p.setting, "current": _plain(p.current), "proposed": _plain(p.proposed),
             "reason": p.reason, "command": p.command, "optional": p.optional, "source": p.source}
            for p in report.proposals
        ],
        "notes": list(report.notes),
        "problems": list(report.problems),
        "settings": None if s is None else {k: _plain(getattr(s, k, None)) for k in SETTING_FIELDS},
    }


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_show(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def _coalesce_text(s) -> str:
    if getattr(s, "coalesce_supported", None) is False:
        return "not supported by the driver"
    c = getattr(s, "coalesce", None)
    if not c:
        return "not read"
    shown = {k: c[k] for k in _COALESCE_KEYS if c.get(k) is not None}
    return _show(shown) if shown else "no settings the driver reports"


def _rings_text(s) -> str:
    if getattr(s, "rings_supported", None) is False:
        return "not supported by the driver"
    r = getattr(s, "rings", None)
    if not r:
        return "not read"
    cur, mx = r.get("current", {}), r.get("max", {})
    parts = [f"{k} {cur[k]} (max {_show(mx.get(k))})" for k in ("rx", "tx") if isinstance(cur.get(k), int)]
    return ", ".join(parts) or "no sizes the driver reports"


def _settings_lines(s) -> list[str]:
    rows = [(label, _show(getattr(s, f, None))) for label, f in _TEXT_ROWS]
    rows.append(("interrupt coalescing", _coalesce_text(s)))
    rows.append(("rings", _rings_text(s)))
    width = max(len(label) for label, _ in rows)
    return [f"  {label:<{width}}  {value}" for label, value in rows]


def tune_to_text(report, settings=None) -> str:
    """Plain text: current settings, the target, one block per proposal (setting,
    current → proposed, reason, command), then assumptions, notes and problems."""
    s = _settings_of(report, settings)
    lines = [f"Current settings of {report.iface}" + (f" (read from {s.root})" if s is not None
                                                       and getattr(s, "root", "/") not in ("/", None) else "")]
    lines += _settings_lines(s) if s is not None else ["  (not read)"]
    lines += [
        "",
        f"Target: {report.rate_mbps:g} Mb/s over a {report.rtt_ms:g} ms round trip: bandwidth-delay product "
        f"{report.bdp_bytes} bytes; socket buffers should reach 2×BDP = {report.buffer_target_bytes} bytes",
        "",
    ]
    if report.proposals:
        lines.append(f"Proposals ({len(report.proposals)}; nothing has been changed):")
        lines.append("")
        for p in report.proposals:
            tag = " (optional)" if p.optional else ""
            lines.append(f"{p.setting}{tag}: {_show(p.current)} → {_show(p.proposed)}")
            lines.append(f"  {p.reason}")
            lines.append(f"  $ {p.command}")
            lines.append("")
    else:
        lines.append("No changes proposed.")
        lines.append("")
    notes = [n for n in (getattr(s, "notes", None) or []) if n not in report.notes] + list(report.notes)
    problems = list(report.problems) + [p for p in (getattr(s, "problems", None) or []) if p not in report.problems]
    for title, items in (("Assumptions", report.assumptions), ("Notes", notes), ("Problems", problems)):
        if items:
            lines.append(f"{title}:")
            lines += [f"  - {x}" for x in items]
    return "\n".join(lines).rstrip() + "\n"

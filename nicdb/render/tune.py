"""Tuning reports as JSON-ready dicts and as plain text."""

from __future__ import annotations

SCHEMA = "nicdb-tune/1"


def _plain(value: object) -> object:
    """JSON-safe copy: tuples become lists, unknown objects become strings."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


_SETTING_FIELDS = (
    "driver", "mtu", "tx_queue_len", "speed_mbps", "netdev_max_backlog", "rmem_max", "wmem_max",
    "tcp_rmem", "tcp_wmem", "tcp_mem", "tcp_congestion_control", "tcp_available_congestion_control",
    "tcp_window_scaling", "coalesce", "rings", "coalesce_supported", "rings_supported", "notes",
)


def tune_to_dict(report) -> dict:
    """A stable, JSON-serializable form of a :class:`~nicdb.advice.tune.TuneReport`."""
    s = report.settings
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
        "settings": None if s is None else {k: _plain(getattr(s, k)) for k in _SETTING_FIELDS},
    }


def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


def tune_to_text(report) -> str:
    """Plain text: the numbers, then one block per proposal, then notes and problems."""
    lines = [
        f"Tuning {report.iface}: {report.rate_mbps:g} Mb/s, RTT {report.rtt_ms:g} ms",
        f"  bandwidth-delay product {report.bdp_bytes} bytes; socket buffers should reach "
        f"2×BDP = {report.buffer_target_bytes} bytes",
    ]
    for a in report.assumptions:
        lines.append(f"  assumption: {a}")
    lines.append("")
    if report.proposals:
        for p in report.proposals:
            tag = " (optional)" if p.optional else ""
            lines.append(f"{p.setting}{tag}: {_show(p.current)} → {_show(p.proposed)}")
            lines.append(f"  {p.reason}")
            lines.append(f"  $ {p.command}")
            lines.append("")
    else:
        lines.append("No changes proposed.")
        lines.append("")
    for n in report.notes:
        lines.append(f"note: {n}")
    for pr in report.problems:
        lines.append(f"problem: {pr}")
    return "\n".join(lines).rstrip() + "\n"

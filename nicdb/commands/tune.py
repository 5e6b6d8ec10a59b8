"""nicdb tune: throughput settings of an interface and what to change."""

from __future__ import annotations

import click

from nicdb.errors import InputError


def _rate(text: str | None) -> float | None:
    """``--rate``: Mb/s, or with a unit: 100M, 1G, 2.5G, 10g."""
    if text is None:
        return None
    t = text.strip().lower().removesuffix("bit/s").removesuffix("b/s").removesuffix("bps")
    mult = {"k": 1e-3, "m": 1.0, "g": 1e3, "t": 1e6}.get(t[-1:], None)
    num = t[:-1] if mult is not None else t
    try:
        value = float(num) * (mult or 1.0)
    except ValueError:
        raise InputError(f"malformed rate {text!r}: expected Mb/s or a unit, e.g. 1000, 1G, 2.5G") from None
    if not 0 < value < 1e7:
        raise InputError(f"rate {text!r} is out of range")
    return value


@click.command()
@click.argument("iface")
@click.option("--rate", metavar="RATE", help="Target rate: Mb/s or 100M, 1G, 10G (default: the link speed).")
@click.option("--rtt", type=float, metavar="MS", help="Round-trip time in ms (default: 1, a LAN).")
@click.option("--root", default="/", show_default=True, help="Read /proc and /sys below this folder.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
def tune(iface, rate, rtt, root, as_json):
    """Throughput settings of IFACE and what to change, from the bandwidth-delay product.

    Reads interrupt coalescing and rings (ethtool), txqueuelen, netdev_max_backlog, socket
    and TCP buffers, congestion control and MTU; prints each proposal with its reason and
    the exact command. It never changes anything itself."""
    from nicdb.advice.tune import propose
    from nicdb.render.tune import tune_to_dict, tune_to_text
    from nicdb.tuning.read import read_settings

    if rtt is not None and not 0 < rtt < 1e6:
        raise InputError(f"--rtt {rtt} is out of range (milliseconds, greater than 0)")
    settings = read_settings(iface, root=root, ethtool="ethtool" if root == "/" else None)
    report = propose(settings, _rate(rate), rtt)
    if as_json:
        from nicdb.render.json_out import dumps

        click.echo(dumps(tune_to_dict(report)))
    else:
        from nicdb.render.visible import visible

        # values read from /proc, /sys and ethtool: shown, never obeyed by the terminal
        click.echo("".join(visible(line) + "\n" for line in tune_to_text(report).splitlines()), nl=False)

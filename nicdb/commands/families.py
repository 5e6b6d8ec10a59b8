"""nicdb families: the chip families nicdb knows."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, out_mode
from nicdb.render import show


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def families(ctx, as_json, plain):
    """List the chip families nicdb knows, with their PCI IDs and drivers."""
    fams = open_kb(ctx).families()
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render.json_out import dumps

        click.echo(dumps([{k: f[k] for k in ("id", "name", "line_rate_mbps", "summary", "ids", "chips", "drivers")}
                          for f in fams]))
        return
    from nicdb.render.views import families_view

    show(families_view(fams), mode)

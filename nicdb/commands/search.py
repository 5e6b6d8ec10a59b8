"""nicdb search: chips, families, drivers, vendors and devices by name."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, out_mode
from nicdb.render import show
from nicdb.errors import InputError


@click.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def search(ctx, text, as_json, plain):
    """Find chips, families, drivers, vendors, devices, kernel modules and firmware files by name.

    Kernel modules and firmware files come from the driver facts: `nicdb search
    rtl8168h-2.fw` names the module that requests the file and the package of each
    Debian release that ships it.
    """
    if not text.strip():
        raise InputError("search text is empty")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode arrive as lone surrogates
            raise InputError(f"search text {text!r} is not valid UTF-8") from None
    res = open_kb(ctx).search(text)
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render.json_out import dumps

        click.echo(dumps(res))
        return
    from nicdb.render.views import search_view

    show(search_view(text, res), mode)

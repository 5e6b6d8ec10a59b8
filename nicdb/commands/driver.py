"""nicdb driver: one driver's page -- kernels, PCI IDs, parameters, firmware, notes."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, out_mode


@click.command()
@click.argument("name")
@click.option("--kernel", metavar="VERSION",
              help="Say whether the driver exists on this kernel, and list its parameters' types and firmware "
                   "for that kernel's series (e.g. 6.1, 6.12.30).")
@click.option("--all", "all_ids", is_flag=True, help="List every PCI ID pattern the driver binds, not only the count.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def driver(ctx, name, kernel, all_ids, as_json, plain):
    """Everything nicdb knows of driver NAME (or its module name).

    Which Debian kernel series carry it, which PCI IDs it binds, the parameters it takes
    and how their types changed across the series, the firmware files it declares with
    the package of each Debian release that ships them (and whether each is installed
    here), the chip families nicdb has notes for, and its known issues.
    """
    from nicdb.commands.common import kernel_for
    from nicdb.driver_page import driver_page
    from nicdb.inputs.host import live_system

    page = driver_page(open_kb(ctx), name, kernel=kernel_for(kernel, None), system=live_system(), all_ids=all_ids)
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.driver_page_to_dict(page)))
        return
    from nicdb.render import show
    from nicdb.render.views import driver_view

    show(driver_view(page), mode)

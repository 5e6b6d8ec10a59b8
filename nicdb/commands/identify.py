"""nicdb identify: every NIC of a machine, a dump or a fleet."""

from __future__ import annotations

import os

import click

from nicdb.commands.common import kernel_for, load_devices, open_kb, out_mode, src_options, warn


@click.command()
@src_options
@click.option("--all", "all_devices", is_flag=True, help="Show every PCI device, not only NICs.")
@click.pass_context
def identify(ctx, src_from, sysfs, dmesg, kernel, modules_alias, as_json, plain, all_devices):
    """Identify every NIC: chip by revision, driver, and a one-line advice."""
    mode = out_mode(as_json, plain)
    if src_from and not sysfs and _is_fleet(src_from):
        if dmesg:
            from nicdb.errors import InputError

            raise InputError("--dmesg goes with one machine's input, not a fleet folder")
        # a fleet run is long: on a terminal it gets rich's progress bar and summary, and
        # the garbage collector back (nicdb.console switches it off for one-shot runs)
        import gc

        gc.enable()
        return run_fleet(ctx, src_from, kernel_for(kernel, None), modules_alias, "rich" if mode == "term" else mode,
                         all_devices)
    from nicdb.report import identify as identify_reading

    reading = load_devices(src_from, sysfs, nics_only=not all_devices, dmesg=dmesg)
    doc = identify_reading(reading, open_kb(ctx), kernel=kernel_for(kernel, reading.kernel),
                           alias_file=modules_alias, nics_only=not all_devices)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.document(doc)))
        return
    from nicdb.render import show
    from nicdb.render.views import identify_view

    show(identify_view(doc.nics, notes=doc.notes), mode)


def _is_fleet(path: str) -> bool:
    """A folder given to --from is a fleet unless it is itself a sysfs tree or snapshot."""
    from nicdb.inputs.fleet_folder import is_sysfs_tree

    return os.path.isdir(path) and not is_sysfs_tree(path)


def run_fleet(ctx, folder: str, kver: str | None, alias_file: str | None, mode: str, all_devices: bool):
    """identify --from DIR: one host per file, streamed; then the fleet summary."""
    from nicdb import modalias
    from nicdb.errors import InputError
    from nicdb.fleet import FleetSummary, identify_fleet
    from nicdb.inputs.fleet_folder import fleet_members
    from nicdb.render.fleet_out import FleetOutput

    listing = fleet_members(folder)
    if listing.skipped:
        n = len(listing.skipped)
        shown = ", ".join(listing.skipped[:5]) + (", ..." if n > 5 else "")
        warn(f"{folder}: skipped {n} folder{'s' if n > 1 else ''} that {'are' if n > 1 else 'is'} not a sysfs "
             f"tree ({shown}); a fleet's hosts are the files and sysfs trees directly in it")
    if not listing.members:
        raise InputError(f"{folder}: no host inputs in this folder (a fleet's hosts are the files and "
                         "sysfs trees directly in it)")
    kb = open_kb(ctx)
    hosts = identify_fleet(folder, kb, kernel=kver, modules=modalias.finder(kb, alias_file, live=False),
                           nics_only=not all_devices, members=listing.members)
    summary = FleetSummary()
    out = FleetOutput(mode, kver, len(listing.members))
    try:
        for host, path, doc, err in hosts:
            if err is not None:
                summary.fail(host, err)
                out.failed(host, err)
            else:
                summary.add(host, doc.nics)
                out.host(host, str(path), doc.nics, doc.distribution)
    finally:
        out.close()
    out.summary(summary.to_dict())
    if summary.failed_count:
        ctx.exit(2)

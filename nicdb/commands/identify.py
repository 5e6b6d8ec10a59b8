"""nicdb identify: every NIC of a machine, a dump or a fleet."""

from __future__ import annotations

import os
import sys

import click

from nicdb.commands.common import (
    kernel_for, load_devices, make_reports, module_finder, one_line, open_kb, out_mode, show, src_options, warn,
)


@click.command()
@src_options
@click.option("--all", "all_devices", is_flag=True, help="Show every PCI device, not only NICs.")
@click.pass_context
def identify(ctx, src_from, sysfs, kernel, modules_alias, as_json, plain, all_devices):
    """Identify every NIC: chip by revision, driver, and a one-line advice."""
    mode = out_mode(as_json, plain)
    if src_from and not sysfs and _is_fleet(src_from):
        # a fleet run is long: on a terminal it gets rich's progress bar and summary, and
        # the garbage collector back (nicdb.console switches it off for one-shot runs)
        import gc

        gc.enable()
        return run_fleet(ctx, src_from, kernel_for(kernel, None), modules_alias, "rich" if mode == "term" else mode,
                         all_devices)
    devices, source, live, hint = load_devices(src_from, sysfs, nics_only=not all_devices)
    kver = kernel_for(kernel, hint)
    reports = make_reports(ctx, devices, kernel=kver, nics_only=not all_devices, alias_file=modules_alias,
                           live=live)
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.document(reports, source=source, kernel=kver,
                                                    host=os.uname().nodename if live else None)))
        return
    from nicdb.render.views import identify_view

    show(identify_view(reports), mode)


def _is_fleet(path: str) -> bool:
    """A folder given to --from is a fleet unless it is itself a sysfs tree or snapshot."""
    from nicdb.inputs.files import is_sysfs_tree

    return os.path.isdir(path) and not is_sysfs_tree(path)


def run_fleet(ctx, folder: str, kver: str | None, alias_file: str | None, mode: str, all_devices: bool):
    """identify --from DIR: one host per file, streamed; then the fleet summary."""
    from nicdb.errors import InputError
    from nicdb.fleet import FleetSummary, identify_fleet
    from nicdb.inputs.files import fleet_members
    from nicdb.render import json_out
    from nicdb.render.views import fleet_row, fleet_rows_header, fleet_summary_view
    from nicdb.render.visible import visible

    listing = fleet_members(folder)
    if listing.skipped:
        shown = ", ".join(listing.skipped[:5]) + (", ..." if len(listing.skipped) > 5 else "")
        warn(f"{folder}: skipped {len(listing.skipped)} folder{'s' if len(listing.skipped) > 1 else ''} "
             f"that {'are' if len(listing.skipped) > 1 else 'is'} not a sysfs tree ({shown}); "
             "a fleet's hosts are the files and sysfs trees directly in it")
    if not listing.members:
        raise InputError(f"{folder}: no host inputs in this folder (a fleet's hosts are the files and "
                         "sysfs trees directly in it)")
    kb = open_kb(ctx)
    hosts = identify_fleet(folder, kb, kernel=kver, modules=module_finder(kb, alias_file, live=False),
                           nics_only=not all_devices, members=listing.members)
    summary = FleetSummary()
    lines = json_out.FleetLines(kver)
    out = sys.stdout
    widths = (20, 13, 17, 34, 14)
    progress = task = None
    if mode == "rich" and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
        progress.start()
        task = progress.add_task("reading hosts", total=len(listing.members))
    elif mode != "json":
        out.write("  ".join(h.ljust(w) for h, w in zip(fleet_rows_header(), widths + (0,))).rstrip() + "\n")
    try:
        for host, path, reps, err in hosts:
            if progress is not None:
                progress.advance(task)
            if err is not None:
                click.echo(f"nicdb: error: {one_line(str(err))}", err=True)
                summary.fail(host, err)
                continue
            summary.add(host, reps)
            if mode == "json":
                out.write(lines.host(reps, source=str(path), host=host))
            elif progress is None:
                for r in reps:
                    out.write("  ".join(visible(c).ljust(w) for c, w in zip(fleet_row(host, r), widths + (0,)))
                              .rstrip() + "\n")
    finally:
        if progress is not None:
            progress.stop()
    data = summary.to_dict()
    if mode == "json":
        out.write(lines.summary(data))
    else:
        show(fleet_summary_view(data), mode)
    if summary.failed_count:
        ctx.exit(2)

"""nicdb identify: every NIC of a machine, a dump or a fleet."""

from __future__ import annotations

import os

import click

from nicdb.commands.common import kernel_for, load_devices, open_kb, out_mode, src_options, warn


@click.command()
@src_options
@click.option("--jsonl", is_flag=True,
              help="One JSON line per NIC (with its host and source), written as each host is read: "
                   "for jq, DuckDB or Spark. A fleet member that cannot be read is a line with \"error\".")
@click.option("--all", "all_devices", is_flag=True, help="Show every PCI device, not only NICs.")
@click.option("-j", "--jobs", type=click.IntRange(1, 1024), metavar="N",
              help="Worker processes for a fleet folder (default: the CPUs available). Output order is the "
                   "hosts' order whatever N is.")
@click.pass_context
def identify(ctx, src_from, sysfs, dmesg, kernel, modules_alias, as_json, plain, jsonl, all_devices, jobs):
    """Identify every NIC: chip by revision, driver, and a one-line advice."""
    if jsonl and (as_json or plain):
        from nicdb.errors import InputError

        raise InputError("give one of --json, --jsonl and --plain")
    mode = "jsonl" if jsonl else out_mode(as_json, plain)
    if src_from and not sysfs and is_fleet(src_from):
        if dmesg:
            from nicdb.errors import InputError

            raise InputError("--dmesg goes with one machine's input, not a fleet folder")
        # a fleet run is long: on a terminal it gets rich's progress bar and summary, and
        # the garbage collector back (nicdb.console switches it off for one-shot runs)
        import gc

        gc.enable()
        return run_fleet(ctx, src_from, kernel_for(kernel, None), modules_alias, "rich" if mode == "term" else mode,
                         all_devices, jobs)
    from nicdb.report import identify as identify_reading

    reading = load_devices(src_from, sysfs, nics_only=not all_devices, dmesg=dmesg)
    doc = identify_reading(reading, open_kb(ctx), kernel=kernel_for(kernel, reading.kernel),
                           alias_file=modules_alias, nics_only=not all_devices)
    if mode in ("json", "jsonl"):
        from nicdb.render import json_out

        if mode == "json":
            click.echo(json_out.dumps(json_out.document(doc)))
        else:
            click.echo(json_out.nic_lines(doc), nl=False)
        return
    from nicdb.render import show
    from nicdb.render.views import identify_view

    show(identify_view(doc.nics, notes=doc.notes), mode)


def is_fleet(path: str) -> bool:
    """A folder given to --from is a fleet unless it is itself a sysfs tree or snapshot."""
    from nicdb.inputs.fleet_folder import is_sysfs_tree

    return os.path.isdir(path) and not is_sysfs_tree(path)


def fleet_listing(folder: str):
    """The members of a fleet folder; the folders in it that are not hosts are skipped
    with one warning, and a folder without hosts is an error."""
    from nicdb.errors import InputError
    from nicdb.inputs.fleet_folder import fleet_members

    listing = fleet_members(folder)
    if listing.skipped:
        n = len(listing.skipped)
        shown = ", ".join(listing.skipped[:5]) + (", ..." if n > 5 else "")
        warn(f"{folder}: skipped {n} folder{'s' if n > 1 else ''} that {'are' if n > 1 else 'is'} not a sysfs "
             f"tree ({shown}); a fleet's hosts are the files and sysfs trees directly in it")
    if not listing.members:
        raise InputError(f"{folder}: no host inputs in this folder (a fleet's hosts are the files and "
                         "sysfs trees directly in it)")
    return listing


def run_fleet(ctx, folder: str, kver: str | None, alias_file: str | None, mode: str, all_devices: bool,
              jobs: int | None = None):
    """identify --from DIR: one host per file, streamed in host order (read by ``jobs``
    worker processes); then the fleet summary."""
    from nicdb.fleet import FleetSummary, HostIdentifier, HostJob, HostRun, available_cpus
    from nicdb.render.fleet_out import FleetOutput, FleetText, text_mode

    listing = fleet_listing(folder)
    kb = open_kb(ctx)
    text = text_mode(mode)

    def make_job(kb):
        return HostJob(HostIdentifier(folder, kb, kernel=kver, alias_file=alias_file, nics_only=not all_devices),
                       FleetText(text, kver))

    hosts = HostRun(listing.members, kb, make_job, jobs or available_cpus())  # workers start before any thread
    summary = FleetSummary()
    out = FleetOutput(mode, kver, len(listing.members))
    try:
        for host, source, txt, facts, err in hosts:
            if err is not None:
                summary.fail(host, err)
                out.failed(host, source, err)
            else:
                summary.add_facts(host, facts)
            out.host(txt)
    finally:
        hosts.close()
        out.close()
    out.summary(summary.to_dict())
    if summary.failed_count:
        ctx.exit(2)

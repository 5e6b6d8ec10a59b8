"""nicdb export: the advice as files the system's own tools read (modprobe.d, udev rules, hwdb)."""

from __future__ import annotations

import click

from nicdb.commands.common import kernel_for, load_devices, open_kb, warn

_OUTPUT = [
    click.option("-o", "--output", metavar="PATH",
                 help="Write to this file (for a fleet folder: into this folder, one file per host) instead of "
                      "standard output."),
    click.option("--force", is_flag=True, help="Replace files that exist (without it, an existing file is an error)."),
]
_SCOPE = [
    click.option("--from", "src_from", metavar="FILE|DIR|-",
                 help="Read lspci text, lspci -x dumps or nicdb JSON instead of this machine; a folder is a fleet "
                      "(one file per host)."),
    click.option("--sysfs", metavar="DIR", help="Read a sysfs-shaped directory or a snapshot instead of this machine."),
]
_ADVICE = [
    click.option("--kernel", metavar="VERSION", help="Kernel version the advice is for (default: the machine's)."),
    click.option("--modules-alias", metavar="FILE",
                 help="modules.alias to match the modules that would load (default: the running kernel's when "
                      "live, else nicdb's shipped table)."),
]


def _options(*groups):
    def wrap(f):
        for group in reversed(groups):
            for opt in reversed(group):
                f = opt(f)
        return f
    return wrap


@click.group()
def export():
    """Write nicdb's advice as files the system reads: modprobe.d, udev rules, hwdb."""


@export.command("modprobe")
@_options(_SCOPE, _ADVICE, _OUTPUT)
@click.pass_context
def export_modprobe(ctx, src_from, sysfs, kernel, modules_alias, output, force):
    """A modprobe.d file with nicdb's driver advice.

    For the NICs here (or in --from / --sysfs): the recommended driver's options where
    they differ from its default on that kernel, blacklist or softdep lines for the
    recommended driver, and above each line why and on what evidence."""
    from nicdb.render.export_modprobe import modprobe_conf

    _export(ctx, "conf", src_from, sysfs, kernel, modules_alias, output, force, modprobe_conf)


def _chips_command(name: str, ext: str, presenter: str, doc: str):
    """``export udev`` and ``export hwdb``: the chip rows of every ID, or of a scope's."""

    @export.command(name, help=doc)
    @_options(_SCOPE)
    @click.option("--this-machine", is_flag=True, help="Only the IDs of this machine's NICs.")
    @_options(_OUTPUT)
    @click.pass_context
    def command(ctx, src_from, sysfs, this_machine, output, force):
        module, func = presenter.rsplit(".", 1)
        present = getattr(__import__(module, fromlist=[func]), func)
        _export_chips(ctx, ext, src_from, sysfs, this_machine, output, force, present)

    return command


export_udev = _chips_command(
    "udev", "rules", "nicdb.render.export_udev.udev_rules",
    """udev rules: each NIC's chip by its revision.

    The rules set ID_NICDB_CHIP, ID_NICDB_FAMILY and ID_NICDB_CONFIDENCE on network PCI
    devices by vendor, device and revision: for every chip nicdb knows, or with
    --this-machine / --from / --sysfs only for the IDs of the NICs found there (all of
    their revisions).""")
export_hwdb = _chips_command(
    "hwdb", "hwdb", "nicdb.render.export_hwdb.hwdb_file",
    """A hwdb file of revision-independent facts.

    What nicdb knows of a network PCI ID whatever its revision (its family; its chip
    where no revision splits the ID, else the revision ranges): for every chip nicdb
    knows, or with --this-machine / --from / --sysfs only for the IDs of the NICs found
    there.""")


_READ_BY = {"conf": "modprobe reads only *.conf files in /etc/modprobe.d",
            "rules": "udev reads only *.rules files in /etc/udev/rules.d",
            "hwdb": "systemd-hwdb reads only *.hwdb files in /etc/udev/hwdb.d"}


def _export_chips(ctx, ext, src_from, sysfs, this_machine, output, force, present) -> None:
    """udev and hwdb: every chip row, or the rows of the IDs found in a scope."""
    kb = open_kb(ctx)

    def rows(doc) -> list[dict]:
        ids = sorted({(n.device.vendor, n.device.device) for n in doc.nics
                      if n.device.vendor is not None and n.device.device is not None})
        return [c for v, d in ids for c in kb.chips(v, d, any_subsystem=True)]

    if not (src_from or sysfs or this_machine):
        chips = [c for v, d in kb.chip_ids() for c in kb.chips(v, d, any_subsystem=True)]
        _single(present(chips, f"every chip nicdb knows ({len(chips)} revision ranges)"), output, force, ext)
        return
    _export(ctx, ext, src_from, sysfs, None, None, output, force,
            lambda doc: present(rows(doc), f"the network cards of {doc.host or doc.source}"))


def _export(ctx, ext, src_from, sysfs, kernel, modules_alias, output, force, present) -> None:
    """One file for one machine, or one per host of a fleet folder."""
    from nicdb.commands.identify import is_fleet

    if src_from and not sysfs and is_fleet(src_from):
        _fleet(ctx, ext, src_from, kernel_for(kernel, None), modules_alias, output, force, present)
        return
    from nicdb.report import identify

    reading = load_devices(src_from, sysfs, nics_only=True)
    doc = identify(reading, open_kb(ctx), kernel=kernel_for(kernel, reading.kernel), alias_file=modules_alias)
    _single(present(doc), output, force, ext)


def _single(text: str, output: str | None, force: bool, ext: str) -> None:
    if not output:
        click.echo(text, nl=False)
        return
    from nicdb.outfiles import write_file

    if not output.endswith("." + ext):
        warn(f"{output}: {_READ_BY[ext]}")
    write_file(output, text, force=force)
    click.echo(f"wrote {output}", err=True)


def _fleet(ctx, ext, folder, kver, alias_file, output, force, present) -> None:
    """Every host of a fleet folder: all its files, or none when any host cannot be read."""
    from contextlib import nullcontext
    from pathlib import Path

    from nicdb.commands.identify import fleet_listing
    from nicdb.errors import InputError
    from nicdb.fleet import HostIdentifier
    from nicdb.inputs.fleet_folder import host_name
    from nicdb.outfiles import FolderWriter

    listing = fleet_listing(folder)
    hosts = [host_name(Path(n)) for n in listing.members]
    one = HostIdentifier(folder, open_kb(ctx), kernel=kver, alias_file=alias_file)
    failed: list[str] = []
    writer = None
    if output:
        writer = FolderWriter(output, [f"{h}.{ext}" for h in hosts], force=force)
    texts: list[str] = []
    with writer if writer is not None else nullcontext():
        for name in listing.members:
            host, path, doc, err = one(name)
            if err is not None:
                failed.append(err)
                continue
            if failed:
                continue  # nothing will be written: only the other failures are of interest
            text = present(doc)
            if writer is not None:
                writer.add(f"{host}.{ext}", text)
            else:
                texts.append(f"# ==> {host} <==\n{text}\n")
        if failed:
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            raise InputError(f"{failed[0]}{more}; nothing was written")
        if writer is not None:
            writer.commit()
            click.echo(f"wrote {len(hosts)} files into {output}", err=True)
    if writer is None:
        click.echo("".join(texts), nl=False)


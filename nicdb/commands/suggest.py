"""nicdb suggest: driver and module parameters, with the evidence."""

from __future__ import annotations

import os

import click

from nicdb.commands.common import kernel_for, load_devices, open_kb, out_mode, src_options
from nicdb.errors import InputError


@click.command()
@click.argument("target", required=False, metavar="[SLOT|IFACE]")
@click.option("--id", "pci_id", metavar="VENDOR:DEVICE", help="Advise for this ID instead of a device.")
@click.option("--rev", metavar="REV", help="Revision ID (hex) with --id.")
@click.option("--plot", metavar="FILE", help="Also draw the evidence for the advised parameter (the seed's "
                                            "measurements and yours) into FILE (.svg or .png; needs matplotlib).")
@src_options
@click.pass_context
def suggest(ctx, target, pci_id, rev, plot, src_from, sysfs, dmesg, kernel, modules_alias, as_json, plain):
    """Recommend a driver and its module parameters (such as DMA_length), with the evidence."""
    from nicdb.report import identify

    if plot:
        from nicdb.render.plot import check_path

        check_path(plot)

    if pci_id:
        if target or src_from or sysfs or dmesg:
            raise InputError("--id cannot be combined with a device, --from, --sysfs or --dmesg")
        reading = _id_reading(pci_id, rev)
    else:
        if rev:
            raise InputError("--rev goes with --id")
        reading = load_devices(src_from, sysfs, nics_only=not target, dmesg=dmesg)
        if target:
            reading.devices = _pick(reading, target)
    doc = identify(reading, open_kb(ctx), kernel=kernel_for(kernel, reading.kernel), alias_file=modules_alias,
                   nics_only=not target, live_params=True)
    if plot:
        _plot(doc, plot)
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.document(doc)))
        return
    from nicdb.render import show
    from nicdb.render.views import suggest_document_view

    show(suggest_document_view(doc), mode)
    if plot:
        click.echo(f"chart written to {plot}")


def _plot(doc, path: str) -> None:
    """The chart of the first NIC whose advice has measurements behind it."""
    from nicdb.render import plot
    from nicdb.render.views import param_chart

    for rep in doc.nics:
        chart = param_chart(rep)
        if chart is not None:
            plot.save(chart, path)
            return
    raise InputError("nothing to plot: no measurements back the advice for these NICs")


def _id_reading(pci_id: str, rev: str | None):
    """``--id VENDOR:DEVICE [--rev REV]``: one device of that ID, network class, for the
    running kernel unless --kernel says otherwise."""
    from nicdb.ids import parse_pci_id, parse_rev
    from nicdb.inputs import Reading
    from nicdb.model import PciDevice

    v, d, sv, sd = parse_pci_id(pci_id)
    dev = PciDevice(slot="-", vendor=v, device=d, subsystem_vendor=sv, subsystem_device=sd,
                    revision=parse_rev(rev) if rev is not None else None, class_code=0x020000, origin="--id")
    if rev is None:
        dev.notes.append("no --rev given: revision-specific advice is left out")
    return Reading([dev], "--id", kernel=os.uname().release)


def _pick(reading, target: str) -> list:
    """The device at a slot, or the one that has an interface of that name."""
    from nicdb.model import normalize_slot

    slot = normalize_slot(target)
    found = [x for x in reading.devices if x.slot == slot or any(i.name == target for i in x.interfaces)]
    if not found:
        raise InputError(f"no PCI device or interface named {target!r} in {reading.label}")
    return found

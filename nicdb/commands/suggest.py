"""nicdb suggest: driver and module parameters, with the evidence."""

from __future__ import annotations

import os

import click

from nicdb.commands.common import kernel_for, load_devices, make_reports, open_kb, out_mode, show, src_options
from nicdb.errors import InputError


@click.command()
@click.argument("target", required=False, metavar="[SLOT|IFACE]")
@click.option("--id", "pci_id", metavar="VENDOR:DEVICE", help="Advise for this ID instead of a device.")
@click.option("--rev", metavar="REV", help="Revision ID (hex) with --id.")
@src_options
@click.pass_context
def suggest(ctx, target, pci_id, rev, src_from, sysfs, kernel, modules_alias, as_json, plain):
    """Recommend a driver and module parameters (e.g. DMA_length), with the evidence."""
    from nicdb.model import PciDevice, normalize_slot

    if pci_id:
        if target or src_from or sysfs:
            raise InputError("--id cannot be combined with a device, --from or --sysfs")
        from nicdb.ids import parse_pci_id, parse_rev

        v, d, sv, sd = parse_pci_id(pci_id)
        devices = [PciDevice(slot="-", vendor=v, device=d, subsystem_vendor=sv, subsystem_device=sd,
                             revision=parse_rev(rev) if rev is not None else None, class_code=0x020000,
                             origin="--id")]
        live, source, hint = False, "--id", os.uname().release
        if rev is None:
            devices[0].notes.append("no --rev given: revision-specific advice is left out")
    else:
        if rev:
            raise InputError("--rev goes with --id")
        devices, source, live, hint = load_devices(src_from, sysfs, nics_only=not target)
        if target:
            slot = normalize_slot(target)
            devices = [x for x in devices if x.slot == slot or any(i.name == target for i in x.interfaces)]
            if not devices:
                raise InputError(f"no PCI device or interface named {target!r} in {source}")
        else:
            devices = [x for x in devices if x.is_nic]
    kver = kernel_for(kernel, hint)
    reports = make_reports(ctx, devices, kernel=kver, nics_only=False, alias_file=modules_alias, live=live)
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.document(reports, source=source, kernel=kver)))
        return
    from nicdb.render.views import suggest_view

    kb = open_kb(ctx)
    blocks: list = []
    for rep in reports:
        blocks += suggest_view(rep, kb)
    if not reports:
        from nicdb.render.blocks import Text

        blocks = [Text("no network devices found", "note")]
    show(blocks, mode)

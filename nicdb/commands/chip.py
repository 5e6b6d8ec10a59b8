"""nicdb chip: which chip a vendor:device is at a revision."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, out_mode
from nicdb.render import show


@click.command()
@click.argument("pci_id", metavar="VENDOR:DEVICE")
@click.option("--rev", metavar="REV", help="Revision ID in hex (11, 0x11).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md).")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def chip(ctx, pci_id, rev, as_json, plain):
    """Which chip is VENDOR:DEVICE at revision REV (all ranges without --rev)."""
    from nicdb.ids import parse_pci_id, parse_rev

    vendor, device, sv, sd = parse_pci_id(pci_id)
    r = parse_rev(rev) if rev is not None else None
    kb = open_kb(ctx)
    chips = kb.chips(vendor, device, r, sv, sd)
    supports = kb.supports(vendor, device, r)
    names = (kb.vendor_name(vendor), kb.device_name(vendor, device))
    mode = out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps({
            "vendor": {"id": f"{vendor:04x}", "name": names[0]},
            "device": {"id": f"{device:04x}", "name": names[1]},
            "revision": None if r is None else f"{r:02x}",
            "chips": [json_out.chip_to_dict(c) for c in chips],
            "drivers": [{"driver": s["driver"], "kind": s["kind"], "status": s["status"],
                         "revs": f"{s['rev_lo']:02x}-{s['rev_hi']:02x}", "kernels": s["kernels"],
                         "reason": s["reason"], "confidence": s["confidence"]} for s in supports],
        }))
        return
    from nicdb.render.views import chip_view

    show(chip_view(vendor, device, r, chips, names, supports), mode)

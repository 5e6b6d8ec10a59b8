"""nicdb snapshot: an archive of the sysfs attributes nicdb reads."""

from __future__ import annotations

import click


@click.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--sys-root", default="/sys", show_default=True, hidden=True)
def snapshot(out, sys_root):
    """Write the sysfs attributes nicdb reads to an archive OUT (for identify --sysfs)."""
    from nicdb.inputs.snapshot import write_snapshot

    meta = write_snapshot(out, sys_root)
    click.echo(f"wrote {out}: {meta['functions']} PCI functions, {meta['interfaces']} interfaces "
               f"(host {meta['host']}, kernel {meta['kernel']})")

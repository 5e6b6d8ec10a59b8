"""nicdb snapshot: an archive of the sysfs attributes nicdb reads."""

from __future__ import annotations

import click


@click.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--sys-root", default="/sys", show_default=True, hidden=True)
@click.option("--dmesg", metavar="FILE|-",
              help="Keep this saved kernel log's lines about the devices instead of the running kernel's "
                   "(which is read from /dev/kmsg or journalctl -k when allowed).")
def snapshot(out, sys_root, dmesg):
    """Write the sysfs attributes nicdb reads, and the kernel log's lines about the devices,
    to an archive OUT (for identify --sysfs)."""
    from nicdb.inputs.snapshot import write_snapshot

    meta = write_snapshot(out, sys_root, log=dmesg)
    log = meta.get("kernel_log")
    said = (f", {log['lines']} kernel-log lines{' (cut at 1 MiB)' if log['truncated'] else ''}" if log
            else ", no kernel log")
    click.echo(f"wrote {out}: {meta['functions']} PCI functions, {meta['interfaces']} interfaces{said} "
               f"(host {meta['host']}, kernel {meta['kernel']})")
    if meta.get("kernel_log_note"):
        from nicdb.commands.common import warn

        warn(meta["kernel_log_note"])

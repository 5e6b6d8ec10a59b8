"""nicdb snapshot: an archive of the sysfs attributes nicdb reads."""

from __future__ import annotations

import click


@click.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--sys-root", default="/sys", show_default=True, hidden=True)
@click.option("--root", default="/", show_default=True, hidden=True,
              help="Where /lib/firmware and /etc/os-release are looked up (tests).")
@click.option("--dmesg", metavar="FILE|-",
              help="Keep this saved kernel log's lines about the devices instead of the running kernel's "
                   "(which is read from /dev/kmsg or journalctl -k when allowed).")
@click.pass_context
def snapshot(ctx, out, sys_root, root, dmesg):
    """Write the sysfs attributes nicdb reads, and the kernel log's lines about the devices,
    to an archive OUT (for identify --sysfs).

    The archive also records the host's /etc/os-release and which of the firmware files
    its NICs' drivers may request are installed, so that identify --sysfs OUT can say
    on another machine what firmware that host lacks.
    """
    from nicdb.commands.common import open_kb, warn
    from nicdb.inputs.host import live_system
    from nicdb.inputs.snapshot import write_snapshot
    from nicdb.inputs.sysfs import read_tree
    from nicdb.report import firmware_names_to_record

    system = live_system(root)
    names = firmware_names_to_record(read_tree(sys_root), open_kb(ctx))
    meta = write_snapshot(out, sys_root, log=dmesg,
                          extra={"os_release": system.os_release, "firmware": system.record(names)})
    found = sum(1 for v in meta["firmware"]["files"].values() if v)
    log = meta.get("kernel_log")
    said = (f", {log['lines']} kernel-log lines{' (cut at 1 MiB)' if log['truncated'] else ''}" if log
            else ", no kernel log")
    click.echo(f"wrote {out}: {meta['functions']} PCI functions, {meta['interfaces']} interfaces{said}, "
               f"{found} of {len(names)} firmware files present (host {meta['host']}, kernel {meta['kernel']})")
    if meta.get("kernel_log_note"):
        warn(meta["kernel_log_note"])

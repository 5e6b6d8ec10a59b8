"""What the commands share: output modes, warnings, the knowledge base of this run, and
the access method chosen by --from/--sysfs."""

from __future__ import annotations

import sys

import click

from nicdb.errors import InputError


def out_mode(as_json: bool, plain: bool) -> str:
    """"json", "plain" (pipes, files, --plain) or "term" (an interactive terminal)."""
    if as_json:
        return "json"
    if plain or not sys.stdout.isatty():
        return "plain"
    return "term"


def one_line(msg: str) -> str:
    """``msg`` with line breaks and other control characters escaped: a path or value
    with a newline or an escape sequence in it can neither split an error or warning into
    two lines nor reach the terminal."""
    from nicdb.render.visible import visible

    return visible(msg)


def warn(msg: str) -> None:
    click.echo(f"nicdb: warning: {one_line(msg)}", err=True)


def open_kb(ctx: click.Context):
    from nicdb.kb.store import KnowledgeBase

    obj = ctx.find_root().obj or {}
    if "kb" not in obj:
        obj["kb"] = KnowledgeBase.open(obj.get("db"), pci_ids=obj.get("pci_ids"), warn=warn)
    return obj["kb"]


def load_devices(src_from: str | None, sysfs: str | None, nics_only: bool = False, dmesg: str | None = None):
    """The :class:`~nicdb.inputs.Reading` of the chosen access method: ``--sysfs``, ``--from``
    or this machine, with what the kernel log says of its devices (``--dmesg FILE``, a
    snapshot's log, or this machine's). ``nics_only`` lets a method skip reading devices
    that are not NICs."""
    from nicdb import inputs

    if src_from and sysfs:
        raise InputError("give either --from or --sysfs, not both")
    if sysfs:
        reading = inputs.read_path(sysfs, nics_only, sysfs_only=True)
        reading.label = f"sysfs:{sysfs}"
    elif src_from:
        reading = inputs.read_path(src_from, nics_only)
    else:
        reading = inputs.read_live(nics_only)
    return inputs.with_kernel_log(reading, dmesg)


def kernel_for(option: str | None, hint: str | None) -> str | None:
    """The kernel the advice is for: --kernel, else the machine's (live or from a snapshot)."""
    if option:
        from nicdb.versions import parse_version

        parse_version(option)
        return option
    return hint


SRC_OPTIONS = [
    click.option("--from", "src_from", metavar="FILE|DIR|-",
                 help="Read lspci text, lspci -x dumps or nicdb JSON instead of this machine."),
    click.option("--sysfs", metavar="DIR", help="Read a sysfs-shaped directory instead of this machine."),
    click.option("--dmesg", metavar="FILE|-",
                 help="A saved kernel log (dmesg, journalctl -k or a hw-probe log) of the same machine: what its "
                      "drivers printed (chip names, XIDs, bus width and clock, missing firmware) is tied to the "
                      "devices. Without it nicdb reads this machine's log when it may (or a snapshot's)."),
    click.option("--kernel", metavar="VERSION", help="Kernel version the advice is for (default: running kernel)."),
    click.option("--modules-alias", metavar="FILE",
                 help="modules.alias to match candidate modules against (default: the running kernel's "
                      "when live, else nicdb's shipped table)."),
    click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema: docs/json.md)."),
    click.option("--plain", is_flag=True, help="Plain text even on a terminal."),
]


def src_options(f):
    for opt in reversed(SRC_OPTIONS):
        f = opt(f)
    return f

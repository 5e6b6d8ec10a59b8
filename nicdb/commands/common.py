"""What the commands share: output modes, warnings, the knowledge base of this run,
the access method chosen by --from/--sysfs, and module candidates."""

from __future__ import annotations

import os
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


def show(blocks: list, mode: str) -> None:
    """Present view blocks: on a terminal with nicdb's own presenter (standard library,
    instant), with rich for long fleet runs ("rich"), else as plain text. Control
    characters from the inputs are shown as escapes, never sent to the terminal."""
    from nicdb.render.blocks import visible_blocks

    blocks = visible_blocks(blocks)
    if mode == "term":
        from nicdb.render import term

        term.render(blocks)
    elif mode == "rich":
        from nicdb.render import rich_out

        rich_out.render(blocks)
    else:
        from nicdb.render import plain

        sys.stdout.write(plain.render(blocks))


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


def load_devices(src_from: str | None, sysfs: str | None, nics_only: bool = False) -> tuple[list, str, bool, str | None]:
    """Devices from the chosen access method: (devices, source label, live?, kernel hint).

    ``nics_only`` lets the live method skip reading devices that are not NICs."""
    if src_from and sysfs:
        raise InputError("give either --from or --sysfs, not both")
    if sysfs:
        from nicdb.inputs.snapshot import read_snapshot

        devices, meta = read_snapshot(sysfs)
        kernel = meta.get("kernel") if isinstance(meta.get("kernel"), str) else None
        return devices, f"sysfs:{sysfs}", False, kernel
    if src_from:
        from nicdb.inputs.files import read_input

        return read_input(src_from), src_from, False, None
    from nicdb.inputs import udev

    return udev.live_devices(nics_only=nics_only), "udev", True, os.uname().release


def kernel_for(option: str | None, hint: str | None) -> str | None:
    """The kernel the advice is for: --kernel, else the machine's (live or from a snapshot)."""
    if option:
        from nicdb.versions import parse_version

        parse_version(option)
        return option
    return hint


def module_finder(kb, alias_file: str | None, live: bool):
    """``device -> (candidate modules, where from)``: the input's own "Kernel modules" line
    when it has one, else modules.alias: --modules-alias FILE, or the database's cached copy
    of the running kernel's table (live) or of nicdb's shipped table."""
    from nicdb import modalias

    if alias_file:
        table, desc = modalias.resolve_table(alias_file)
        return lambda dev: (list(dev.modules), "the input's Kernel modules line") if dev.modules \
            else (table.candidates(dev), desc)
    source, desc = kb.alias_source(prefer_running=live)
    rows: dict[tuple[int, int], list] = {}  # the aliases that can match a vendor:device
    found: dict[tuple, list[str]] = {}  # modalias key -> candidates (fleets repeat them)

    def find(dev):
        if dev.modules:
            return list(dev.modules), "the input's Kernel modules line"
        if source is None or dev.vendor is None:
            return None, desc
        key = modalias.modalias_key(dev)
        mods = found.get(key)
        if mods is None:
            ids = (dev.vendor, dev.device)
            if dev.device is None:
                cands = []
            else:
                if ids not in rows:
                    rows[ids] = kb.alias_rows(source, dev.vendor, dev.device)
                cands = modalias.candidates_among(rows[ids], key)
            mods = found[key] = cands
        return list(mods), desc

    return find


def make_reports(ctx, devices, *, kernel, nics_only=True, alias_file=None, live=False):
    from nicdb.report import build_reports

    from nicdb.inputs import resolve_missing_ids

    kb = open_kb(ctx)
    resolve_missing_ids(devices, kb)
    return build_reports(devices, kb, kernel=kernel, nics_only=nics_only,
                         modules=module_finder(kb, alias_file, live))


SRC_OPTIONS = [
    click.option("--from", "src_from", metavar="FILE|DIR|-",
                 help="Read lspci text, lspci -x dumps or nicdb JSON instead of this machine."),
    click.option("--sysfs", metavar="DIR", help="Read a sysfs-shaped directory instead of this machine."),
    click.option("--kernel", metavar="VERSION", help="Kernel version the advice is for (default: running kernel)."),
    click.option("--modules-alias", metavar="FILE",
                 help="modules.alias to match candidate modules against (default: the running kernel's "
                      "when live, else nicdb's shipped table)."),
    click.option("--json", "as_json", is_flag=True, help="Machine-readable output (see README: JSON output)."),
    click.option("--plain", is_flag=True, help="Plain text even on a terminal."),
]


def src_options(f):
    for opt in reversed(SRC_OPTIONS):
        f = opt(f)
    return f

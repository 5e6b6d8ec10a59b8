"""The nicdb command line: a thin click layer over the library.

Heavy modules (rich, sqlite-utils) are imported only by the commands that need them.
Every error a user can cause ends as one line on stderr and exit status 2.
"""

from __future__ import annotations

import os
import sys

import click

from nicdb import __version__
from nicdb.errors import InputError, NicdbError


# ---------------------------------------------------------------- shared helpers
def _out_mode(as_json: bool, plain: bool) -> str:
    if as_json:
        return "json"
    if plain or not sys.stdout.isatty():
        return "plain"
    return "rich"


def show(blocks: list, mode: str) -> None:
    if mode == "rich":
        from nicdb.render import rich_out

        rich_out.render(blocks)
    else:
        from nicdb.render import plain

        sys.stdout.write(plain.render(blocks))


_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits at


def one_line(msg: str) -> str:
    """``msg`` with line breaks escaped: a path or value with a newline in it cannot split
    an error or warning into two lines."""
    if len(msg.splitlines()) <= 1 and not msg.endswith(tuple(_LINE_BREAKS)):
        return msg
    return "".join(repr(c)[1:-1] if c in _LINE_BREAKS else c for c in msg)


def warn(msg: str) -> None:
    click.echo(f"nicdb: warning: {one_line(msg)}", err=True)


def open_kb(ctx: click.Context):
    from nicdb.kb.store import KnowledgeBase

    obj = ctx.find_root().obj or {}
    if "kb" not in obj:
        obj["kb"] = KnowledgeBase.open(obj.get("db"), pci_ids=obj.get("pci_ids"), warn=warn)
    return obj["kb"]


def load_devices(src_from: str | None, sysfs: str | None) -> tuple[list, str, bool, str | None]:
    """Devices from the chosen access method: (devices, source label, live?, kernel hint)."""
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

    return udev.live_devices(), "udev", True, os.uname().release


def _kernel(option: str | None, hint: str | None) -> str | None:
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
    tables: dict[int, object] = {}

    def find(dev):
        if dev.modules:
            return list(dev.modules), "the input's Kernel modules line"
        if source is None or dev.vendor is None:
            return None, desc
        table = tables.get(dev.vendor)
        if table is None:
            text = kb.alias_lines(source, dev.vendor)
            table = tables[dev.vendor] = modalias.AliasTable.from_text(text, desc) if text else False
        return (table.candidates(dev) if table else []), desc

    return find


def make_reports(ctx, devices, *, kernel, nics_only=True, alias_file=None, live=False):
    from nicdb.report import build_reports

    kb = open_kb(ctx)
    resolve_names(devices, kb)
    return build_reports(devices, kb, kernel=kernel, nics_only=nics_only,
                         modules=module_finder(kb, alias_file, live))


def resolve_names(devices, kb) -> None:
    """Name-only input (plain lspci): IDs from pci.ids names, before anything is looked up."""
    if any(d.vendor is None or d.device is None or d.class_code is None for d in devices):
        from nicdb.inputs.resolve_names import resolve_ids

        resolve_ids(devices, kb)


# ---------------------------------------------------------------- the group
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nicdb")
@click.option("--db", type=click.Path(dir_okay=False), envvar="NICDB_DB",
              help="Database file (default: ~/.cache/nicdb/nicdb.sqlite; env NICDB_DB).")
@click.option("--pci-ids", type=click.Path(dir_okay=False),
              help="pci.ids file to take names from (default: the system's; env NICDB_PCI_IDS).")
@click.pass_context
def cli(ctx: click.Context, db: str | None, pci_ids: str | None) -> None:
    """Identify PCI network chips down to the revision ID, and choose their driver
    and module parameters -- with the evidence behind every answer."""
    ctx.obj = {"db": db, "pci_ids": pci_ids}


_src_options = [
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
    for opt in reversed(_src_options):
        f = opt(f)
    return f


@cli.command()
@src_options
@click.option("--all", "all_devices", is_flag=True, help="Show every PCI device, not only NICs.")
@click.pass_context
def identify(ctx, src_from, sysfs, kernel, modules_alias, as_json, plain, all_devices):
    """Identify every NIC: chip by revision, driver, and a one-line advice."""
    mode = _out_mode(as_json, plain)
    if src_from and not sysfs and _is_fleet(src_from):
        return run_fleet(ctx, src_from, _kernel(kernel, None), modules_alias, mode, all_devices)
    devices, source, live, hint = load_devices(src_from, sysfs)
    kver = _kernel(kernel, hint)
    reports = make_reports(ctx, devices, kernel=kver, nics_only=not all_devices, alias_file=modules_alias,
                           live=live)
    mode = _out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render import json_out

        click.echo(json_out.dumps(json_out.document(reports, source=source, kernel=kver,
                                                    host=os.uname().nodename if live else None)))
        return
    from nicdb.render.views import identify_view

    show(identify_view(reports), mode)


def _is_fleet(path: str) -> bool:
    """A folder given to --from is a fleet unless it is itself a sysfs tree or snapshot."""
    return (os.path.isdir(path) and not os.path.isdir(os.path.join(path, "bus", "pci", "devices"))
            and not os.path.isdir(os.path.join(path, "nicdb-snapshot")))


def run_fleet(ctx, folder: str, kver: str | None, alias_file: str | None, mode: str, all_devices: bool):
    """identify --from DIR: one host per file, streamed; then the fleet summary."""
    import json

    from nicdb.fleet import FleetSummary
    from nicdb.inputs.files import fleet_members, iter_fleet
    from nicdb.render import json_out
    from nicdb.render.views import fleet_row, fleet_rows_header, fleet_summary_view
    from nicdb.report import Identifier, build_reports

    kb = open_kb(ctx)
    ident = Identifier(kb, kernel=kver)
    finder = module_finder(kb, alias_file, live=False)
    summary = FleetSummary()
    out = sys.stdout
    widths = (20, 13, 17, 34, 14)
    progress = task = None
    if mode == "rich" and sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
        progress.start()
        task = progress.add_task("reading hosts", total=len(fleet_members(folder)))
    elif mode != "json":
        out.write("  ".join(h.ljust(w) for h, w in zip(fleet_rows_header(), widths + (0,))).rstrip() + "\n")
    try:
        for host, path, devices, err in iter_fleet(folder):
            if progress is not None:
                progress.advance(task)
            if err is not None:
                click.echo(f"nicdb: error: {one_line(str(err))}", err=True)
                summary.fail(host, err)
                continue
            resolve_names(devices, kb)
            reps = build_reports(devices, kb, kernel=kver, modules=finder, nics_only=not all_devices,
                                 identifier=ident)
            summary.add(host, reps)
            if mode == "json":
                doc = json_out.document(reps, source=str(path), kernel=kver, host=host)
                out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
            elif progress is None:
                for r in reps:
                    out.write("  ".join(c.ljust(w) for c, w in zip(fleet_row(host, r), widths + (0,))).rstrip()
                              + "\n")
    finally:
        if progress is not None:
            progress.stop()
    data = summary.to_dict()
    if mode == "json":
        out.write(json.dumps({"summary": data}, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        show(fleet_summary_view(data), mode)
    if summary.failed_count:
        ctx.exit(2)


@cli.command()
@click.argument("pci_id", metavar="VENDOR:DEVICE")
@click.option("--rev", metavar="REV", help="Revision ID in hex (11, 0x11).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--plain", is_flag=True)
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
    mode = _out_mode(as_json, plain)
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


@cli.command()
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
        devices, source, live, hint = load_devices(src_from, sysfs)
        if target:
            slot = normalize_slot(target)
            devices = [x for x in devices if x.slot == slot or any(i.name == target for i in x.interfaces)]
            if not devices:
                raise InputError(f"no PCI device or interface named {target!r} in {source}")
        else:
            devices = [x for x in devices if x.is_nic]
    kver = _kernel(kernel, hint)
    reports = make_reports(ctx, devices, kernel=kver, nics_only=False, alias_file=modules_alias, live=live)
    mode = _out_mode(as_json, plain)
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


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--plain", is_flag=True)
@click.pass_context
def families(ctx, as_json, plain):
    """List the chip families nicdb knows, with their PCI IDs and drivers."""
    fams = open_kb(ctx).families()
    mode = _out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render.json_out import dumps

        click.echo(dumps([{k: f[k] for k in ("id", "name", "line_rate_mbps", "summary", "ids", "chips", "drivers")}
                          for f in fams]))
        return
    from nicdb.render.views import families_view

    show(families_view(fams), mode)


@cli.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
@click.option("--plain", is_flag=True)
@click.pass_context
def search(ctx, text, as_json, plain):
    """Find chips, families, drivers, vendors and devices by name."""
    if not text.strip():
        raise InputError("search text is empty")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # bytes the locale could not decode arrive as lone surrogates
            raise InputError(f"search text {text!r} is not valid UTF-8") from None
    res = open_kb(ctx).search(text)
    mode = _out_mode(as_json, plain)
    if mode == "json":
        from nicdb.render.json_out import dumps

        click.echo(dumps(res))
        return
    from nicdb.render.views import search_view

    show(search_view(text, res), mode)


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--sys-root", default="/sys", show_default=True, hidden=True)
def snapshot(out, sys_root):
    """Write the sysfs attributes nicdb reads to an archive OUT (for identify --sysfs)."""
    from nicdb.inputs.snapshot import write_snapshot

    meta = write_snapshot(out, sys_root)
    click.echo(f"wrote {out}: {meta['functions']} PCI functions, {meta['interfaces']} interfaces "
               f"(host {meta['host']}, kernel {meta['kernel']})")


def _rate(text: str | None) -> float | None:
    """``--rate``: Mb/s, or with a unit: 100M, 1G, 2.5G, 10g."""
    if text is None:
        return None
    t = text.strip().lower().removesuffix("bit/s").removesuffix("b/s").removesuffix("bps")
    mult = {"k": 1e-3, "m": 1.0, "g": 1e3, "t": 1e6}.get(t[-1:], None)
    num = t[:-1] if mult is not None else t
    try:
        value = float(num) * (mult or 1.0)
    except ValueError:
        raise InputError(f"malformed rate {text!r}: expected Mb/s or a unit, e.g. 1000, 1G, 2.5G") from None
    if not 0 < value < 1e7:
        raise InputError(f"rate {text!r} is out of range")
    return value


@cli.command()
@click.argument("iface")
@click.option("--rate", metavar="RATE", help="Target rate: Mb/s or 100M, 1G, 10G (default: the link speed).")
@click.option("--rtt", type=float, metavar="MS", help="Round-trip time in ms (default: 1, a LAN).")
@click.option("--root", default="/", show_default=True, help="Read /proc and /sys below this folder.")
@click.option("--json", "as_json", is_flag=True)
def tune(iface, rate, rtt, root, as_json):
    """Throughput settings of IFACE and what to change, from the bandwidth-delay product.

    Reads interrupt coalescing and rings (ethtool), txqueuelen, netdev_max_backlog, socket
    and TCP buffers, congestion control and MTU; prints each proposal with its reason and
    the exact command. It never changes anything itself."""
    from nicdb.advice.tune import propose
    from nicdb.render.tune import tune_to_dict, tune_to_text
    from nicdb.tuning.read import read_settings

    if rtt is not None and not 0 < rtt < 1e6:
        raise InputError(f"--rtt {rtt} is out of range (milliseconds, greater than 0)")
    settings = read_settings(iface, root=root, ethtool="ethtool" if root == "/" else None)
    report = propose(settings, _rate(rate), rtt)
    if as_json:
        from nicdb.render.json_out import dumps

        click.echo(dumps(tune_to_dict(report)))
    else:
        click.echo(tune_to_text(report), nl=False)


@cli.group()
def db():
    """Build and inspect the knowledge-base database."""


@db.command("build")
@click.pass_context
def db_build(ctx):
    """Rebuild the database from data/, your overlay and pci.ids."""
    from nicdb.kb import build, paths

    obj = ctx.find_root().obj
    target = obj.get("db") or paths.default_db_path()
    ids = paths.pci_ids_file(obj.get("pci_ids"))
    rep = build.build(target, pci_ids=ids, strict_pci_ids=bool(obj.get("pci_ids")))
    for w in rep.warnings:
        warn(w)
    c = rep.counts
    click.echo(f"built {rep.path} in {rep.seconds:.2f} s: {c['families']} families, {c['chips']} revision ranges, "
               f"{c['drivers']} drivers, {c['measurements']} measurements, "
               f"{c['pci_devices']} pci.ids devices ({rep.pci_ids_version or 'no pci.ids'})")


@db.command("info")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def db_info(ctx, as_json):
    """Where the database is, what it was built from, and what it holds."""
    from nicdb.kb import paths

    kb = open_kb(ctx)
    meta = kb.meta()
    counts = {t: kb.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("families", "chips", "drivers", "params", "issues", "measurements", "pci_devices")}
    fp = meta.pop("fingerprint", "")
    meta["inputs"] = f"{max(0, fp.count(chr(10)))} files (data, overlay, pci.ids) checked by size and mtime"
    info = {"path": kb.path, "data": str(paths.data_dir()), "overlay": str(paths.overlay_dir()), **meta,
            "counts": counts}
    if as_json:
        from nicdb.render.json_out import dumps

        click.echo(dumps(info))
        return
    for k, v in info.items():
        if k == "counts":
            v = ", ".join(f"{n} {t}" for t, n in v.items())
        click.echo(f"{k:16} {v}")


@db.group("add")
def db_add():
    """Add your own knowledge to the local overlay (validated like nicdb's data)."""


def _added(path) -> None:
    click.echo(f"added to {path}; the database rebuilds on the next command")


@db_add.command("chip")
@click.argument("pci_id", metavar="VENDOR:DEVICE")
@click.option("--revs", required=True, help="Revision range in hex: 11, 10-1f or * .")
@click.option("--chip", "chip_name", required=True, help="Chip name.")
@click.option("--products", default="", help="Comma-separated product names.")
@click.option("--bus", type=click.Choice(["pci", "pci-x", "pcie", "integrated", "unknown"]), default="unknown")
@click.option("--line-rate", type=click.IntRange(1, 10**7), help="Line rate in Mb/s.")
@click.option("--notes", default="")
def db_add_chip(pci_id, revs, chip_name, products, bus, line_rate, notes):
    """A chip (revision range) of your own."""
    from nicdb.ids import parse_pci_id, parse_rev_range
    from nicdb.kb import overlay

    v, d, _, _ = parse_pci_id(pci_id)
    lo, hi = parse_rev_range(revs)
    fam = f"local-{v:04x}{d:04x}"
    header = overlay.table("[family]", {"id": fam, "name": f"Local notes for {v:04x}:{d:04x}",
                                        "line_rate_mbps": line_rate})
    row = overlay.table("[[chips]]", {
        "vendor": f"{v:04x}", "device": f"{d:04x}", "revs": f"{lo:02x}-{hi:02x}", "chip": chip_name,
        "products": [p.strip() for p in products.split(",") if p.strip()], "bus": bus,
        "line_rate_mbps": line_rate, "notes": notes, "confidence": "local"})
    _added(overlay.add_rows("families", fam, header, row))


@db_add.command("measurement")
@click.option("--set", "set_id", required=True, help="Name of your measurement set, e.g. my-vt6122.")
@click.option("--id", "pci_id", required=True, metavar="VENDOR:DEVICE")
@click.option("--rev", default="*", help="Revision (hex) or range the set applies to.")
@click.option("--driver", required=True)
@click.option("--direction", type=click.Choice(["tx", "rx"]), required=True)
@click.option("--mbps", type=click.FloatRange(0, 10**7), required=True)
@click.option("--dma-length", type=click.IntRange(0, 255))
@click.option("--mtu", type=click.IntRange(68, 65536), default=1500, show_default=True)
@click.option("--cpu-local", type=click.IntRange(0, 100))
@click.option("--cpu-peer", type=click.IntRange(0, 100))
@click.option("--tool", default="iperf3", show_default=True)
@click.option("--title", default="")
@click.option("--board", default="")
@click.option("--note", default="")
def db_add_measurement(set_id, pci_id, rev, driver, direction, mbps, dma_length, mtu, cpu_local, cpu_peer,
                       tool, title, board, note):
    """One throughput measurement (e.g. your own DMA_length sweep point)."""
    from nicdb.ids import parse_pci_id, parse_rev_range
    from nicdb.kb import overlay

    v, d, _, _ = parse_pci_id(pci_id)
    lo, hi = parse_rev_range(rev)
    overlay.safe_name(set_id, "set name")
    header = overlay.table("[set]", {"id": set_id, "title": title or f"Local measurements {set_id}", "tool": tool,
                                     "vendor": f"{v:04x}", "device": f"{d:04x}", "revs": f"{lo:02x}-{hi:02x}",
                                     "board": board, "confidence": "local"})
    row = overlay.table("[[rows]]", {"driver": driver, "dma_length": dma_length, "mtu": mtu,
                                     "direction": direction, "mbps": float(mbps), "cpu_local_pct": cpu_local,
                                     "cpu_peer_pct": cpu_peer, "note": note})
    _added(overlay.add_rows("measurements", set_id, header, row))


@db_add.command("issue")
@click.argument("driver")
@click.option("--id", "issue_id", required=True, help="Short id, e.g. tx-hang.")
@click.option("--title", required=True)
@click.option("--symptom", default="")
@click.option("--affected", default="*", help="Version range, e.g. '>=5.10,<6.1'.")
@click.option("--fixed-in", default="")
@click.option("--workaround", default="")
@click.option("--severity", type=click.Choice(["minor", "major", "critical"]), default="minor")
def db_add_issue(driver, issue_id, title, symptom, affected, fixed_in, workaround, severity):
    """A known issue of a driver nicdb knows."""
    from nicdb.kb import overlay
    from nicdb.versions import check_range

    check_range(affected)
    overlay.safe_name(driver, "driver")
    header = overlay.table("[driver]", {"name": driver, "extends": True})
    row = overlay.table("[[issues]]", {"id": issue_id, "title": title, "symptom": symptom, "affected": affected,
                                       "fixed_in": fixed_in, "workaround": workaround, "severity": severity,
                                       "confidence": "local"})
    _added(overlay.add_rows("drivers", f"{driver}.local", header, row))


# ---------------------------------------------------------------- entry point
def main(argv: list[str] | None = None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="nicdb", standalone_mode=False)
        if isinstance(rv, int) and not isinstance(rv, bool) and rv:
            sys.exit(rv)  # ctx.exit(N) comes back as a return value without standalone mode
    except NicdbError as e:
        click.echo(f"nicdb: error: {one_line(str(e))}", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:  # usage errors too: one line, like every other error
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if isinstance(e, click.UsageError) and ctx else ""
        click.echo(f"nicdb: error: {' '.join(e.format_message().split())}{hint}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("nicdb: aborted", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # a bug in nicdb, not the user's input: still no traceback unless asked
        if os.environ.get("NICDB_DEBUG"):
            raise
        click.echo(f"nicdb: internal error: {type(e).__name__}: {e} (run with NICDB_DEBUG=1 for details, "
                   "and please report it)", err=True)
        sys.exit(70)
    sys.exit(0)

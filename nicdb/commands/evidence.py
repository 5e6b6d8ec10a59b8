"""nicdb evidence: import your own throughput results, list and show measurement sets."""

from __future__ import annotations

import click

from nicdb.commands.common import open_kb, out_mode, warn
from nicdb.errors import InputError


@click.group()
def evidence():
    """Throughput measurements: nicdb's (the seed's) and your own."""


def _chip_and_bus(kb, ctx) -> tuple[str | None, str | None]:
    """The knowledge base's chip name and the bus description for the NIC of ``ctx``."""
    if ctx.vendor is None:
        return None, None
    from nicdb.advice.bus import bus_ceiling

    chips = kb.chips(ctx.vendor, ctx.device, ctx.revision)
    chip = chips[0] if chips else None
    bus = None
    if ctx.device_record is not None:
        verdict = bus_ceiling(ctx.device_record, chip, ctx.speed_mbps)
        bus = verdict.description if verdict.kind != "unknown" else None
    return (chip["chip"] if chip else None), bus


def _flag_context(pci_id: str, rev: str | None, kernel: str | None, host: str | None):
    """The context of a NIC named by flags (results made on another machine)."""
    from nicdb.evidence.context import Context
    from nicdb.ids import parse_pci_id, parse_rev

    v, d, _, _ = parse_pci_id(pci_id)
    if kernel:
        from nicdb.versions import parse_version

        parse_version(kernel)
    return Context(host=host, kernel=kernel, vendor=v, device=d, revision=parse_rev(rev) if rev else None)


def _measured_iface(runs) -> str:
    """The interface the runs went through: the one holding the local address iperf3
    reports, else the one the route to the peer a transcript names takes."""
    from nicdb.evidence.context import iface_for_address

    addrs = sorted({r.local_address for r in runs if r.local_address})
    found = sorted({i for i in (iface_for_address(a) for a in addrs) if i})
    how = "the results' local address"
    if not addrs:
        from nicdb.sweep.safety import route

        peers = sorted({r.peer for r in runs if r.peer})
        found, how = [], "the route to the peer"
        for peer in peers:
            try:
                dev = route(peer).get("dev")
            except InputError:
                dev = None
            if dev and dev not in found:
                found.append(dev)
        addrs = peers
    if len(found) != 1:
        why = ("the results do not say" if not addrs
               else f"{how} ({', '.join(addrs)}) leads to no interface here" if not found
               else f"they name several ({', '.join(found)})")
        raise InputError(f"which NIC was measured? {why}: give --iface IFACE, --slot SLOT or --id VENDOR:DEVICE")
    return found[0]


@evidence.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--iface", metavar="IFACE", help="The interface measured (default: the one holding the address "
                                               "iperf3 reports, on this machine).")
@click.option("--slot", metavar="SLOT", help="The PCI function measured, e.g. 0000:00:0a.0.")
@click.option("--id", "pci_id", metavar="VENDOR:DEVICE",
              help="The NIC's PCI ID, for results from another machine (nothing is read from this one).")
@click.option("--rev", metavar="REV", help="Its revision (hex), with --id.")
@click.option("--kernel", metavar="RELEASE", help="The kernel the results were measured on, with --id.")
@click.option("--host", metavar="NAME", help="The machine the results were measured on, with --id.")
@click.option("--driver", metavar="NAME", help="The driver under test (default: the interface's driver now).")
@click.option("--setting", metavar="NAME=VALUE",
              help="The setting in force during these runs, e.g. via_velocity.DMA_length=6, txqueuelen=2000, "
                   "net.core.rmem_max=4194304, coalesce.rx-usecs=50.")
@click.option("--direction", type=click.Choice(["tx", "rx"]),
              help="Which way the data went, for nuttcp output that does not say (tx: the machine under test sent).")
@click.option("--set", "set_id", metavar="NAME", help="The set to add the runs to (default: a new one named after "
                                                      "the host, interface, setting and time).")
@click.option("--title", help="The set's title (a new set only).")
@click.option("--note", default="", help="A remark stored with each row.")
@click.option("--sysfs", metavar="DIR", help="Read the NIC from a sysfs folder or snapshot instead of this machine.")
@click.pass_context
def evidence_import(ctx, files, iface, slot, pci_id, rev, kernel, host, driver, setting, direction, set_id, title,
                    note, sysfs):
    """Import iperf3 --json or nuttcp results (plain or -fparse) as a measurement set.

    Every file is read and checked before anything is stored: a file that is not what it
    claims is one line naming it, and nothing is written. The runs of one direction become
    one row (the median, and each run's Mb/s). The set records the NIC (PCI ID, revision,
    chip), the driver and its version, the module parameters in force, the kernel and the
    host -- read from this machine unless --id says the results come from another -- and
    then shows as your own evidence in 'nicdb suggest' and 'nicdb evidence show'."""
    from nicdb.evidence import record
    from nicdb.evidence.context import read_context
    from nicdb.evidence.runs import read_file

    runs = []
    for f in files:
        runs += read_file(f, direction)
    tools = sorted({r.tool for r in runs})
    if len(tools) > 1:
        raise InputError(f"the files hold {' and '.join(tools)} results: import each tool's into its own set")
    name, value = record.parse_assignment(setting) if setting else (None, None)
    if pci_id:
        if iface or slot or sysfs:
            raise InputError("--id describes a NIC elsewhere: it cannot be combined with --iface, --slot or --sysfs")
        context = _flag_context(pci_id, rev, kernel, host)
    else:
        if rev or kernel or host:
            raise InputError("--rev, --kernel and --host go with --id (else they are read from this machine)")
        if iface and slot:
            raise InputError("give --iface or --slot, not both")
        if not iface and not slot:
            iface = _measured_iface(runs)
        context = read_context(iface, slot, sysfs)
    for n in context.notes:
        warn(n)
    drv = driver or context.driver
    if not drv:
        raise InputError("which driver was under test? give --driver NAME")
    live_driver = not pci_id and not sysfs and (driver is None or driver == context.driver)
    if driver and context.driver and driver != context.driver:
        warn(f"{context.iface or 'the NIC'} is driven by {context.driver} now, not {driver}: "
             "its version and module parameters are not recorded")
    params = dict(context.params) if live_driver else {}
    if name and params:
        from nicdb.evidence.names import parse_setting

        st = parse_setting(name)
        now = params.get(st.key) if st.kind == "module-param" and st.module in (None, context.module) else None
        if now is not None and now.split(",")[0] != str(value):
            warn(f"{name}={value} was given, but {context.module}'s {st.key} is {now} now")
    kb = open_kb(ctx)
    chip, bus = _chip_and_bus(kb, context)
    by_dir: dict[str, list] = {}
    for r in runs:
        by_dir.setdefault(r.direction, []).append(r)
    rows = [record.row(d, rs, driver=drv, setting=name, value=value,
                       driver_version=context.driver_version if live_driver else None, params=params,
                       mtu=context.mtu, note=note) for d, rs in sorted(by_dir.items(), key=lambda kv: kv[0] != "tx")]
    peers = sorted({r.peer for r in runs if r.peer})
    head = record.header(set_id or record.default_set_id(context, name), context, tool=tools[0], setting=name,
                         chip=chip, bus=bus, peer=", ".join(peers), title=title)
    path, new = record.write(head, rows)
    counts = ", ".join(f"{d} {len(rs)}" for d, rs in sorted(by_dir.items(), key=lambda kv: kv[0] != "tx"))
    where = " ".join(x for x in (context.iface, context.slot) if x) or pci_id
    click.echo(f"imported {len(runs)} run{'s' if len(runs) != 1 else ''} ({counts}) of {drv} on {where} "
               f"{'as new set' if new else 'into set'} {head['id']} ({path}); see: nicdb evidence show {head['id']}")


@evidence.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def evidence_list(ctx, as_json, plain):
    """List the measurement sets: nicdb's and your own."""
    sets = open_kb(ctx).measurement_sets()
    if as_json:
        from nicdb.render.json_out import dumps, set_summary

        click.echo(dumps(set_summary(sets)))
        return
    from nicdb.render import show
    from nicdb.render.views import evidence_list_view

    show(evidence_list_view(sets), out_mode(False, plain))


@evidence.command("show")
@click.argument("set_id", metavar="SET")
@click.option("--plot", metavar="FILE", help="Also draw the chart into FILE (.svg or .png; needs matplotlib).")
@click.option("--kernel", metavar="VERSION", help="Judge against the advice for this kernel (default: a current one).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def evidence_show(ctx, set_id, plot, kernel, as_json, plain):
    """Show a measurement set: where it was made, its table and bars, what it means."""
    from nicdb.report import recommendations, read_evidence

    if plot:
        from nicdb.render.plot import check_path

        check_path(plot)
    if kernel:
        from nicdb.versions import parse_version

        parse_version(kernel)
    kb = open_kb(ctx)
    ms = kb.evidence(set_id)
    if ms is None:
        raise InputError(f"no measurement set {set_id!r} (see nicdb evidence list)")
    rec = recommendations(kb, ms, kernel)
    ms["verdicts"] = read_evidence(ms, kb, rec)
    if plot:
        from nicdb.render import plot as plotting
        from nicdb.render.views import evidence_chart

        plotting.save(evidence_chart([ms], rec), plot)
    if as_json:
        from nicdb.render.json_out import dumps, evidence_document

        click.echo(dumps(evidence_document(ms)))
    else:
        from nicdb.render import show
        from nicdb.render.views import evidence_show_view

        show(evidence_show_view(ms, rec), out_mode(False, plain))
    if plot:
        click.echo(f"chart written to {plot}", err=as_json)

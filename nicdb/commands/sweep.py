"""nicdb sweep: run the seed's experiment -- a setting through its values, iperf3 each time."""

from __future__ import annotations

import os
import re
import sys

import click

from nicdb.commands.common import open_kb, out_mode, warn
from nicdb.errors import InputError

_RANGE = re.compile(r"(-?\d+)\.\.(-?\d+)(?:/(\d+))?\Z")
MAX_VALUES = 100


def parse_values(text: str) -> list:
    """``0..7``, ``0..4096/512`` (a step), or a comma-separated list (``256,512,1024``;
    several numbers in one value are separated by spaces: ``4096 131072 6291456``)."""
    from nicdb.evidence.record import parse_value

    t = text.strip()
    m = _RANGE.match(t)
    if m:
        lo, hi, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        if hi < lo or step < 1:
            raise InputError(f"VALUES {text!r}: a range goes up: LOW..HIGH[/STEP]")
        if (hi - lo) // step + 1 > MAX_VALUES:
            raise InputError(f"VALUES {text!r}: more than {MAX_VALUES} values")
        return list(range(lo, hi + 1, step))
    parts = [p for p in (x.strip() for x in t.split(",")) if p]
    if not parts:
        raise InputError("VALUES is empty: give e.g. 0..7 or 256,512,1024")
    if len(parts) > MAX_VALUES:
        raise InputError(f"VALUES: more than {MAX_VALUES} values")
    values = [parse_value(p) for p in parts]
    seen = set()
    for p, v in zip(parts, values):
        key = tuple(v) if isinstance(v, list) else v
        if key in seen:
            raise InputError(f"VALUES lists {p!r} twice")
        seen.add(key)
    return values


def _cards(driver: str | None) -> int:
    """PCI functions bound to ``driver`` (an array parameter takes a value per card)."""
    if not driver:
        return 1
    try:
        return max(1, sum(1 for n in os.listdir(f"/sys/bus/pci/drivers/{driver}") if ":" in n and "." in n))
    except OSError:
        return 1


def _recommendation(kb, knob, context, ms_like: dict):
    """What nicdb recommends for the swept setting: the knowledge base's parameter advice
    for a module parameter, else what 'nicdb tune' would propose on this interface."""
    if knob.kind == "module-param":
        from nicdb.report import recommendations

        return recommendations(kb, ms_like, os.uname().release)
    from nicdb.advice.tune import propose, proposed_value
    from nicdb.tuning.read import read_settings

    try:
        value = proposed_value(propose(read_settings(knob.iface), None, None), knob.name)
    except InputError:
        value = None
    return lambda driver, setting: value if setting == knob.name else None


@click.command()
@click.argument("setting")
@click.argument("values")
@click.option("--peer", required=True, metavar="HOST", help="The machine running 'iperf3 -s' to measure against.")
@click.option("--port", type=click.IntRange(1, 65535), default=5201, show_default=True, help="Its iperf3 port.")
@click.option("--iface", metavar="IFACE", help="The interface under test (default: the one the route to the peer uses).")
@click.option("--duration", type=click.IntRange(1, 3600), default=10, show_default=True,
              help="Seconds per iperf3 run (whole seconds).")
@click.option("--reverse", is_flag=True, help="Measure receiving only (iperf3 -R) instead of sending.")
@click.option("--both", is_flag=True, help="Measure sending and receiving.")
@click.option("--repeat", type=click.IntRange(1, 100), default=1, show_default=True,
              help="Runs per value and direction; the median and spread are kept.")
@click.option("--wait", type=click.FloatRange(1, 600), default=30, show_default=True,
              help="Seconds to wait for the link and the peer after a change that resets the NIC.")
@click.option("--dry-run", is_flag=True, help="Print the plan and the exact commands; change nothing.")
@click.option("--yes", is_flag=True, help="Run without asking (nothing is changed without this or a yes at the prompt).")
@click.option("--force", is_flag=True, help="Reload a module even when it carries the only route to the peer "
                                            "or your SSH session.")
@click.option("--set", "set_id", metavar="NAME", help="The measurement set to save the results in (default: a new one).")
@click.option("--plot", metavar="FILE", help="Also draw the chart into FILE (.svg or .png; needs matplotlib).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output, at the end.")
@click.option("--plain", is_flag=True, help="Plain text even on a terminal.")
@click.pass_context
def sweep(ctx, setting, values, peer, port, iface, duration, reverse, both, repeat, wait, dry_run, yes, force,
          set_id, plot, as_json, plain):
    """Measure throughput at each value of SETTING, as the seed did for DMA_length 0..7.

    SETTING is a module parameter (via_velocity.DMA_length: the module is unloaded and
    loaded again with each value), an ethtool setting (coalesce.rx-usecs, ring.rx,
    offload.tso), a sysctl (net.core.rmem_max) or the interface's txqueuelen or mtu.
    VALUES is a range (0..7, 0..4096/512) or a list (256,512,1024). For each value nicdb
    applies it, waits for the link, runs iperf3 against --peer (which runs 'iperf3 -s')
    in each direction asked, and shows the row; the original value is restored at the
    end, on Ctrl-C and when a step fails. The results are saved as a measurement set
    (your own evidence in 'nicdb suggest') and read: the best value, whether it differs
    from nicdb's recommendation, and whether the curve flattens below the line rate.
    Nothing is changed without --yes or a yes at the prompt; --dry-run prints the plan."""
    from nicdb.evidence.context import read_context
    from nicdb.evidence.names import parse_setting
    from nicdb.render.sweep_out import SweepOutput, plan_lines
    from nicdb.sweep import iperf, knob_for, safety
    from nicdb.sweep.base import StepError
    from nicdb.sweep.runner import Plan, execute

    if reverse and both:
        raise InputError("give --reverse or --both, not both")
    st = parse_setting(setting)
    vals = parse_values(values)
    if plot:
        from nicdb.render.plot import check_path

        check_path(plot)
    address = iperf.resolve(peer)
    if iface is None:
        iface = safety.route(address).get("dev")
        if not iface:
            raise InputError(f"no route to {peer}: give --iface")
    context = read_context(iface)
    kb = open_kb(ctx)
    array = False
    if st.kind == "module-param" and st.module:
        drv = kb.driver(st.module)
        for p in (kb.params(drv["name"]) if drv else []):
            if p["name"] == st.key:
                array = bool(p["array"])
                for v in vals:
                    if isinstance(v, int) and ((p["min"] is not None and v < p["min"])
                                               or (p["max"] is not None and v > p["max"])):
                        raise InputError(f"{st.text}={v} is outside {drv['name']}'s range {p['min']}-{p['max']}")
    knob = knob_for(st.text, iface, cards=_cards(context.driver), array=array)
    for v in vals:
        knob.check(v)
    original = knob.read()
    if original is None and knob.kind != "module-param":
        raise InputError(f"cannot read the current value of {st.text} on {iface}, so it could not be restored; "
                         "nothing was changed")
    directions = ["rx"] if reverse else (["tx", "rx"] if both else ["tx"])
    plan = Plan(knob, iface, address, port, vals, directions, repeat, duration, original, wait)
    notes: list[str] = []
    refusal = None
    try:
        if knob.kind == "module-param":
            safety.check_module(knob, context.module, address, force, ssh_connection=os.environ.get("SSH_CONNECTION"))
        via = safety.route(address).get("dev")
        if via and via != iface:
            raise InputError(f"the route to {peer} goes through {via}, not {iface}: the sweep would measure "
                             "another NIC; nothing was changed")
    except InputError as e:
        refusal = e
    if dry_run:
        if knob.kind == "module-param":
            for v in vals[:1]:
                try:
                    said = knob.dry_run(v).strip()
                    notes.append(f"modprobe's dry run of {knob._arg(v)}: {said or 'nothing to insert'}")
                except StepError as e:
                    notes.append(str(e))  # "modprobe's dry run of ... failed: ..."
        if refusal is not None:
            notes.append(f"as things are, the sweep would be refused: {refusal}")
        return _finish_plan(plan, notes, as_json, plain)
    if refusal is not None:
        raise refusal
    safety.check_root(st.text)
    safety.check_tools(["iperf3"] + {"link": ["ip"], "sysctl": ["sysctl"], "ethtool": ["ethtool"],
                                     "module-param": ["modprobe"]}[knob.kind])
    err = iperf.reachable(address, port)
    if err is not None:
        raise InputError(f"the peer {peer}:{port} does not answer ({err}): is 'iperf3 -s' running there? "
                         "Nothing was changed")
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("nothing was changed: give --yes to run the sweep (or --dry-run to see the plan)")
        click.echo("\n".join(plan_lines(plan, notes)), err=True)
        if not click.confirm("Run it?", default=False, err=True):
            raise InputError("nothing was changed (not confirmed)")
    mode = out_mode(as_json, plain)
    events = SweepOutput(mode, st.label)
    params_now = None
    if knob.kind == "module-param":
        params_now = lambda: knob.state().params  # noqa: E731
    try:
        result = execute(plan, events, params_now)
    finally:
        events.close()
    return _finish_run(ctx, plan, result, context, st, set_id, plot, mode, params_now is not None)


def _finish_plan(plan, notes, as_json, plain):
    from nicdb.render.sweep_out import plan_lines

    if as_json:
        from nicdb.render.json_out import dumps, sweep_document

        click.echo(dumps(sweep_document(plan, "planned", notes=notes)))
    else:
        click.echo("".join(line + "\n" for line in plan_lines(plan, notes)), nl=False)
        click.echo("(dry run: nothing was changed)")


def _restore_message(knob, plan, result) -> str:
    restored = knob.describe(plan.original)
    if result.restored is True:
        return f"{knob.name} restored to {restored}"
    if result.restored is False:
        return f"{knob.name} could NOT be restored to {restored}: {result.restore_error}"
    return f"{knob.name} was not changed"


def _finish_run(ctx, plan, result, context, st, set_id, plot, mode, per_value_params):
    from nicdb.advice.evidence import fmt_value

    knob = plan.knob
    back = _restore_message(knob, plan, result)
    at = None
    if result.status != "done":
        nxt = len(result.done)
        at = fmt_value(plan.values[nxt]) if nxt < len(plan.values) else None
    # said first, so that it is said even if saving the results is interrupted
    if result.status == "failed":
        click.echo(f"nicdb: error: the sweep failed at {knob.name}={at}: {result.error}; {back}", err=True)
    elif result.status == "interrupted":
        click.echo(f"nicdb: interrupted at {knob.name}={at}; {back}", err=True)
    elif result.restored is False:
        click.echo(f"nicdb: error: {back}", err=True)
    else:
        click.echo(f"nicdb: {back}", err=True)
    try:
        _report(ctx, plan, result, context, st, set_id, plot, mode, per_value_params)
    except KeyboardInterrupt:
        click.echo("nicdb: interrupted while saving the results: they were not saved", err=True)
        ctx.exit(130)
    if result.status == "interrupted":
        ctx.exit(130)
    if result.status == "failed" or result.restored is False:
        ctx.exit(2)


def _report(ctx, plan, result, context, st, set_id, plot, mode, per_value_params):
    """Save what was measured as a measurement set, read it, show it (and draw it)."""
    from nicdb.advice.evidence import fmt_value
    from nicdb.evidence import record

    knob = plan.knob
    rows = []
    for i in result.done:
        for d, runs in result.runs[i].items():
            params = result.params.get(i) if per_value_params else context.params
            rows.append(record.row(d, runs, driver=context.driver or "unknown", setting=st.text,
                                   value=plan.values[i], driver_version=context.driver_version, params=params,
                                   mtu=context.mtu if knob.setting.key != "mtu" else None))
    saved = ms = rec = None
    if rows:
        from nicdb.commands.evidence import _chip_and_bus

        chip, bus = _chip_and_bus(open_kb(ctx), context)
        head = record.header(set_id or record.default_set_id(context, st.text), context, tool="iperf3",
                             setting=st.text, chip=chip, bus=bus, peer=f"{plan.peer}:{plan.port}",
                             title=f"sweep of {st.text} on {context.host} {plan.iface} against {plan.peer}"
                                   + ("" if result.status == "done" else f" ({result.status} after "
                                      f"{len(result.done)} of {len(plan.values)} values)"))
        saved, _ = record.write(head, rows)
        from nicdb.kb.store import KnowledgeBase
        from nicdb.report import read_evidence

        obj = ctx.find_root().obj
        kb = obj["kb"] = KnowledgeBase.open(obj.get("db"), pci_ids=obj.get("pci_ids"), warn=warn)  # with the new set
        ms = kb.evidence(head["id"])
        rec = _recommendation(kb, knob, context, ms)
        ms["verdicts"] = read_evidence(ms, kb, rec)
    if plot and ms is not None:
        from nicdb.render import plot as plotting
        from nicdb.render.views import evidence_chart

        plotting.save(evidence_chart([ms], rec), plot)
    if mode == "json":
        from nicdb.render.json_out import dumps, sweep_document

        click.echo(dumps(sweep_document(plan, result.status, result=result, ms=ms, saved=saved)))
        return
    if ms is None:
        return
    from nicdb.render import show
    from nicdb.render.blocks import Text
    from nicdb.render.views import evidence_blocks

    blocks = evidence_blocks(ms["id"], ms, mark=rec)
    for v in ms.get("verdicts") or []:
        if v.recommended is None:
            blocks.append(Text(f"nicdb has no recommendation for {st.text} here to compare with "
                               f"({v.direction}: best {fmt_value(v.best_value)})", "note"))
        elif v.agrees is False:
            blocks.append(Text(f"{v.direction}: the best value {fmt_value(v.best_value)} differs from "
                               f"nicdb's recommendation {fmt_value(v.recommended)}", "warn"))
    blocks.append(Text(f"saved as {ms['id']} ({saved}); it is your own evidence in 'nicdb suggest'", "dim"))
    show(blocks, mode)
    if plot:
        click.echo(f"chart written to {plot}")

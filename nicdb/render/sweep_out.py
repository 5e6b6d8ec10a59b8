"""The sweep's live output: a progress bar on a terminal's stderr (redrawn in place), and a
table that grows by a row per value and direction as they are measured (on stdout, so a
pipe or a log gets the rows too). ``--json`` prints nothing until the end. It only
formats: the runner (:mod:`nicdb.sweep.runner`) tells it what happened."""

from __future__ import annotations

import sys
import time

from nicdb.evidence.record import median as _median
from nicdb.render.visible import visible

_WIDTHS = (18, 9, 14, 9, 7, 11, 0)  # the first grows to the longest value


def _row(cells, first: int = _WIDTHS[0]) -> str:
    widths = (first,) + _WIDTHS[1:]
    return "  ".join(visible(str(c)).ljust(w) for c, w in zip(cells, widths)).rstrip() + "\n"


class SweepOutput:
    """``mode``: json (silent), plain or term (the table; on term a progress bar too)."""

    def __init__(self, mode: str, label: str, out=None, err=None):
        self.mode, self.label = mode, label
        self.out, self.err = out or sys.stdout, err or sys.stderr
        self.bar = mode == "term" and self.err.isatty()
        self.total = self.index = 0
        self.first = _WIDTHS[0]
        self.started = time.monotonic()
        self._drawn = False

    # ------------------------------------------------------------------ events
    def start(self, plan) -> None:
        self.total = len(plan.values) * plan.repeat * len(plan.directions)
        self.first = max([_WIDTHS[0], len(self.label)] + [len(_v(v)) for v in plan.values])
        if self.mode != "json":
            self.out.write(_row([self.label, "direction", "Mb/s (median)", "± spread", "runs", "retransmits",
                                 "CPU% local/peer"], self.first))
            self.out.flush()

    def stage(self, i: int, value, text: str) -> None:
        self._progress(f"{self.label}={_v(value)}: {text}")

    def run_done(self, i: int, value, direction: str, run) -> None:
        self.index += 1
        self._progress(f"{self.label}={_v(value)}: {direction} {run.mbps:.1f} Mb/s")

    def value_done(self, i: int, value, got: dict) -> None:
        if self.mode == "json":
            return
        self._clear()
        for d, runs in got.items():
            if not runs:
                continue
            figs = [r.mbps for r in runs]
            retr = [r.retransmits for r in runs if r.retransmits is not None]
            cl = [r.cpu_local for r in runs if r.cpu_local is not None]
            cp = [r.cpu_peer for r in runs if r.cpu_peer is not None]
            cpu = f"{round(_median(cl)) if cl else '-'}/{round(_median(cp)) if cp else '-'}"
            self.out.write(_row([_v(value), d, f"{_median(figs):.1f}",
                                 f"{(max(figs) - min(figs)) / 2:.1f}" if len(figs) > 1 else "-", len(figs),
                                 round(_median(retr)) if retr else "-", cpu], self.first))
        self.out.flush()

    def restoring(self, original) -> None:
        self._progress(f"restoring {self.label}")

    def close(self) -> None:
        self._clear()

    # ------------------------------------------------------------------ the bar
    def _progress(self, text: str) -> None:
        if not self.bar:
            return
        width = 24
        done = min(self.total, self.index)
        filled = int(width * done / self.total) if self.total else 0
        elapsed = time.monotonic() - self.started
        eta = f", ~{elapsed / done * (self.total - done):.0f} s left" if done and done < self.total else ""
        line = f"[{'█' * filled}{'░' * (width - filled)}] {done}/{self.total} runs{eta}  {visible(text)}"
        self.err.write("\r\x1b[K" + line[:200])
        self.err.flush()
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self._drawn = False


def _v(value) -> str:
    from nicdb.advice.evidence import fmt_value

    return fmt_value(value)


def plan_lines(plan, notes: list[str]) -> list[str]:
    """``--dry-run``: the plan and the exact commands, as text."""
    from nicdb.advice.evidence import fmt_value

    k = plan.knob
    lines = [f"Plan: sweep {k.name} on {plan.iface} over {', '.join(fmt_value(v) for v in plan.values)}, "
             f"measured with iperf3 against {plan.peer}:{plan.port} ({' and '.join(plan.directions)}, "
             f"{plan.duration} s per run, {plan.repeat} run{'s' if plan.repeat > 1 else ''} each; about "
             f"{plan.seconds():.0f} s)",
             f"Now: {k.name} = {k.describe(plan.original)}"]
    for v, cmds in plan.steps():
        lines.append(f"{k.name}={fmt_value(v)}:")
        lines += [f"  $ {c}" if not c.startswith("(") else f"  {c}" for c in cmds]
    lines.append(f"At the end, on Ctrl-C and when a step fails, restore {k.name} = {k.describe(plan.original)}:")
    lines += [f"  $ {c}" for c in plan.restore()]
    lines += notes
    return [visible(x) for x in lines]

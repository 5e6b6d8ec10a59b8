"""Run a sweep: for each value, apply it, wait for the link, measure each direction asked
(repeated), and record the median and spread; put the original value back at the end,
on Ctrl-C (SIGINT), SIGTERM and SIGHUP, and when a step fails.

What happens is told to an ``events`` object (the presenter's live progress and table):
``start(plan)``, ``stage(index, value, text)``, ``run_done(index, value, direction, run)``,
``value_done(index, value, rows)``, ``restoring(original)``.
"""

from __future__ import annotations

import os
import signal
import time

from nicdb.model import Record
from nicdb.sweep import iperf
from nicdb.sweep.base import StepError, shown, value_text


class Plan(Record):
    """Everything a sweep will do, with the exact commands (``--dry-run`` prints it)."""

    __slots__ = ("knob", "iface", "peer", "port", "values", "directions", "repeat", "duration", "original",
                 "wait_s", "notes")

    def __init__(self, knob, iface: str, peer: str, port: int, values: list, directions: list[str], repeat: int,
                 duration: int, original, wait_s: float = 30.0, notes: list[str] | None = None):
        self.knob, self.iface, self.peer, self.port = knob, iface, peer, port
        self.values, self.directions, self.repeat, self.duration = values, directions, repeat, duration
        self.original, self.wait_s = original, wait_s
        self.notes = [] if notes is None else notes

    def steps(self) -> list[tuple[object, list[str]]]:
        """(value, the commands of that step as text) in order."""
        out = []
        for v in self.values:
            cmds = [shown(c) for c in self.knob.commands(v)]
            if self.knob.disrupts_link:
                cmds.append(f"(wait up to {self.wait_s:g} s for {self.iface} to come up and {self.peer}:{self.port} "
                            "to answer)")
            for _ in range(self.repeat):
                cmds += [shown(iperf.command(self.peer, self.port, self.duration, d)) for d in self.directions]
            out.append((v, cmds))
        return out

    def restore(self) -> list[str]:
        return [shown(c) for c in self.knob.restore_commands(self.original)]

    def seconds(self) -> float:
        """About how long the sweep takes."""
        per = self.repeat * len(self.directions) * (self.duration + 1)
        return len(self.values) * (per + (5 if self.knob.disrupts_link else 0))


class Result(Record):
    """``status``: done | interrupted | failed; ``rows``: {value index: {direction: [Run]}};
    ``error``: what failed; ``restored``: True / False (restoring failed) / None (nothing
    was changed); ``restore_error``: why restoring failed."""

    __slots__ = ("status", "error", "runs", "done", "restored", "restore_error", "params")

    def __init__(self):
        self.status, self.error = "done", None
        self.runs: dict[int, dict[str, list]] = {}
        self.done: list[int] = []  # indexes of values measured in full
        self.restored, self.restore_error = None, None
        self.params: dict[int, dict] = {}  # module parameters in force at each value


def _same(now, value) -> bool:
    if now is None:
        return True  # cannot be read back: nothing to compare
    if isinstance(value, list) or isinstance(now, list):
        return list(now) == list(value) if isinstance(now, list) and isinstance(value, list) else False
    return value_text(now) == value_text(value)


def wait_link(iface: str, peer: str, port: int, seconds: float, sys_root: str = "/sys") -> None:
    """Until ``iface`` is up with a carrier and the peer answers; StepError after ``seconds``."""
    base = os.path.join(sys_root, "class", "net", iface)
    deadline = time.monotonic() + seconds
    why = f"{iface} did not come back"
    while time.monotonic() < deadline:
        try:
            with open(os.path.join(base, "operstate")) as f:
                state = f.read().strip()
            with open(os.path.join(base, "carrier")) as f:
                carrier = f.read().strip() == "1"
        except OSError:
            state, carrier = "absent", False
        if state in ("up", "unknown") and carrier:
            err = iperf.reachable(peer, port, timeout=2)
            if err is None:
                return
            why = f"{iface} is up but the peer {peer}:{port} does not answer ({err})"
        else:
            why = f"{iface} is {state}" + ("" if carrier or state == "absent" else " without a carrier")
        time.sleep(0.2)
    raise StepError(f"{why} within {seconds:g} s")


class _Signals:
    """SIGTERM and SIGHUP end a sweep as Ctrl-C does, so the original value is restored
    (a dropped SSH session sends SIGHUP)."""

    def __enter__(self):
        self.old = {}
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                self.old[sig] = signal.signal(sig, self._raise)
            except (ValueError, OSError):  # not the main thread
                pass
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        for sig, h in self.old.items():
            signal.signal(sig, h)


def _restore(plan: Plan, result: Result, events) -> None:
    """Put the original value back; signals are held off meanwhile."""
    held = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        try:
            held[sig] = signal.signal(sig, signal.SIG_IGN)
        except (ValueError, OSError):
            pass
    try:
        events.restoring(plan.original)
        plan.knob.restore(plan.original)
        if plan.knob.disrupts_link:
            wait_link(plan.iface, plan.peer, plan.port, plan.wait_s)
        now = plan.knob.read()
        if plan.original is not None and not _same(now, plan.original):
            raise StepError(f"{plan.knob.name} reads {value_text(now)} after restoring {value_text(plan.original)}")
        result.restored = True
    except StepError as e:
        result.restored, result.restore_error = False, str(e)
    finally:
        for sig, h in held.items():
            signal.signal(sig, h)


def execute(plan: Plan, events, params_now=None) -> Result:
    """Run ``plan``; never leaves the setting changed without saying so. ``params_now()``
    gives the module parameters in force after each value is applied (for the record)."""
    result = Result()
    changed = False
    events.start(plan)
    try:
        with _Signals():
            for i, value in enumerate(plan.values):
                events.stage(i, value, "apply")
                changed = True  # from here on, the original must be put back
                plan.knob.apply(value)
                if plan.knob.disrupts_link:
                    events.stage(i, value, f"waiting for {plan.iface}")
                    wait_link(plan.iface, plan.peer, plan.port, plan.wait_s)
                now = plan.knob.read()
                if not _same(now, value):
                    raise StepError(f"{plan.knob.name} reads {value_text(now)} after setting {value_text(value)}: "
                                    "the value was refused or changed")
                if params_now is not None:
                    result.params[i] = params_now()
                got: dict[str, list] = {d: [] for d in plan.directions}
                result.runs[i] = got
                for k in range(plan.repeat):
                    for d in plan.directions:
                        events.stage(i, value, f"{d} run {k + 1}/{plan.repeat}")
                        got[d].append(iperf.measure(plan.peer, plan.port, plan.duration, d))
                        events.run_done(i, value, d, got[d][-1])
                result.done.append(i)
                events.value_done(i, value, got)
    except KeyboardInterrupt:
        result.status = "interrupted"
    except StepError as e:
        result.status, result.error = "failed", str(e)
    finally:
        if changed:
            _restore(plan, result, events)
    return result

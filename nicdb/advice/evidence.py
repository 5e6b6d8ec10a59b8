"""What a throughput curve says: the best value of the setting, whether the recommended
value is as good, and whether the curve flattens below the line rate (a bus or CPU
ceiling, as seed-001 found: ~650 Mb/s sent through a VT6122 on 32-bit/33 MHz PCI with
the C7 CPU at 99 %).

Pure functions over measurement rows (dicts as :meth:`nicdb.kb.store.KnowledgeBase.evidence`
gives them: ``driver``, ``direction``, ``mtu``, ``value``, ``mbps``, ``runs``,
``cpu_local_pct``, ``cpu_peer_pct``); nothing here touches the system or the database.

The thresholds:

* Two throughputs are "the same" when they differ by less than the noise: 2 % of the
  best, or the spread of the repeats (half of max - min) when that is larger.
* A curve of ordered values (numbers, or lists of numbers such as tcp_rmem's) "flattens"
  from the first value after which every point stays within 3 % of the best, or within
  the spread of the repeats (and at least two points are on that plateau). If that is the first value, the setting made
  no difference.
* "Below the line rate" is under 90 % of it. A CPU at 90 % or more on either end is
  named as a ceiling; a conventional PCI/PCI-X bus whose peak the plateau reaches
  60 % of is named as a likely one (arbitration and address phases keep real transfers
  well below the burst peak).
"""

from __future__ import annotations

from nicdb.model import Record

SAME = 0.02  # relative noise floor
FLAT = 0.03  # plateau tolerance
BELOW_LINE = 0.90
CPU_BOUND = 90
BUS_NEAR = 0.60


class Point(Record):
    __slots__ = ("value", "mbps", "low", "high", "cpu_local", "cpu_peer", "retransmits")

    def __init__(self, value, mbps: float, low: float | None = None, high: float | None = None,
                 cpu_local=None, cpu_peer=None, retransmits=None):
        self.value, self.mbps, self.low, self.high = value, mbps, low, high
        self.cpu_local, self.cpu_peer, self.retransmits = cpu_local, cpu_peer, retransmits

    @property
    def noise(self) -> float:
        return 0.0 if self.low is None or self.high is None else (self.high - self.low) / 2


class Curve(Record):
    """One line of a chart: a driver, a direction and an MTU, throughput per value."""

    __slots__ = ("driver", "direction", "mtu", "setting", "points")

    def __init__(self, driver: str, direction: str, mtu, setting: str | None, points: list[Point]):
        self.driver, self.direction, self.mtu, self.setting, self.points = driver, direction, mtu, setting, points

    @property
    def numeric(self) -> bool:
        return all(_num(p.value) for p in self.points)

    @property
    def ordered(self) -> bool:
        """Values with an order: numbers, or lists of numbers (tcp_rmem's triples)."""
        return self.numeric or all(isinstance(p.value, list) for p in self.points)


class Verdict(Record):
    """What one curve means. ``agrees``: the recommended value is within the noise of the
    best (None: no recommendation, or it was not measured); ``flat_from``: the value the
    plateau starts at (None: no plateau; equal to the first value: no effect);
    ``limits``: what caps the plateau below the line rate (``cpu-local``, ``cpu-peer``,
    ``bus``), empty when nothing is known to."""

    __slots__ = ("driver", "direction", "mtu", "setting", "best_value", "best_mbps", "recommended",
                 "recommended_mbps", "agrees", "flat_from", "plateau_mbps", "no_effect", "line_rate_mbps",
                 "below_line_rate", "ceiling_mbps", "limits", "text")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))
        if self.limits is None:
            self.limits = []


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _key(v):
    return v if not isinstance(v, list) else tuple(v)


def curves(rows: list[dict], setting: str | None = None) -> list[Curve]:
    """The curves in ``rows``: rows with a value, grouped by driver, direction and MTU, in
    value order (numbers ascending; words in the order measured). ``setting`` keeps only
    rows of that setting."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r.get("value") is None or (setting is not None and r.get("setting") != setting):
            continue
        mtu = None if r.get("setting") == "mtu" else r.get("mtu")  # an MTU sweep is one curve
        groups.setdefault((r["driver"], r["direction"], mtu, r.get("setting")), []).append(r)
    out = []
    for (driver, direction, mtu, st), rs in groups.items():
        pts = []
        for r in rs:
            runs = r.get("runs")
            pts.append(Point(r["value"], r["mbps"], min(runs) if runs else None, max(runs) if runs else None,
                             r.get("cpu_local_pct"), r.get("cpu_peer_pct"), r.get("retransmits")))
        if all(_num(p.value) for p in pts):
            pts.sort(key=lambda p: p.value)
        elif all(isinstance(p.value, list) for p in pts):
            pts.sort(key=lambda p: tuple(p.value))
        out.append(Curve(driver, direction, mtu, st, pts))
    return out


def _span(xs: list) -> str:
    return f"{min(xs)}" if min(xs) == max(xs) else f"{min(xs)}-{max(xs)}"


def fmt_value(v) -> str:
    """A setting's value as tables and commands show it (a list of numbers space-separated)."""
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_curve(curve: Curve, label: str, recommended=None, line_rate_mbps: float | None = None,
               bus=None) -> Verdict:
    """The :class:`Verdict` of ``curve``. ``label`` names the setting in the text
    (``DMA_length``); ``bus`` is a :class:`nicdb.advice.bus.BusVerdict` or None."""
    pts = curve.points
    best = max(pts, key=lambda p: p.mbps)
    v = Verdict(driver=curve.driver, direction=curve.direction, mtu=curve.mtu, setting=curve.setting,
                best_value=best.value, best_mbps=best.mbps, recommended=recommended,
                line_rate_mbps=line_rate_mbps)
    parts = [f"best {label}={fmt_value(best.value)} ({best.mbps:.1f} Mb/s)"]
    tol = max(SAME * best.mbps, best.noise)
    if recommended is not None:
        rec = next((p for p in pts if _key(p.value) == _key(recommended)), None)
        if rec is None:
            parts.append(f"the recommended {fmt_value(recommended)} was not measured")
        else:
            v.recommended_mbps = rec.mbps
            v.agrees = rec.mbps >= best.mbps - max(tol, rec.noise)
            if rec is best:
                parts.append("which is the recommended value")
            elif v.agrees:
                parts.append(f"the recommended {fmt_value(recommended)} gives {rec.mbps:.1f} Mb/s, as good "
                             "within the noise: agrees with the recommendation")
            else:
                gap = 100 * (best.mbps - rec.mbps) / best.mbps if best.mbps else 0
                parts.append(f"the recommended {fmt_value(recommended)} gives {rec.mbps:.1f} Mb/s, {gap:.0f} % "
                             f"less: this machine disagrees with the recommendation")
    plateau: list[Point] = []
    if curve.ordered and len(pts) >= 3:
        floor = best.mbps - max(FLAT * best.mbps, best.noise)
        i = len(pts)
        while i > 0 and pts[i - 1].mbps + pts[i - 1].noise >= floor:  # within the noise of both
            i -= 1
        if len(pts) - i >= 2:
            plateau = pts[i:]
            v.flat_from = plateau[0].value
            v.plateau_mbps = sum(p.mbps for p in plateau) / len(plateau)
            v.no_effect = i == 0
            if v.no_effect:
                parts.append(f"no difference across {label}={fmt_value(pts[0].value)}..{fmt_value(pts[-1].value)} "
                             f"(all within {100 * FLAT:.0f} %)")
            else:
                parts.append(f"flattens from {label}={fmt_value(v.flat_from)} at ~{v.plateau_mbps:.0f} Mb/s")
    top = v.plateau_mbps if plateau else best.mbps
    if line_rate_mbps:
        v.below_line_rate = top < BELOW_LINE * line_rate_mbps
        share = 100 * top / line_rate_mbps
        if v.below_line_rate:
            parts.append(f"{share:.0f} % of the {line_rate_mbps:g} Mb/s line rate")
        else:
            parts.append(f"at the line rate ({line_rate_mbps:g} Mb/s)")
    if plateau:
        held = plateau
        cpu_l = [p.cpu_local for p in held if p.cpu_local is not None]
        cpu_p = [p.cpu_peer for p in held if p.cpu_peer is not None]
        if v.below_line_rate is not False:
            if cpu_l and min(cpu_l) >= CPU_BOUND:
                v.limits.append("cpu-local")
                parts.append(f"the CPU of the machine under test is at {_span(cpu_l)} %: a CPU ceiling")
            if cpu_p and min(cpu_p) >= CPU_BOUND:
                v.limits.append("cpu-peer")
                parts.append(f"the peer's CPU is at {_span(cpu_p)} %: a CPU ceiling at the other end")
        if bus is not None and getattr(bus, "ceiling_mbps", None):
            v.ceiling_mbps = bus.ceiling_mbps
            if bus.kind in ("pci", "pci-x") and v.below_line_rate is not False:
                name = "PCI" if bus.kind == "pci" else "PCI-X"
                if top >= BUS_NEAR * bus.ceiling_mbps:
                    said = (f"the {name} bus peaks at {bus.ceiling_mbps} Mb/s for both directions and every "
                            f"device on it ({100 * top / bus.ceiling_mbps:.0f} % reached)")
                    if "cpu-local" not in v.limits:
                        v.limits.append("bus")
                        said += ": a likely bus ceiling"
                    parts.append(said)
    head = f"{curve.direction}, {curve.driver}" + (f", MTU {curve.mtu}" if curve.mtu else "")
    v.text = f"{head}: " + "; ".join(parts)
    return v


def read_rows(rows: list[dict], label_of, recommended_for=None, line_rate_mbps=None, bus=None) -> list[Verdict]:
    """Verdicts of every curve in ``rows``. ``label_of(setting) -> str`` names a setting;
    ``recommended_for(driver, setting)`` gives the recommended value (or None)."""
    out = []
    for c in curves(rows):
        if len(c.points) < 2:  # a single value is a measurement, not a curve
            continue
        rec = recommended_for(c.driver, c.setting) if recommended_for else None
        out.append(read_curve(c, label_of(c.setting), rec, line_rate_mbps, bus))
    return out

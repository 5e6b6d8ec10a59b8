"""Fleet summaries: what many hosts have and which of them need action first.

Reports are fed in host by host and only counters (plus a bounded list of hosts that
need action) are kept, so memory stays flat however many hosts there are.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterator

ACTION_LIST_MAX = 50
_SEVERITY_RANK = {"critical": 0, "major": 1, "minor": 2}


def chip_label(rep) -> str:
    d = rep.device
    rev = "??" if d.revision is None else f"{d.revision:02x}"
    if rep.chip:
        prods = "/".join(rep.chip["products"])
        return f"{rep.chip['chip']}" + (f" ({prods})" if prods else "") + f" [{d.id_text} rev {rev}]"
    return f"{rep.device_name or 'unknown'} [{d.id_text} rev {rev}]"


def actions(rep) -> list[tuple[int, str]]:
    """What should change on this NIC, most urgent first: (rank, text)."""
    out: list[tuple[int, str]] = []
    d = rep.device
    adv = rep.drivers
    if adv and d.driver:
        used = next((o for o in adv.options if o.module == d.driver.replace("-", "_") or o.name == d.driver), None)
        if used is not None and used.status == "refused":
            out.append((0, f"{d.driver} refuses this revision: use {adv.recommended}"))
        elif adv.recommended and used is not None and used.name != adv.recommended:
            out.append((2, f"use {adv.recommended} instead of {d.driver}"))
    if rep.firmware_state == "missing" and rep.firmware_advice:
        out.append((1, rep.firmware_advice))
    for i in rep.issues:
        rank = _SEVERITY_RANK.get(i.get("severity", "minor"), 2)
        if rank < 2:
            out.append((rank, f"{i['driver']}: {i['title']}"))
    for p in rep.params:
        if p.action == "set":
            out.append((3, f"set {p.param}={p.recommended} for {p.driver}"))
    bus = rep.bus
    if bus is not None and getattr(bus, "limited", None):
        out.append((4, "host bus below line rate: " + (getattr(bus, "summary", "") or "")))
    return sorted(out)


class FleetSummary:
    def __init__(self) -> None:
        self.hosts = 0
        self.failed: list[tuple[str, str]] = []
        self.failed_count = 0
        self.nics = 0
        self.per_chip: Counter = Counter()
        self.per_driver: Counter = Counter()
        self.per_advice: Counter = Counter()
        self.action_hosts: list[tuple[int, str, str]] = []
        self.action_count = 0

    def add(self, host: str, reports: list) -> None:
        self.hosts += 1
        self.nics += len(reports)
        # dicts, not sets: counts that tie keep the order hosts showed them in, the same
        # on every run (a set's order of strings changes with PYTHONHASHSEED)
        chips, drivers, advice = {}, {}, {}
        worst: tuple[int, str] | None = None
        for r in reports:
            chips[chip_label(r)] = None
            drivers[r.device.driver or "(none)"] = None
            advice[r.summary] = None
            acts = actions(r)
            if acts and (worst is None or acts[0][0] < worst[0]):
                worst = (acts[0][0], f"{r.device.slot}: {acts[0][1]}")
        self.per_chip.update(chips.keys())
        self.per_driver.update(drivers.keys())
        self.per_advice.update(advice.keys())
        if worst is not None:
            self.action_count += 1
            self.action_hosts.append((worst[0], host, worst[1]))
            if len(self.action_hosts) > 4 * ACTION_LIST_MAX:
                self.action_hosts = sorted(self.action_hosts)[:ACTION_LIST_MAX]

    def fail(self, host: str, error: str) -> None:
        self.failed_count += 1
        if len(self.failed) < ACTION_LIST_MAX:
            self.failed.append((host, error))

    def to_dict(self) -> dict:
        return {
            "hosts": self.hosts, "hosts_failed": self.failed_count, "nics": self.nics,
            "hosts_per_chip": dict(self.per_chip.most_common()),
            "hosts_per_driver": dict(self.per_driver.most_common()),
            "hosts_per_advice": dict(self.per_advice.most_common()),
            "hosts_needing_action": self.action_count,
            "action_first": [{"host": h, "action": a} for _, h, a in sorted(self.action_hosts)[:ACTION_LIST_MAX]],
            "failed": [{"host": h, "error": e} for h, e in self.failed],
        }


def identify_fleet(folder, kb, *, kernel: str | None, modules=None, nics_only: bool = True,
                   members: list[str] | None = None) -> Iterator[tuple]:
    """``(host, path, document, error)`` for each member of a fleet folder, one host at a
    time: the :class:`~nicdb.report.Document` of its NICs (every device with
    ``nics_only=False``), or None and the one-line error that made the member unreadable.

    ``modules`` is as for :func:`nicdb.report.build_reports`; one
    :class:`~nicdb.report.Identifier` serves the whole fleet, so each distinct chip is
    looked up once. Devices that are not NICs are left unread where the input allows
    it (see :func:`nicdb.inputs.read`). ``members``: as for
    :func:`nicdb.inputs.fleet_folder.iter_fleet`. A host read from a snapshot gets its
    firmware files checked as its snapshot recorded them.
    """
    from nicdb.inputs import resolve_missing_ids
    from nicdb.inputs.fleet_folder import iter_fleet_readings
    from nicdb.report import Document, Identifier, build_reports

    ident = Identifier(kb, kernel=kernel)
    for host, path, reading, err in iter_fleet_readings(folder, nics_only=nics_only, members=members):
        if err is not None:
            yield host, path, None, err
            continue
        devices = reading.devices
        resolve_missing_ids(devices, kb)  # name-only input: IDs first (this may make a device a NIC)
        reports = build_reports(devices, kb, kernel=kernel, modules=modules, nics_only=nics_only,
                                identifier=ident, system=reading.system)
        yield host, path, Document(str(path), host, kernel, reports, ident.distribution(reading.system)), None

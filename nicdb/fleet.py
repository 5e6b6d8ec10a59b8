"""Fleet summaries: what many hosts have and which of them need action first.

Reports are fed in host by host and only counters (plus a bounded list of hosts that
need action) are kept, so memory stays flat however many hosts there are.
"""

from __future__ import annotations

import os
import shutil
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


def host_facts(reports: list) -> tuple:
    """What the fleet summary counts of one host, as plain values (cheap to send from a
    worker process): ``(NICs, chip labels, drivers in use, advice lines, most urgent
    action or None)``, each label once per host."""
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
    return len(reports), tuple(chips), tuple(drivers), tuple(advice), worst


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
        self.add_facts(host, host_facts(reports))

    def add_facts(self, host: str, facts: tuple) -> None:
        """Count one host from its :func:`host_facts` (what a worker process sends back)."""
        nics, chips, drivers, advice, worst = facts
        self.hosts += 1
        self.nics += nics
        self.per_chip.update(chips)
        self.per_driver.update(drivers)
        self.per_advice.update(advice)
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


class HostIdentifier:
    """Reads and identifies fleet members one by one, with one knowledge-base handle,
    one modalias finder and one :class:`~nicdb.report.Identifier` for all of them (each
    distinct chip is looked up once). Each worker process of :class:`HostRun` has its own.
    ``modules``: as for :func:`nicdb.report.build_reports`; default: ``alias_file``, else
    the database's copy of nicdb's shipped modules.alias table."""

    def __init__(self, folder, kb, *, kernel: str | None, alias_file: str | None = None, modules=None,
                 nics_only: bool = True) -> None:
        from nicdb import modalias
        from nicdb.inputs import resolve_missing_ids
        from nicdb.inputs.fleet_folder import read_member
        from nicdb.report import Document, Identifier, build_reports

        self.folder, self.kb, self.kernel, self.nics_only = folder, kb, kernel, nics_only
        self.modules = modules if modules is not None else modalias.finder(kb, alias_file, live=False)
        self.ident = Identifier(kb, kernel=kernel)
        self._read, self._resolve, self._build, self._doc = read_member, resolve_missing_ids, build_reports, Document

    def __call__(self, name: str) -> tuple:
        """``(host, path, document, error)`` of the member called ``name``: the
        :class:`~nicdb.report.Document` of its NICs, or None and the one-line error that
        made it unreadable. A host read from a snapshot gets its firmware files checked as
        its snapshot recorded them."""
        host, path, reading, err = self._read(self.folder, name, self.nics_only)
        if err is not None:
            return host, path, None, err
        devices = reading.devices
        self._resolve(devices, self.kb)  # name-only input: IDs first (this may make a device a NIC)
        reports = self._build(devices, self.kb, kernel=self.kernel, modules=self.modules, nics_only=self.nics_only,
                              identifier=self.ident, system=reading.system)
        return host, path, self._doc(str(path), host, self.kernel, reports, self.ident.distribution(reading.system)), None


def identify_fleet(folder, kb, *, kernel: str | None, modules=None, nics_only: bool = True,
                   members: list[str] | None = None) -> Iterator[tuple]:
    """``(host, path, document, error)`` for each member of a fleet folder, one host at a
    time: the :class:`~nicdb.report.Document` of its NICs (every device with
    ``nics_only=False``), or None and the one-line error that made the member unreadable.

    ``modules``: as for :class:`HostIdentifier`; devices that are not NICs are left
    unread where the input allows it (see :func:`nicdb.inputs.read`). ``members``: as
    for :func:`nicdb.inputs.fleet_folder.iter_fleet`.
    """
    from nicdb.inputs.fleet_folder import fleet_members

    one = HostIdentifier(folder, kb, kernel=kernel, modules=modules, nics_only=nics_only)
    for name in fleet_members(folder).members if members is None else members:
        yield one(name)


class HostJob:
    """One host's share of a fleet run, done where the host is read (in a worker process
    with ``-j``): identify it, then turn the reports into what the parent needs -- the
    host's output text (``render(host, source, document) -> str``, and
    ``render.error(host, source, error) -> str`` for a host that cannot be read) and its
    :func:`host_facts` -- so that no report has to cross between processes."""

    def __init__(self, identify: HostIdentifier, render) -> None:
        self.identify, self.render = identify, render

    def __call__(self, name: str) -> tuple:
        """``(host, source, text, facts, error)``; a host that cannot be read has the
        renderer's ``error(host, source, error)`` text (a line of its own in JSON lines)."""
        host, path, doc, err = self.identify(name)
        if err is not None:
            return host, str(path), self.render.error(host, str(path), err), None, err
        return host, str(path), self.render(host, str(path), doc), host_facts(doc.nics), None


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask), the default of ``-j``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


_job = None  # the HostJob of a worker process
_ring = None  # the memory shared with the parent that chunks' texts are written to
_encoding = ("utf-8", "surrogateescape")  # how texts become bytes: as the parent's standard output would


def output_encoding(stream) -> tuple[str, str]:
    """How text becomes bytes on ``stream``: its encoding and error handler."""
    return getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None) or "surrogateescape"


def _start_worker(make_job, kb, ring) -> None:
    import signal
    import sys

    global _job, _encoding, _ring
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _encoding = output_encoding(sys.stdout)
    _ring = ring
    _job = make_job(kb.reopen())


def _run_chunk(names: list[str], slot: int, path: str) -> tuple[list[tuple], str | None]:
    """A worker's share: the hosts' texts, encoded as the parent's standard output
    encodes, one after the other in slot ``slot`` of the shared ring -- or, when they do
    not fit, in a new spool file ``path``. Returns, per host, ``(host, source, offset,
    length, facts, error)``, and the spool file's path or None."""
    out = []
    parts = []
    offset = 0
    for n in names:
        host, source, text, facts, err = _job(n)
        data = text.encode(*_encoding)
        parts.append(data)
        out.append((host, source, offset, len(data), facts, err))
        offset += len(data)
    if offset <= HostRun.SLOT:
        pos = slot * HostRun.SLOT
        for data in parts:
            _ring[pos:pos + len(data)] = data
            pos += len(data)
        return out, None
    with open(path, "xb") as f:
        f.writelines(parts)
    return out, path


def _worker_main(conn, make_job, kb, ring) -> None:
    """A worker process: chunks in, their results out, on its own pipe, until told to stop."""
    _start_worker(make_job, kb, ring)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, names, slot, path = task
        try:
            conn.send((index, _run_chunk(names, slot, path), None))
        except Exception as e:  # a bug, not an input (inputs fail as a host's error): the parent says so
            conn.send((index, None, f"{type(e).__name__}: {e}"))


def _on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C does: the workers stop, the spool goes


class WorkerError(RuntimeError):
    """A worker process failed (a bug, or it was killed): the run cannot go on."""


class HostRun:
    """The results of ``make_job(kb)`` (a :class:`HostJob`) for every member, in member
    order, computed by ``jobs`` worker processes (forked; each opens its own handle on the
    database; a host's text comes back as a memoryview of the memory it shares with its
    parent, valid until the next result is asked for) or, with one job, in this process.

    Members go out in chunks. Each worker has a pipe of its own with a few chunks queued
    on it, so it never waits for the parent between chunks; a chunk is given to whichever
    worker returns one. At most :attr:`window` chunks are out beyond the one the output
    waits for, so memory and spool stay flat however many hosts there are, and a slow
    reader of the output holds the workers back instead of piling up results. The
    workers are started by the constructor, before the caller starts any thread of its
    own (a progress bar); the parent runs no thread."""

    QUEUED_PER_JOB = 3
    MAX_CHUNK = 32  # hosts: the slots of shared memory a run touches are about window x chunk x 35 KB
    SLOT = 8 << 20  # a chunk's texts in the shared ring; more than that goes to a spool file

    def __init__(self, members: list[str], kb, make_job, jobs: int) -> None:
        self.members = members
        self.workers: list = []
        if jobs <= 1 or len(members) < 2 or kb.path == ":memory:":
            self.job = make_job(kb)
            return
        import gc
        import mmap
        import multiprocessing
        import signal
        import tempfile

        jobs = min(jobs, len(members))
        # MAX_CHUNK hosts per message, whatever the size of the fleet (so memory is the
        # same for a thousand hosts or a million); smaller chunks for a small fleet, so that
        # every worker is busy and the first host comes out early
        n = len(members)
        self.chunk = self.MAX_CHUNK if n >= self.MAX_CHUNK * jobs * 4 else max(1, n // (jobs * 16))
        self.window = jobs * (self.QUEUED_PER_JOB + 1)
        # the workers' texts: a slot of shared memory per chunk out (the parent copies them to
        # its output with write(), so a slot can take a later chunk), a spool file ($TMPDIR)
        # for a chunk too big for one
        self.ring = mmap.mmap(-1, (self.window + 1) * self.SLOT)
        self.free = list(range(self.window + 1))
        self.slot_of: dict[int, int] = {}
        self.spool = tempfile.mkdtemp(prefix="nicdb-fleet-")
        try:
            self.sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread: it cannot handle signals
            self.sigterm = None
        ctx = multiprocessing.get_context("fork")
        # with what exists now frozen, the workers' collectors leave it alone, so its
        # pages stay shared instead of being copied into each
        gc.freeze()
        try:
            for _ in range(jobs):
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(target=_worker_main, args=(theirs, make_job, kb, self.ring), daemon=True)
                proc.start()
                theirs.close()
                self.workers.append([proc, mine, 0])  # process, its pipe, chunks it has queued
        finally:
            gc.unfreeze()
        self.next = 0  # first member not yet given out
        self.done: dict[int, list] = {}  # results by their chunk's first member
        self.waiting = 0  # first member of the chunk the output waits for
        self._top_up()

    @property
    def pending(self) -> int:
        """Chunks given out and not yet written (queued, running, or done and waiting)."""
        return sum(w[2] for w in self.workers) + len(self.done)

    def _top_up(self) -> None:
        """Queue chunks on every worker up to QUEUED_PER_JOB, within the window."""
        for w in self.workers:
            while w[2] < self.QUEUED_PER_JOB and self.next < len(self.members) and \
                    self.next < self.waiting + self.window * self.chunk:
                names = self.members[self.next:self.next + self.chunk]
                slot = self.slot_of[self.next] = self.free.pop()
                try:
                    w[1].send((self.next, names, slot, os.path.join(self.spool, f"chunk-{self.next}")))
                except OSError:
                    raise WorkerError(f"worker process {w[0].pid} ended unexpectedly") from None
                w[2] += 1
                self.next += len(names)

    def _collect(self) -> None:
        """Wait for at least one worker's result."""
        from multiprocessing.connection import wait

        busy = {w[1]: w for w in self.workers if w[2]}
        if not busy:
            raise WorkerError("no worker has the chunk the output waits for")
        for conn in wait(list(busy)):
            w = busy[conn]
            try:
                index, results, error = conn.recv()
            except (EOFError, OSError):
                raise WorkerError(f"worker process {w[0].pid} ended unexpectedly (exit status {w[0].exitcode})") \
                    from None
            if error is not None:
                raise WorkerError(f"worker process {w[0].pid} failed: {error}")
            w[2] -= 1
            self.done[index] = results

    def __iter__(self) -> Iterator[tuple]:
        if not self.workers:
            for name in self.members:
                yield self.job(name)
            return
        try:
            while self.waiting < len(self.members):
                while self.waiting not in self.done:
                    self._collect()
                    self._top_up()  # whoever returned a chunk gets another
                results, spooled = self.done.pop(self.waiting)
                slot = self.slot_of.pop(self.waiting)
                if spooled is None:
                    texts = memoryview(self.ring)[slot * self.SLOT:(slot + 1) * self.SLOT]
                else:
                    with open(spooled, "rb") as f:
                        texts = memoryview(f.read())
                    os.unlink(spooled)
                with texts:
                    for host, source, offset, length, facts, err in results:
                        yield host, source, texts[offset:offset + length], facts, err
                # written out: the slot takes a later chunk, and the window moves on
                self.free.append(slot)
                self.waiting = min(self.waiting + self.chunk, len(self.members))
                self._top_up()
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers and remove the spool. Before the last result (an error, Ctrl-C,
        SIGTERM, a reader that went away) the workers are terminated, not waited for: one
        may be stuck on an input that never ends."""
        if self.workers:
            import signal

            early = self.waiting < len(self.members)
            for proc, conn, _ in self.workers:
                if early:
                    proc.terminate()
                else:
                    try:
                        conn.send(None)
                    except OSError:
                        pass
            for proc, conn, _ in self.workers:
                proc.join()
                conn.close()
            self.workers = []
            shutil.rmtree(self.spool, ignore_errors=True)
            try:
                self.ring.close()
            except BufferError:  # a caller still holds a text: the ring goes with it
                pass
            if self.sigterm is not None:
                signal.signal(signal.SIGTERM, self.sigterm)

"""Fleets beyond one process: ``identify --from DIR -j N`` (worker processes, output in
host order) and ``--jsonl`` (a JSON line per NIC, streamed as hosts are read)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

from nicdb.render.fleet_out import FleetText
from test_fleet_fast import host_text


@pytest.fixture
def fleet(tmp_path):
    """40 hosts of -vmmnnk text (four revisions of the VT6122 among them), a garbled one and
    a sysfs-less folder that is skipped."""
    d = tmp_path / "fleet"
    d.mkdir()
    for i in range(40):
        (d / f"host{i:03d}.txt").write_text(host_text(via_rev=("11", "82", "05", "10")[i % 4]))
    (d / "host017b-broken.txt").write_text("this is not lspci output\n")
    return d


@pytest.mark.parametrize("fmt", ["--json", "--jsonl", "--plain"])
def test_workers_give_the_single_process_output_byte_for_byte(run, fleet, fmt):
    one = run("identify", "--from", str(fleet), fmt, "--kernel", "2.6.26", "-j", "1")
    two = run("identify", "--from", str(fleet), fmt, "--kernel", "2.6.26", "-j", "2")
    three = run("identify", "--from", str(fleet), fmt, "--kernel", "2.6.26", "-j", "3")
    assert one.code == two.code == three.code == 2  # the broken host
    assert one.out == two.out == three.out and one.err == two.err == three.err
    assert one.err.count("\n") == 1 and "host017b-broken.txt" in one.err


def test_chunks_too_big_for_shared_memory_go_through_a_spool_file(run, fleet, monkeypatch):
    from nicdb.fleet import HostRun

    one = run("identify", "--from", str(fleet), "--jsonl", "-j", "1")
    monkeypatch.setattr(HostRun, "SLOT", 4096)  # every chunk is bigger (the workers are forked: they see it too)
    two = run("identify", "--from", str(fleet), "--jsonl", "-j", "2")
    assert one.out == two.out and one.code == two.code == 2


@pytest.mark.parametrize("fmt", ["--json", "--jsonl", "--plain"])
def test_workers_write_to_a_real_stdout_as_one_process_does(session_db, fleet, fmt):
    """Through a pipe (the workers' UTF-8 bytes go to the binary buffer), not a StringIO."""
    def out(jobs: str) -> tuple:
        p = subprocess.run([sys.executable, "-m", "nicdb", "identify", "--from", str(fleet), fmt, "-j", jobs],
                           capture_output=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    one, two = out("1"), out("2")
    assert one == two and one[0] == 2
    assert one[1].count(b"\n") > 40 and (fmt != "--plain" or b"Fleet: 40 hosts read" in one[1])


def test_output_left_in_a_pipe_stays_whole(session_db, fleet, tmp_path):
    """The hosts' texts come from memory the workers use again for later chunks: the pipe
    is read only once nicdb is done, so a text that reached the pipe by reference (as
    sendfile or splice hand over pages) and not by copy would show up as another host's."""
    import fcntl
    import shutil

    small = tmp_path / "small-fleet"  # all of its output fits in a pipe of 1 MiB
    small.mkdir()
    for f in sorted(fleet.iterdir())[:25]:
        shutil.copy(f, small)
    fleet = small
    want = subprocess.run([sys.executable, "-m", "nicdb", "identify", "--from", str(fleet), "--json", "-j", "1"],
                          capture_output=True, timeout=120).stdout
    assert 300_000 < len(want) < 1 << 20
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ: room for the whole output
        p = subprocess.run([sys.executable, "-m", "nicdb", "identify", "--from", str(fleet), "--json", "-j", "2"],
                           stdout=w, stderr=subprocess.DEVNULL, timeout=120)
        os.close(w)
        w = -1
        got = b"".join(iter(lambda: os.read(r, 1 << 16), b""))
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    assert p.returncode == 2 and got == want


def test_jsonl_is_one_line_per_nic_with_its_host(run, fleet):
    r = run("identify", "--from", str(fleet), "--jsonl", "--kernel", "2.6.26")
    lines = [json.loads(x) for x in r.out.splitlines()]
    nics = [x for x in lines if "nic" in x]
    errors = [x for x in lines if "error" in x]
    assert len(nics) == 40 * 4 and len(errors) == 1
    assert errors[0]["host"] == "host017b-broken" and errors[0]["source"].endswith("host017b-broken.txt")
    assert "not lspci output" in errors[0]["error"] and "nic" not in errors[0]
    hosts = [x["host"] for x in lines]
    assert hosts == sorted(hosts)  # host order, the error line in its place
    first = nics[0]
    assert list(first) == ["nicdb", "schema", "host", "source", "kernel", "distribution", "nic"]
    assert first["kernel"] == "2.6.26" and first["source"].endswith("host000.txt")
    # the NIC is what --json has for it
    doc = json.loads(run("identify", "--from", first["source"], "--json", "--kernel", "2.6.26").out)
    assert first["nic"] == doc["nics"][0]
    # every VT6122 line names its chip by revision
    chips = {(x["nic"]["revision"], x["nic"]["chip"]["chip"]) for x in nics if x["nic"]["device"]["id"] == "3119"}
    assert chips == {("11", "VT3216"), ("82", "VT3286"), ("05", "VT3119"), ("10", "VT3216")}


def test_jsonl_of_one_machine(run, shared_datadir):
    r = run("identify", "--sysfs", str(shared_datadir / "sysfs" / "multiport"), "--jsonl")
    assert r.code == 0, r.err
    lines = [json.loads(x) for x in r.out.splitlines()]
    assert len(lines) == 2 and all(x["nic"]["slot"].startswith("0000:03:00.") for x in lines)


def test_jsonl_with_json_is_a_usage_error(run, fleet):
    r = run("identify", "--from", str(fleet), "--jsonl", "--json")
    assert r.code == 2 and r.out == "" and r.err == "nicdb: error: give one of --json, --jsonl and --plain\n"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_streams_the_first_host_before_the_last_is_read(session_db, tmp_path, jobs):
    """The last member is a named pipe nobody writes yet: the first hosts' lines must come
    out while nicdb waits for it (they are not held back until the end)."""
    d = tmp_path / "fleet"
    d.mkdir()
    for i in range(6):
        (d / f"a{i}.txt").write_text(host_text())
    os.mkfifo(d / "z-last.txt")
    p = subprocess.Popen([sys.executable, "-m", "nicdb", "identify", "--from", str(d), "--jsonl", "-j", jobs],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    got: list[str] = []
    first = threading.Event()

    def drain():  # keep reading, so nicdb never waits on a full pipe
        for line in p.stdout:
            got.append(line)
            first.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert first.wait(timeout=60), "no line came out while the last host was unread"
        assert json.loads(got[0])["host"] == "a0"
        assert p.poll() is None  # still waiting for the last host
        fd = _open_fifo_for_writing(d / "z-last.txt", p)
        os.write(fd, host_text(via_rev="82").encode())
        os.close(fd)
        assert p.wait(timeout=60) == 0, p.stderr.read()
        reader.join(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    lines = [json.loads(x) for x in got]
    assert [x["host"] for x in lines] == [f"a{i}" for i in range(6) for _ in range(4)] + ["z-last"] * 4
    assert lines[-4]["nic"]["chip"]["chip"] == "VT3286"


def _open_fifo_for_writing(path, proc, timeout: float = 60) -> int:
    """Open a named pipe once its reader (``proc``) has opened it, without hanging when
    the reader is gone."""
    import time

    end = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.set_blocking(fd, True)
            return fd
        except OSError:  # ENXIO: nobody reads it yet
            assert proc.poll() is None and time.monotonic() < end, "nicdb never opened the last host"
            time.sleep(0.05)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_stopped_run_leaves_no_workers_and_no_spool(session_db, tmp_path, sig):
    """Stopped while a worker waits on an input that never ends: the run ends at once,
    its workers are gone and its spool folder is removed."""
    import signal
    import time

    d = tmp_path / "fleet-to-stop"
    d.mkdir()
    for i in range(6):
        (d / f"a{i}.txt").write_text(host_text())
    os.mkfifo(d / "z-never.txt")
    spool = tmp_path / "tmp"
    spool.mkdir()
    p = subprocess.Popen([sys.executable, "-m", "nicdb", "identify", "--from", str(d), "--jsonl", "-j", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=str(spool)))
    try:
        assert p.stdout.readline()  # under way (the pipe holds the rest)
        time.sleep(0.5)
        p.send_signal(getattr(signal, sig))
        code = p.wait(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert code == {"SIGTERM": 143, "SIGINT": 1}[sig], p.stderr.read()  # Ctrl-C: "nicdb: aborted", as ever
    assert os.listdir(spool) == []
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if str(d).encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                left.append(pid)
        except OSError:
            pass
    assert left == []


def test_work_in_flight_is_bounded(kb, fleet):
    """However slow the reader, only a few chunks per worker are out: memory and spool
    stay flat."""
    import time

    from nicdb.fleet import HostIdentifier, HostJob, HostRun
    from nicdb.inputs.fleet_folder import fleet_members
    from nicdb.render.fleet_out import FleetText

    members = fleet_members(fleet).members * 20  # 820 hosts
    run = HostRun(members, kb, lambda kb: HostJob(HostIdentifier(fleet, kb, kernel=None), FleetText("json", None)),
                  jobs=2)
    assert len(run.workers) == 2 and run.chunk >= 1
    seen = 0
    most = spooled = 0
    for host, _, text, facts, err in run:
        most = max(most, run.pending)
        spooled = max(spooled, len(os.listdir(run.spool)))
        assert (err is None) == (len(text) > 0)  # bytes in the memory shared with the worker
        assert err is not None or bytes(text[:9]) == b'{"nicdb":'
        seen += 1
        if seen % 100 == 0:
            time.sleep(0.05)  # a slow reader now and then
    assert seen == len(members)
    assert most <= run.window == 2 * (HostRun.QUEUED_PER_JOB + 1) and spooled <= run.window
    assert run.workers == [] and not os.path.exists(run.spool)  # workers and spool gone once the last host is out


def test_a_worker_that_dies_is_an_error_not_a_hang(kb, fleet):
    from nicdb.fleet import HostIdentifier, HostJob, HostRun, WorkerError
    from nicdb.inputs.fleet_folder import fleet_members

    members = fleet_members(fleet).members
    run = HostRun(members, kb, lambda kb: HostJob(HostIdentifier(fleet, kb, kernel=None), FleetText("json", None)),
                  jobs=2)
    for proc, _, _ in run.workers:
        proc.kill()
    with pytest.raises(WorkerError, match="ended unexpectedly"):
        list(run)
    assert run.workers == [] and not os.path.exists(run.spool)


def test_one_job_or_one_host_stays_in_this_process(kb, fleet):
    from nicdb.fleet import HostIdentifier, HostJob, HostRun
    from nicdb.render.fleet_out import FleetText

    make = lambda kb: HostJob(HostIdentifier(fleet, kb, kernel=None), FleetText("jsonl", None))  # noqa: E731
    assert HostRun(["host000.txt", "host001.txt"], kb, make, jobs=1).workers == []
    assert HostRun(["host000.txt"], kb, make, jobs=4).workers == []
    (one,) = list(HostRun(["host000.txt"], kb, make, jobs=4))
    assert one[0] == "host000" and one[2].count("\n") == 4 and one[3][0] == 4


def test_default_jobs_are_the_cpus_available():
    from nicdb.fleet import available_cpus

    assert available_cpus() == len(os.sched_getaffinity(0))

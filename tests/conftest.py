"""Shared test setup: every test runs against its own database and an empty overlay,
never the user's ~/.cache or ~/.config."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass

import pytest


@pytest.fixture(scope="session")
def session_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("nicdb-session")


@pytest.fixture(autouse=True)
def _isolated(session_dir, monkeypatch):
    """No test touches the user's cache or config."""
    monkeypatch.setenv("NICDB_DB", str(session_dir / "nicdb.sqlite"))
    monkeypatch.setenv("NICDB_OVERLAY", str(session_dir / "no-overlay"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_dir / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(session_dir / "config"))
    monkeypatch.delenv("NICDB_DATA", raising=False)
    monkeypatch.delenv("NICDB_PCI_IDS", raising=False)


@pytest.fixture
def session_db(session_dir) -> str:
    """The shared database, built from the real data/ and the system pci.ids on first use."""
    from nicdb.kb.store import KnowledgeBase

    path = str(session_dir / "nicdb.sqlite")
    KnowledgeBase.open(path)  # builds when missing or out of date
    return path


@pytest.fixture
def kb(session_db):
    from nicdb.kb.store import KnowledgeBase

    return KnowledgeBase.open(session_db)


@dataclass
class Run:
    code: int
    out: str
    err: str


def _schema_validator(name: str):
    """A validator for one of nicdb's JSON Schemas, with the others resolvable by $ref."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    from nicdb import schemas

    docs = {n: schemas.load(n) for n in schemas.names()}
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs.values())
    return Draft202012Validator(docs[name], registry=registry)


_VALIDATORS: dict = {}


def check_jsonl_output(out: str) -> None:
    """Every line of ``identify --jsonl`` validates against the NIC-line schema."""
    import json

    from nicdb import schemas

    if schemas.NIC_LINE not in _VALIDATORS:
        _VALIDATORS[schemas.NIC_LINE] = _schema_validator(schemas.NIC_LINE)
    for line in out.splitlines():
        errors = list(_VALIDATORS[schemas.NIC_LINE].iter_errors(json.loads(line)))
        assert not errors, f"{schemas.NIC_LINE}: " + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}"
                                                             for e in errors[:5])


def check_json_output(args: tuple, out: str) -> None:
    """Every JSON document the CLI prints validates against its schema: one document, or
    (identify --from FOLDER) JSON lines of host documents and a summary line."""
    import json

    from nicdb import schemas

    firsts = {c.split()[0] for c in schemas.BY_COMMAND}
    at = next((i for i, a in enumerate(args) if a in firsts or a in ("db", "evidence", "export")), len(args))
    command = " ".join(args[at:at + 2]) if args[at:at + 1] in (("db",), ("evidence",), ("export",)) \
        else " ".join(args[at:at + 1])
    name = schemas.BY_COMMAND.get(command)
    assert name is not None, f"'nicdb {command} --json' has no JSON Schema in nicdb/schemas"
    lines = [ln for ln in out.splitlines() if ln.strip()]
    try:
        docs = [json.loads(out)]
    except ValueError:  # JSON lines
        docs = [json.loads(ln) for ln in lines]
    for doc in docs:
        schema = schemas.FLEET_SUMMARY if isinstance(doc, dict) and "summary" in doc and "nics" not in doc else name
        if schema not in _VALIDATORS:
            _VALIDATORS[schema] = _schema_validator(schema)
        errors = sorted(_VALIDATORS[schema].iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, f"{schema}: " + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])


@pytest.fixture
def run(session_db):
    """Run the nicdb CLI in-process as a user would: returns exit code, stdout, stderr.
    Whatever it prints with --json is checked against the command's JSON Schema."""

    def _run(*args: str, stdin: str | None = None) -> Run:
        from nicdb.cli import main

        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        code = 0
        try:
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    main(list(args))
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            sys.stdin = old_stdin
        flags = args[:args.index("--")] if "--" in args else args  # after "--", "--json" is an argument
        if "--json" in flags and out.getvalue().strip() and code in (0, 2):
            check_json_output(args, out.getvalue())
        if "--jsonl" in flags and code in (0, 2):
            check_jsonl_output(out.getvalue())
        return Run(code, out.getvalue(), err.getvalue())

    return _run


@pytest.fixture
def on_a_terminal():
    """Run nicdb in a subprocess on a pseudo-terminal, as a user at a terminal does;
    returns everything it wrote."""
    import os
    import pty
    import subprocess

    def _run(*args: str, columns: int = 90) -> str:
        master, slave = pty.openpty()
        env = dict(os.environ, COLUMNS=str(columns), TERM="xterm")
        env.pop("NO_COLOR", None)
        p = subprocess.Popen([sys.executable, "-m", "nicdb", *args], stdout=slave, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        assert p.wait(timeout=120) == 0
        os.close(master)
        return b"".join(chunks).decode()

    return _run


class NetnsPair:
    """Two network namespaces of the test's own joined by a veth pair, with addresses from
    the benchmarking range 198.18.0.0/15 (RFC 2544); ``iperf3 -s`` and ``nuttcp -S`` run
    in the server namespace. Traffic never leaves them."""

    def __init__(self, tag: str):
        self.client, self.server = f"nicdb-t{tag}-c", f"nicdb-t{tag}-s"
        self.client_if, self.server_if = f"nv{tag}c", f"nv{tag}s"
        self.client_ip, self.server_ip = "198.18.0.1", "198.18.0.2"
        self.procs: list = []

    def ip(self, *args: str, check: bool = True):
        import subprocess

        return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30, check=check)

    def nicdb(self, ns: str, *args: str, timeout: float = 180, signal_after: float | None = None,
              signal_when: str | None = None, sig=None) -> Run:
        """Run the nicdb CLI inside namespace ``ns`` (``ip netns exec``), as a user there
        would. With ``signal_when``, send ``sig`` once that text appears on stdout."""
        import os
        import subprocess

        argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "nicdb", *args]
        if signal_when is None:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))
            return Run(p.returncode, p.stdout, p.stderr)
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        out = []
        for line in p.stdout:
            out.append(line)
            if signal_when in line:
                p.send_signal(sig)
                break
        rest, err = p.communicate(timeout=timeout)
        return Run(p.returncode, "".join(out) + rest, err)

    def exec(self, ns: str, *argv: str, timeout: float = 60):
        import subprocess

        return subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True, timeout=timeout)

    def read(self, path: str) -> str:
        """A file as the client namespace sees it (/sys and /proc/sys/net are its own)."""
        return self.exec(self.client, "cat", path).stdout.strip()


@pytest.fixture(scope="session")
def netns_pair():
    """A :class:`NetnsPair`, made once per session and removed at its end. Skipped only
    where the kernel (or the container) refuses network namespaces, with its words."""
    import os
    import shutil
    import subprocess
    import time

    for tool in ("ip", "iperf3", "nuttcp"):
        assert shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"), \
            f"{tool} is not installed: .ci/run installs iperf3, nuttcp and iproute2"
    pair = NetnsPair(str(os.getpid() % 100000))
    made = pair.ip("netns", "add", pair.client, check=False)
    if made.returncode != 0:
        pytest.skip(f"the kernel refuses network namespaces here: {made.stderr.strip()}")
    try:
        pair.ip("netns", "add", pair.server)
        pair.ip("link", "add", pair.client_if, "netns", pair.client, "type", "veth", "peer", "name", pair.server_if,
                "netns", pair.server)
        for ns, dev, addr in ((pair.client, pair.client_if, pair.client_ip), (pair.server, pair.server_if,
                                                                              pair.server_ip)):
            pair.ip("-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
            pair.ip("-n", ns, "link", "set", dev, "up")
            pair.ip("-n", ns, "link", "set", "lo", "up")
        for argv in (["iperf3", "-s", "-B", pair.server_ip], ["nuttcp", "-S", "--nofork"]):
            pair.procs.append(subprocess.Popen(["ip", "netns", "exec", pair.server, *argv],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            ss = pair.exec(pair.server, "ss", "-Hltn").stdout
            if ":5201" in ss and ":5000" in ss:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("iperf3 -s / nuttcp -S did not start listening in the test namespace")
        yield pair
    finally:
        for p in pair.procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        pair.ip("netns", "del", pair.client, check=False)
        pair.ip("netns", "del", pair.server, check=False)

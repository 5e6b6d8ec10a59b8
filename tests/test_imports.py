"""What each command imports: the one-shot paths must not pay for what they do not use
(rich, sqlite-utils, other commands). Checked in a fresh interpreter, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from nicdb.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
sys.stdout.flush()
sys.stderr.write(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imported(*args: str) -> tuple[int, set[str]]:
    p = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    doc = json.loads(p.stderr.splitlines()[-1])
    return doc["code"], set(doc["modules"])


FLOOR = "import json, sys, click, pyudev, sqlite3; print(json.dumps(sorted(sys.modules)))"


@pytest.fixture(scope="module")
def floor() -> set[str]:
    """What Python imports for the libraries nicdb's one-shot paths need anyway."""
    p = subprocess.run([sys.executable, "-c", FLOOR], capture_output=True, text=True, timeout=120, check=True)
    return set(json.loads(p.stdout))


@pytest.mark.parametrize("args", [
    ("identify", "--json"),
    ("identify", "--plain"),
    ("chip", "1106:3119", "--rev", "11", "--json"),
    ("suggest", "--id", "1106:3119", "--rev", "11", "--json"),
])
def test_one_shot_paths_stay_light(session_db, floor, args):
    code, mods = imported(*args)
    assert code == 0
    assert "nicdb.cli" in mods and f"nicdb.commands.{args[0]}" in mods
    extra = {m for m in mods - floor if m.split(".")[0] != "nicdb"}
    assert not extra, f"{' '.join(args)} imports more than click, pyudev, sqlite3 and json: {sorted(extra)}"
    assert "nicdb.kb.build" not in mods  # no rebuild: the database is current
    others = {m for m in mods if m.startswith("nicdb.commands.")} - {
        "nicdb.commands", "nicdb.commands.common", f"nicdb.commands.{args[0]}"}
    assert not others, f"{args[0]} imported other commands: {others}"


def test_help_lists_every_command_module(session_db):
    code, mods = imported("--help")
    assert code == 0
    from nicdb.cli import COMMANDS

    assert {f"nicdb.commands.{m}" for m in COMMANDS.values()} <= mods


GC_PROBE = """
import gc, sys
from nicdb.console import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write("gc-enabled=%s" % gc.isenabled())
"""


def gc_after(*args: str) -> bool:
    p = subprocess.run([sys.executable, "-c", GC_PROBE, *args], capture_output=True, text=True, timeout=120)
    return p.stderr.rsplit("gc-enabled=", 1)[1].strip() == "True"


def test_console_command_runs_one_shot_commands_without_the_cyclic_gc(session_db):
    assert gc_after("chip", "1106:3119", "--json") is False


def test_fleet_runs_get_the_gc_back(session_db, tmp_path):
    (tmp_path / "host1.txt").write_text("Slot:\t00:03.0\nClass:\tEthernet controller [0200]\n"
                                        "Vendor:\tVIA Technologies, Inc. [1106]\nDevice:\tVT6120 [3119]\nRev:\t11\n\n")
    assert gc_after("identify", "--from", str(tmp_path), "--json") is True


def test_console_entry_point_is_what_pyproject_installs():
    import tomllib
    from pathlib import Path

    doc = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert doc["project"]["scripts"]["nicdb"] == "nicdb.console:main"


def test_console_command_freezes_the_heap_before_exit(session_db):
    probe = GC_PROBE.replace('sys.stderr.write("gc-enabled=%s" % gc.isenabled())',
                             'sys.stderr.write("frozen=%d gc-enabled=%s" % (gc.get_freeze_count(), gc.isenabled()))')
    p = subprocess.run([sys.executable, "-c", probe, "chip", "1106:3119", "--json"], capture_output=True, text=True,
                       timeout=120)
    frozen = int(p.stderr.rsplit("frozen=", 1)[1].split()[0])
    assert frozen > 10_000  # click, pyudev, sqlite3 and nicdb's own objects
    assert "VT3216" in {c["chip"] for c in json.loads(p.stdout)["chips"]}  # and the output is all there


REGEX_PROBE = """
import json, re, sys, traceback
compiled = []
original = re._compile
def spy(pattern, flags):
    callers = [f for f in traceback.extract_stack()[:-1] if "/re/" not in f.filename]
    if "/nicdb/" in callers[-1].filename:  # nicdb's own call, not a library's
        compiled.append(str(pattern))
    return original(pattern, flags)
re._compile = spy
from nicdb.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write(json.dumps(compiled))
"""


@pytest.mark.parametrize("args", [("identify", "--json"), ("identify", "--plain")])
def test_one_shot_identify_compiles_no_regex(session_db, args):
    """Compiling regexes costs more than everything else nicdb does per run."""
    p = subprocess.run([sys.executable, "-c", REGEX_PROBE, *args], capture_output=True, text=True, timeout=120)
    assert json.loads(p.stderr.splitlines()[-1]) == []

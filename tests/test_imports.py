"""What each command imports: the one-shot paths must not pay for what they do not use
(rich, sqlite-utils, other commands). Checked in a fresh interpreter, as a user runs it."""

from __future__ import annotations

import json
import os
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
    ("suggest", "--id", "1106:3119", "--rev", "11", "--plain"),
    ("evidence", "list", "--json"),
    ("evidence", "show", "seed-001-vt6122-nuttcp", "--json"),
    ("evidence", "show", "seed-001-vt6122-nuttcp", "--plain"),
])
def test_one_shot_paths_stay_light(session_db, floor, args):
    code, mods = imported(*args)
    assert code == 0
    assert "nicdb.cli" in mods and f"nicdb.commands.{args[0]}" in mods
    assert "nicdb.render.plot" not in mods  # matplotlib: only with --plot
    extra = {m for m in mods - floor if m.split(".")[0] != "nicdb"}
    assert not extra, f"{' '.join(args)} imports more than click, pyudev, sqlite3 and json: {sorted(extra)}"
    assert "nicdb.kb.build" not in mods  # no rebuild: the database is current
    others = {m for m in mods if m.startswith("nicdb.commands.")} - {
        "nicdb.commands", "nicdb.commands.common", f"nicdb.commands.{args[0]}"}
    assert not others, f"{args[0]} imported other commands: {others}"


def test_sweep_plans_without_matplotlib(session_db):
    code, mods = imported("sweep", "txqueuelen", "1,2", "--peer", "127.0.0.1", "--iface", "lo", "--dry-run")
    assert code == 0
    assert not {m for m in mods if m.split(".")[0] in ("matplotlib", "PIL", "numpy", "rich", "sqlite_utils")}


def test_help_lists_every_command_module(session_db):
    code, mods = imported("--help")
    assert code == 0
    from nicdb.cli import COMMANDS

    assert {f"nicdb.commands.{m}" for m in COMMANDS.values()} <= mods


GC_PROBE = """
import gc, os, sys
import nicdb.console
real_exit = os._exit
def seen_at_exit(code):  # what the process looks like when nicdb.console ends it
    sys.stderr.write("gc-enabled=%s exit=%s" % (gc.isenabled(), code))
    sys.stderr.flush()
    real_exit(code)
nicdb.console.os._exit = seen_at_exit
nicdb.console.main()
"""


def console_run(*args: str) -> tuple[subprocess.CompletedProcess, bool, int]:
    """Run the console entry point: (process, GC enabled at exit?, exit code it chose)."""
    p = subprocess.run([sys.executable, "-c", GC_PROBE, *args], capture_output=True, text=True, timeout=120)
    state = p.stderr.rsplit("gc-enabled=", 1)[1].split()
    return p, state[0] == "True", int(state[1].removeprefix("exit="))


def gc_after(*args: str) -> bool:
    return console_run(*args)[1]


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


def test_console_command_ends_fast_with_all_output_and_the_right_status(session_db, tmp_path):
    p, _, code = console_run("chip", "1106:3119", "--json")
    assert code == 0 and p.returncode == 0
    assert "VT3216" in {c["chip"] for c in json.loads(p.stdout)["chips"]}  # everything was flushed
    p, _, code = console_run("chip", "zz:top")
    assert code == 2 and p.returncode == 2 and "nicdb: error: malformed" in p.stderr
    # a big output through a pipe arrives whole
    p, _, code = console_run("families", "--json")
    assert code == 0 and len(json.loads(p.stdout)) >= 10


def test_python_m_nicdb_exits_with_the_commands_status(session_db):
    p = subprocess.run([sys.executable, "-m", "nicdb", "chip", "zz:top"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr.startswith("nicdb: error:")
    p = subprocess.run([sys.executable, "-m", "nicdb", "chip", "1106:3119", "--json"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and json.loads(p.stdout)["chips"]


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


@pytest.mark.parametrize("args", [("identify", "--plain"), ("chip", "1106:3119", "--plain"), ("--version",),
                                  ("families", "--json")])
def test_output_that_cannot_be_written_is_one_line_and_exit_2(session_db, args):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "nicdb", *args], stdout=full, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    assert p.returncode == 2
    assert p.stderr == "nicdb: error: cannot write the output: No space left on device\n"


def test_closed_pipe_is_quiet(session_db, tmp_path):
    host = ("Slot:\t00:03.0\nClass:\tEthernet controller [0200]\nVendor:\tVIA Technologies, Inc. [1106]\n"
            "Device:\tVT6120 [3119]\nRev:\t11\n\n")
    for i in range(400):  # far more output than a pipe holds
        (tmp_path / f"host{i:03d}.txt").write_text(host)
    p = subprocess.Popen([sys.executable, "-m", "nicdb", "identify", "--from", str(tmp_path), "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.read(10)
    p.stdout.close()  # like `| head -c 10`
    err = p.stderr.read().decode()
    assert err == ""  # no traceback, no "Exception ignored" from the interpreter's exit
    assert p.wait(timeout=120) in (0, 1)  # click ends a run whose reader went away with status 1


def test_shell_completion_sees_the_lazily_loaded_commands(session_db):
    def complete(words: str, cword: int) -> list[str]:
        env = dict(os.environ, COMP_WORDS=words, COMP_CWORD=str(cword), _NICDB_COMPLETE="bash_complete")
        p = subprocess.run([sys.executable, "-m", "nicdb"], env=env, capture_output=True, text=True, timeout=120)
        return p.stdout.split()

    assert "plain,identify" in complete("nicdb id", 1)
    assert {"plain,db", "plain,chip", "plain,suggest"} <= set(complete("nicdb ", 1))
    assert "plain,--json" in complete("nicdb identify --js", 2)

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

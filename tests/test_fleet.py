"""identify --from DIR: one input per host in any format, a summary, broken members skipped."""

import json

import pytest


@pytest.fixture
def fleet(tmp_path, run, shared_datadir):
    d = tmp_path / "fleet"
    d.mkdir()
    # host a: nicdb's own JSON (round trip) of the VT6122 board
    r = run("identify", "--sysfs", str(shared_datadir / "sysfs" / "vt6122-board"), "--json")
    (d / "board-a.json").write_text(r.out)
    # host b: a snapshot archive of the dual-port card
    assert run("snapshot", str(d / "server-b.tar.gz"), "--sys-root", str(shared_datadir / "sysfs" / "multiport")).code == 0
    # host c: a sysfs folder
    import shutil

    shutil.copytree(shared_datadir / "sysfs" / "vt6130-pcie", d / "pcie-c")
    # host d: garbage
    (d / "broken-d.txt").write_text("this is not lspci output\nnor anything else\n")
    return d


def test_fleet_json_lines_and_summary(run, fleet):
    r = run("identify", "--from", str(fleet), "--json", "--kernel", "2.6.26")
    assert r.code == 2  # one input failed ...
    assert "broken-d.txt" in r.err and len(r.err.strip().splitlines()) == 1
    lines = [json.loads(x) for x in r.out.splitlines()]
    docs, summary = lines[:-1], lines[-1]["summary"]
    assert [d["host"] for d in docs] == ["board-a", "pcie-c", "server-b"]  # ... the others still answer
    assert summary["hosts"] == 3 and summary["hosts_failed"] == 1 and summary["nics"] == 4
    assert summary["hosts_per_driver"]["igb"] == 1
    # on 2.6.26 the VT6122 host runs via-velocity, which had the int_works livelock: it needs action
    assert any(a["host"] == "board-a" and "via-velocity" in a["action"] for a in summary["action_first"])


def test_fleet_output_reads_back(run, fleet, tmp_path):
    r = run("identify", "--from", str(fleet), "--json")
    out = tmp_path / "fleet.jsonl"
    out.write_text(r.out)
    again = run("identify", "--from", str(out), "--json")
    assert again.code == 0, again.err
    assert len(json.loads(again.out)["nics"]) == 4


def test_fleet_plain_table(run, fleet):
    r = run("identify", "--from", str(fleet), "--plain")
    assert "server-b" in r.out and "0000:03:00.1" in r.out
    assert "Fleet: 3 hosts read, 4 NICs, 1 inputs failed" in r.out
    assert "Hosts per chip" in r.out

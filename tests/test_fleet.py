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


@pytest.mark.parametrize("fmt", ["--json", "--jsonl"])
def test_fleet_output_reads_back(run, fleet, tmp_path, fmt):
    """A document per host with the summary line, or a line per NIC with a line for the
    host that could not be read: both read back as the NICs of the fleet."""
    r = run("identify", "--from", str(fleet), fmt)
    out = tmp_path / "fleet.jsonl"
    out.write_text(r.out)
    again = run("identify", "--from", str(out), "--json")
    assert again.code == 0, again.err
    assert len(json.loads(again.out)["nics"]) == 4


def test_fleet_plain_table(run, fleet):
    r = run("identify", "--from", str(fleet), "--plain")
    assert "server-b" in r.out and "0000:03:00.1" in r.out
    assert "Fleet: 3 hosts read, 4 NICs, 1 input failed" in r.out
    assert "Hosts per chip" in r.out


def test_fleet_skips_folders_that_are_not_hosts(run, fleet):
    """A sub-folder without a sysfs tree (an archive of old reports, say) is not a host: one
    warning names it, the hosts are read, and it does not count as a failed input."""
    (fleet / "old-reports").mkdir()
    (fleet / "old-reports" / "x.txt").write_text("Slot:\t00:00.0\n")
    (fleet / "broken-d.txt").unlink()
    r = run("identify", "--from", str(fleet), "--json")
    assert r.code == 0, r.err
    assert r.err.count("\n") == 1 and r.err.startswith("nicdb: warning: ")
    assert "skipped 1 folder that is not a sysfs tree (old-reports)" in r.err
    summary = json.loads(r.out.splitlines()[-1])["summary"]
    assert summary["hosts"] == 3 and summary["hosts_failed"] == 0
    assert "pcie-c" in [json.loads(x).get("host") for x in r.out.splitlines()[:-1]]  # a sysfs folder is a host


def test_fleet_of_only_folders_or_nothing_is_one_error(run, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("identify", "--from", str(empty))
    assert r.code == 2 and r.out == ""
    assert r.err.strip() == f"nicdb: error: {empty}: no host inputs in this folder (a fleet's hosts are the files " \
                            "and sysfs trees directly in it)"
    for n in ("main", "research", "shared"):
        (empty / n).mkdir()
    r = run("identify", "--from", str(empty), "--plain")
    assert r.code == 2 and r.out == ""
    warning, error = r.err.splitlines()
    assert "skipped 3 folders that are not a sysfs tree (main, research, shared)" in warning
    assert error.startswith("nicdb: error: ") and "no host inputs" in error


def test_fleet_reports_each_broken_host_in_one_line_and_counts_them(run, fleet):
    (fleet / "truncated-e.txt").write_text("00:0a.0 Ethernet controller [0200]: VIA Technologies VT6120/VT6121/VT6"
                                           "122 Gigabit Ethernet Adapter [1106:3119] (rev")
    r = run("identify", "--from", str(fleet), "--plain")
    assert r.code == 2
    errors = r.err.splitlines()
    assert len(errors) == 2 and all(e.startswith("nicdb: error: ") for e in errors)
    assert "broken-d.txt" in errors[0] and "truncated-e.txt" in errors[1]
    assert "Fleet: 3 hosts read, 4 NICs, 2 inputs failed" in r.out


def test_suggest_from_a_folder_says_what_reads_folders(run, tmp_path):
    r = run("suggest", "--from", str(tmp_path))
    assert r.code == 2 and len(r.err.splitlines()) == 1
    assert "not a sysfs tree or snapshot" in r.err and "nicdb identify --from FOLDER" in r.err

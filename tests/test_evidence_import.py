"""Importing the user's own throughput results: iperf3 --json written by real runs in the
test's own network namespaces, nuttcp output of real runs (plain, -fparse, -v) and of a
transcript like the seed's; bad files refused in one line with nothing stored; the
imported sets listed, shown and used as evidence in suggest."""

from __future__ import annotations

import json
import tomllib

import pytest

from conftest import check_json_output
from nicdb.errors import InputError
from nicdb.evidence.runs import read_file, read_text


def _set(overlay, name: str) -> dict:
    return tomllib.loads((overlay / "measurements" / f"{name}.toml").read_text())


@pytest.fixture
def overlay(tmp_path, monkeypatch):
    path = tmp_path / "overlay"
    monkeypatch.setenv("NICDB_OVERLAY", str(path))
    return path


# ---------------------------------------------------------------- real iperf3 runs


def test_real_iperf3_runs_import_with_what_the_machine_says(netns_pair, overlay, tmp_path):
    pair = netns_pair
    files = {}
    for name, extra in (("send", []), ("receive", ["-R"])):
        p = pair.exec(pair.client, "iperf3", "-c", pair.server_ip, "-t", "1", "--json", *extra)
        assert p.returncode == 0, p.stdout[-500:]
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(p.stdout)
    r = pair.nicdb(pair.client, "evidence", "import", str(files["send"]), str(files["receive"]), "--setting",
                   "txqueuelen=1000", "--set", "veth-runs")
    assert r.code == 0, r.err
    assert "imported 2 runs (tx 1, rx 1) of veth on " + pair.client_if in r.out
    doc = _set(overlay, "veth-runs")
    s = doc["set"]
    # the interface was found from the address iperf3 reports; the rest is the live machine's
    assert s["iface"] == pair.client_if and s["tool"] == "iperf3" and s["setting"] == "txqueuelen"
    assert s["kernel"] == pair.exec(pair.client, "uname", "-r").stdout.strip()
    assert s["host"] and s["confidence"] == "local" and "vendor" not in s  # a veth has no PCI ID
    assert s["peer"] == pair.server_ip and s["line_rate_mbps"] == int(pair.read(f"/sys/class/net/{pair.client_if}/speed"))
    tx, rx = doc["rows"]
    for row, f in ((tx, files["send"]), (rx, files["receive"])):
        end = json.loads(f.read_text())["end"]
        assert row["driver"] == "veth" and row["value"] == 1000 and "setting" not in row  # the set's
        assert row["mbps"] == pytest.approx(end["sum_received"]["bits_per_second"] / 1e6, abs=1e-3)
        assert row["retransmits"] == end["sum_sent"]["retransmits"]
        assert row["cpu_local_pct"] == round(end["cpu_utilization_percent"]["host_total"])
        assert row["cpu_peer_pct"] == round(end["cpu_utilization_percent"]["remote_total"])
        assert row["mss"] > 500 and 0.9 < row["duration_s"] < 1.5 and row["driver_version"]
    assert (tx["direction"], rx["direction"]) == ("tx", "rx")
    # listed and shown as the user's own, with a JSON document that validates
    lst = pair.nicdb(pair.client, "evidence", "list", "--json")
    check_json_output(("evidence", "list", "--json"), lst.out)
    mine = {m["id"]: m for m in json.loads(lst.out)["sets"]}["veth-runs"]
    assert mine["origin"] == "local" and mine["count"] == 2 and mine["settings"] == ["txqueuelen"]
    show = pair.nicdb(pair.client, "evidence", "show", "veth-runs", "--json")
    check_json_output(("evidence", "show", "veth-runs", "--json"), show.out)
    assert [m["direction"] for m in json.loads(show.out)["measurements"]] == ["tx", "rx"]


def test_real_bidir_and_server_side_json(netns_pair, overlay, tmp_path):
    pair = netns_pair
    p = pair.exec(pair.client, "iperf3", "-c", pair.server_ip, "-t", "1", "--bidir", "--json")
    assert p.returncode == 0
    runs = read_text(p.stdout, "bidir.json")
    assert [r.direction for r in runs] == ["tx", "rx"] and all(r.mbps > 0 for r in runs)
    # a one-off server writing its own JSON: the server's machine received
    import subprocess

    server = subprocess.Popen(["ip", "netns", "exec", pair.server, "iperf3", "-s", "-1", "-p", "5202", "-B",
                               pair.server_ip, "--json"], stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if ":5202" in pair.exec(pair.server, "ss", "-Hltn").stdout:
                break
            import time

            time.sleep(0.1)
        assert pair.exec(pair.client, "iperf3", "-c", pair.server_ip, "-p", "5202", "-t", "1").returncode == 0
        out, _ = server.communicate(timeout=30)
    finally:
        server.kill()
    f = tmp_path / "server.json"
    f.write_text(out)
    (run,) = read_file(str(f))
    assert run.direction == "rx" and run.cpu_peer is None and run.peer == pair.client_ip
    r = pair.nicdb(pair.server, "evidence", "import", str(f), "--set", "server-side")
    assert r.code == 0, r.err
    doc = _set(overlay, "server-side")
    assert doc["set"]["iface"] == pair.server_if and doc["rows"][0]["direction"] == "rx"


def test_concatenated_runs_are_repeats_with_median_and_spread(netns_pair, overlay, tmp_path):
    pair = netns_pair
    text = "".join(pair.exec(pair.client, "iperf3", "-c", pair.server_ip, "-t", "1", "--json").stdout
                   for _ in range(3))  # iperf3 ... --json >> runs.json, three times
    f = tmp_path / "runs.json"
    f.write_text(text)
    r = pair.nicdb(pair.client, "evidence", "import", str(f), "--set", "repeats")
    assert r.code == 0, r.err
    (row,) = _set(overlay, "repeats")["rows"]
    assert len(row["runs"]) == 3 and row["mbps"] == sorted(row["runs"])[1]  # the median
    show = pair.nicdb(pair.client, "evidence", "show", "repeats", "--plain")
    assert "median of the repeats" in show.out and "±" in show.out


# ---------------------------------------------------------------- real nuttcp runs


def test_real_nuttcp_runs_plain_and_parse(netns_pair, overlay, tmp_path):
    pair = netns_pair
    outputs = {}
    for name, args in (("plain-t", ["-t"]), ("plain-r", ["-r"]), ("parse-t", ["-fparse", "-t"]),
                       ("parse-r", ["-fparse", "-r"])):
        p = pair.exec(pair.client, "nuttcp", "-T1", *args, pair.server_ip)
        assert p.returncode == 0, p.stderr
        outputs[name] = p.stdout
    # brief output does not say which way the data went
    (tmp_path / "t.txt").write_text(outputs["plain-t"])
    with pytest.raises(InputError, match="give --direction tx"):
        read_file(str(tmp_path / "t.txt"))
    (run,) = read_file(str(tmp_path / "t.txt"), "tx")
    assert run.tool == "nuttcp" and run.mbps > 0 and run.duration_s == pytest.approx(1, abs=0.2)
    # a transcript with the command lines says it, as the seed's does
    transcript = "".join(f"# nuttcp -T1 {'-fparse ' if 'parse' in k else ''}{'-r' if k.endswith('r') else '-t'} "
                         f"{pair.server_ip}\n{v}" for k, v in outputs.items())
    (tmp_path / "all.txt").write_text(transcript)
    runs = read_file(str(tmp_path / "all.txt"))
    assert [r.direction for r in runs] == ["tx", "rx", "tx", "rx"]
    r = pair.nicdb(pair.client, "evidence", "import", str(tmp_path / "all.txt"), "--set", "nuttcp-runs",
                   "--setting", "net.ipv4.tcp_rmem=4096 131072 33554432")
    assert r.code == 0, r.err
    doc = _set(overlay, "nuttcp-runs")
    assert doc["set"]["tool"] == "nuttcp" and doc["set"]["setting"] == "net.ipv4.tcp_rmem"
    assert [(x["direction"], len(x["runs"])) for x in doc["rows"]] == [("tx", 2), ("rx", 2)]
    assert doc["rows"][0]["value"] == [4096, 131072, 33554432]


def test_seed_transcript_reads_as_the_seed_tabulated_it(shared_datadir, datadir):
    send, receive = read_file(str(datadir / "seed-ref1-ref2.txt"))
    # the seed's table: ref1 => ref2 941.3733 Mb/s, ref1 11 %, ref2 27 %; ref1 <= ref2 941.0966, 16 %, 33 %
    assert (send.direction, send.mbps, send.cpu_local, send.cpu_peer) == ("tx", 941.3733, 11, 27)
    assert (receive.direction, receive.mbps, receive.cpu_local, receive.cpu_peer) == ("rx", 941.0966, 16, 33)
    assert send.duration_s == 10.01


def test_nuttcp_verbose_and_interval_outputs(datadir):
    (run,) = read_file(str(datadir / "nuttcp-v-receive.txt"))
    assert (run.direction, run.mbps, run.cpu_local, run.cpu_peer, run.mss) == ("rx", 7665.2323, 26, 25, 1448)
    (run,) = read_file(str(datadir / "nuttcp-fparse-intervals.txt"), "tx")  # interval lines carry no CPU
    assert (run.mbps, run.cpu_local, run.cpu_peer, run.retransmits) == (5265.2852, 30, 21, 0)
    (run,) = read_file(str(datadir / "nuttcp-intervals-receive.txt"), "rx")
    assert (run.mbps, run.cpu_local, run.cpu_peer) == (6130.0724, 25, 26)


# ---------------------------------------------------------------- bad files


BAD = {
    "empty.json": ("", "empty file"),
    "truncated.json": ('{"start": {"connecting_to": {"host": "198.18.0.2"}}, "end": {"sum_sent": ',
                       "not valid JSON"),
    "array.json": ("[1, 2, 3]", "a JSON array is not iperf3"),
    "other.json": ('{"name": "not iperf3"}', "not iperf3 --json output"),
    "error.json": ('{"start": {"connected": []}, "intervals": [], "end": {}, '
                   '"error": "unable to connect to server: Connection refused"}',
                   "iperf3 reported an error: unable to connect"),
    "udp.json": ('{"start": {"connecting_to": {"host": "198.18.0.2", "port": 5201}, "test_start": '
                 '{"protocol": "UDP", "reverse": 0}}, "end": {"sum": {"bits_per_second": 1000000}}}',
                 "a UDP test"),
    "nan.json": ('{"start": {"connecting_to": {"host": "h"}, "test_start": {"protocol": "TCP"}}, '
                 '"end": {"sum_received": {"bits_per_second": -5, "bytes": 10}}}', "not a plausible figure"),
    "notes.txt": ("we measured about 900 Mbps yesterday\n", "neither iperf3 --json output nor nuttcp"),
    "binary.bin": ("\x00\x01\x02", "NUL bytes"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_file_that_is_not_what_it_claims_is_one_line_and_nothing_is_stored(run, overlay, tmp_path, name):
    text, said = BAD[name]
    bad = tmp_path / name
    bad.write_text(text)
    good = tmp_path / "good.txt"
    good.write_text("# nuttcp -t peer\n  100.0 MB /  1.00 sec =  838.8608 Mbps 12 %TX 30 %RX\n")
    r = run("evidence", "import", str(good), str(bad), "--id", "1106:3119", "--driver", "via-velocity")
    assert r.code == 2 and r.out == ""
    assert r.err.count("\n") == 1 and r.err.startswith("nicdb: error: ") and said in r.err and name in r.err
    assert not overlay.exists()


def test_refusals_name_what_is_wrong(run, overlay, datadir, tmp_path):
    seed = str(datadir / "seed-ref1-ref2.txt")
    r = run("evidence", "import", seed, "--id", "1106:3119")
    assert r.code == 2 and "which driver" in r.err
    r = run("evidence", "import", seed, "--id", "1106:3119", "--driver", "via-velocity", "--setting", "DMA_length")
    assert r.code == 2 and "must be NAME=VALUE" in r.err
    r = run("evidence", "import", seed, "--id", "1106:3119", "--driver", "via-velocity", "--setting", "a..b=1")
    assert r.code == 2 and "has an empty part" in r.err
    r = run("evidence", "import", seed, "--id", "1106:3119", "--driver", "x", "--set", "seed-001-vt6122-nuttcp")
    assert r.code == 2 and "nicdb's own measurement sets" in r.err
    r = run("evidence", "import", seed, "--rev", "11", "--driver", "x")
    assert r.code == 2 and "--rev, --kernel and --host go with --id" in r.err
    iperf = tmp_path / "x.json"
    iperf.write_text('{"start": {"connecting_to": {"host": "h"}, "test_start": {"protocol": "TCP"}}, '
                     '"end": {"sum_received": {"bits_per_second": 5e8, "bytes": 10}}}')
    r = run("evidence", "import", seed, str(iperf), "--id", "1106:3119", "--driver", "x")
    assert r.code == 2 and "import each tool's into its own set" in r.err
    # a set stays one machine's
    assert run("evidence", "import", seed, "--id", "1106:3119", "--host", "a", "--driver", "via-velocity",
               "--set", "mine").code == 0
    r = run("evidence", "import", seed, "--id", "1106:3119", "--host", "b", "--driver", "via-velocity",
            "--set", "mine")
    assert r.code == 2 and "was made with host a, these runs with b" in r.err
    assert not overlay.joinpath("measurements", "seed-001-vt6122-nuttcp.toml").exists()
    r = run("evidence", "show", "no-such-set")
    assert r.code == 2 and "no measurement set 'no-such-set'" in r.err


# ---------------------------------------------------------------- as evidence in suggest


def _nuttcp(path, mbps: float, cpu: int = 97) -> str:
    path.write_text(f"$ nuttcp -t -T10 ref1\n  765.3 MB /  10.01 sec =  {mbps} Mbps {cpu} %TX 11 %RX 0 retrans\n")
    return str(path)


def _import_sweep(run, tmp_path, set_id: str, points: dict[int, float]) -> None:
    for value, mbps in points.items():
        r = run("evidence", "import", _nuttcp(tmp_path / f"{set_id}-{value}.txt", mbps), "--id", "1106:3119",
                "--rev", "11", "--driver", "via-velocity", "--kernel", "6.1.0", "--host", "epia",
                "--setting", f"via_velocity.DMA_length={value}", "--set", set_id)
        assert r.code == 0, r.err


def test_your_sets_stand_beside_the_seeds_in_suggest(run, overlay, tmp_path):
    _import_sweep(run, tmp_path, "my-vt6122", {2: 480.1, 4: 590.3, 6: 640.7, 7: 641.2})
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--plain")
    assert r.code == 0, r.err
    assert "Evidence (your own): nuttcp runs on epia: via_velocity.DMA_length varied" in r.out
    assert "DMA_length on via-velocity: the sets side by side (Mb/s)" in r.out
    side = r.out.split("the sets side by side")[1]
    assert "6 (recommended)  646.4" in side and "640.7" in side
    assert ("Your machine epia (my-vt6122, tx): agrees with the recommendation DMA_length=6 "
            "(best 7: 641.2 Mb/s; recommended: 640.7 Mb/s)") in r.out
    doc = json.loads(run("suggest", "--id", "1106:3119", "--rev", "11", "--json").out)  # validated by run
    nic = doc["nics"][0]
    (p,) = [p for p in nic["parameters"] if p["name"] == "DMA_length"]
    assert p["local_evidence"] == ["my-vt6122"] and p["evidence"] == ["seed-001-vt6122-nuttcp"]
    ev = {e["id"]: e for e in nic["evidence"]}
    assert ev["my-vt6122"]["origin"] == "local" and ev["seed-001-vt6122-nuttcp"]["origin"] == "shipped"
    (v,) = ev["my-vt6122"]["verdicts"]
    assert (v["best_value"], v["recommended"], v["agrees"], v["flat_from"]) == (7, 6, True, 6)
    # another chip's revision does not see them
    other = json.loads(run("suggest", "--id", "1106:3119", "--rev", "84", "--json").out)["nics"][0]
    assert "my-vt6122" not in {e["id"] for e in other["evidence"]}


def test_a_machine_that_disagrees_is_told_so(run, overlay, tmp_path):
    _import_sweep(run, tmp_path, "odd-board", {2: 500.0, 4: 700.0, 6: 560.0})
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--plain")
    assert ("Your machine epia (odd-board, tx): disagrees with the recommendation DMA_length=6 "
            "(best 4: 700.0 Mb/s; recommended: 560.0 Mb/s)") in r.out
    assert "20 % less: this machine disagrees with the recommendation" in r.out


def test_the_nic_of_a_sysfs_tree_is_recorded_by_pci_id_and_chip(run, overlay, datadir, shared_datadir):
    r = run("evidence", "import", str(datadir / "seed-ref1-ref2.txt"), "--sysfs",
            str(shared_datadir / "sysfs" / "vt6122-board"), "--iface", "eth0", "--setting", "DMA_length=6",
            "--set", "board-runs")
    assert r.code == 0, r.err
    s = _set(overlay, "board-runs")["set"]
    assert (s["vendor"], s["device"], s["revs"], s["chip"], s["slot"]) == ("1106", "3119", "11", "VT3216",
                                                                            "0000:00:0a.0")
    assert s["line_rate_mbps"] == 1000 and "host" not in s  # a folder says no host: none is made up
    doc = json.loads(run("suggest", "--id", "1106:3119", "--rev", "11", "--json").out)["nics"][0]
    assert "board-runs" in {e["id"] for e in doc["evidence"]}  # a bare DMA_length: whichever driver it names
    r = run("evidence", "import", str(datadir / "seed-ref1-ref2.txt"), "--sysfs",
            str(shared_datadir / "sysfs" / "vt6122-board"), "--slot", "0000:00:0b.0")
    assert r.code == 2 and "no PCI function '0000:00:0b.0' in " in r.err

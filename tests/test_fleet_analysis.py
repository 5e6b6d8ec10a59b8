"""docs/fleet-analysis.md does what it says: its DuckDB queries, run as written on the
JSON lines of a fleet, and its Spark map step, run without Spark."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import pytest

from test_fleet_fast import host_text, record

RTL8126 = ("Ethernet controller [0200]", "Realtek Semiconductor Co., Ltd. [10ec]", "RTL8126 5GbE Controller [8126]")

DOC = Path(__file__).resolve().parent.parent / "docs" / "fleet-analysis.md"


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(), flags=re.S)


def sql(marker: str) -> str:
    (text,) = [b for b in blocks("sql")
               if b.splitlines()[0] == f"-- {marker}" or b.splitlines()[0].startswith(f"-- {marker}: ")]
    return text


@pytest.fixture
def fleet(run, tmp_path):
    """Two hosts of pasted lspci (a VT6122 and a VT6130, each with the same RTL8126 card,
    whose chip loads rtl8126a-2.fw or -3.fw), two snapshots of an RTL8168 machine (one with
    Realtek's firmware installed, one without), an unreadable host, and the firmware
    inventory of the lspci hosts."""
    from test_driver_facts import _sysfs, make_root

    d = tmp_path / "fleet"
    d.mkdir()
    rtl = "\n" + record("0000:00:07.0", *RTL8126, rev="01", driver="r8169", modules=["r8169"])
    (d / "alpha.txt").write_text(host_text(via_rev="11") + rtl)  # VT6122 on via-velocity
    (d / "beta.txt").write_text(host_text(via_rev="82") + rtl)   # VT6130 on via-velocity
    (d / "gamma.txt").write_text("a truncated upload\n")
    sys_root = _sysfs(tmp_path / "sys", [("0000:03:00.0", "0x10ec", "0x8168", "0x15", "0x020000", "r8169")])
    with_fw = make_root(tmp_path / "with", "bookworm", ["rtl_nic/rtl8168h-2.fw"])
    without = make_root(tmp_path / "without", "bookworm")
    for name, root in (("delta", with_fw), ("epsilon", without)):
        assert run("snapshot", str(d / f"{name}.tar.gz"), "--sys-root", sys_root, "--root", root).code == 0
    (tmp_path / "firmware-inventory.csv").write_text(
        "host,file\nalpha,rtl_nic/rtl8126a-3.fw\nalpha,rtl_nic/rtl8168g-2.fw\nbeta,rtl_nic/rtl8168g-2.fw\n")
    return d


@pytest.fixture
def db(run, fleet, tmp_path, monkeypatch):
    r = run("identify", "--from", str(fleet), "--jsonl", "--kernel", "2.6.26")
    assert r.code == 2 and "gamma.txt" in r.err and r.err.count("\n") == 1  # the unreadable host
    (tmp_path / "fleet.jsonl").write_text(r.out)
    monkeypatch.chdir(tmp_path)  # the queries name fleet.jsonl and firmware-inventory.csv
    con = duckdb.connect()
    con.execute(sql("setup"))
    return con


def test_the_doc_has_the_queries_it_describes():
    markers = [b.splitlines()[0] for b in blocks("sql")]
    assert markers == ["-- setup: the lines and the NICs of fleet.jsonl", "-- query: other-driver", "-- query: chips",
                       "-- query: missing-firmware", "-- query: missing-firmware-inventory", "-- query: unreadable"]


def test_hosts_on_another_driver_than_recommended(db):
    rows = db.execute(sql("query: other-driver")).fetchall()
    # on 2.6.26 nicdb recommends VIA's velocityget over the in-tree driver for both generations,
    # and Realtek's r8126 for the RTL8126A (r8169 has no support for it there)
    assert rows == [("alpha", "0000:00:01.0", "1106:3119", "11", "VT3216", "via-velocity", "velocityget"),
                    ("alpha", "0000:00:07.0", "10ec:8126", "01", "RTL8126A (PCIe 5G)", "r8169", "r8126"),
                    ("beta", "0000:00:01.0", "1106:3119", "82", "VT3286", "via-velocity", "velocityget"),
                    ("beta", "0000:00:07.0", "10ec:8126", "01", "RTL8126A (PCIe 5G)", "r8169", "r8126")]


def test_hosts_per_chip(db):
    rows = db.execute(sql("query: chips")).fetchall()
    by_chip = {(chip, rev): hosts for chip, _, rev, _, hosts in rows}
    assert by_chip[("RTL8139C+", "20")] == 2 and by_chip[("VT3216", "11")] == 1 and by_chip[("VT3286", "82")] == 1
    assert rows[0][4] == 2  # most hosts first


def test_nics_that_lack_their_firmware(db):
    rows = db.execute(sql("query: missing-firmware")).fetchall()
    # the snapshot of the host without Realtek's firmware; the other has it; the lspci hosts cannot tell
    assert rows == [("epsilon", "0000:03:00.0", rows[0][2], "no r8169 firmware installed: apt install firmware-realtek")]


def test_nics_that_lack_their_firmware_by_the_hosts_inventory(db):
    rows = db.execute(sql("query: missing-firmware-inventory")).fetchall()
    # beta has none of the RTL8126A's files, alpha one of them
    assert rows == [("beta", "0000:00:07.0", "RTL8126A (PCIe 5G)", "rtl_nic/rtl8126a-2.fw, rtl_nic/rtl8126a-3.fw")]


def test_unreadable_hosts(db):
    ((host, source, error),) = db.execute(sql("query: unreadable")).fetchall()
    assert host == "gamma" and source.endswith("gamma.txt") and "not lspci output" in error


def test_spark_map_step_runs_as_written(run, fleet):
    (code,) = [b for b in blocks("python") if "def identify_partition" in b]
    scope: dict = {}
    exec(code, scope)
    scope["NICDB"] = [sys.executable, "-m", "nicdb"]  # the doc's command, as this environment runs it
    files = [(f"s3a://inventory/lspci/{p.name}", p.read_bytes()) for p in sorted(fleet.iterdir())]
    lines = [json.loads(x) for x in scope["identify_partition"](iter(files))]
    want = [json.loads(x) for x in run("identify", "--from", str(fleet), "--jsonl").out.splitlines()]
    assert len(lines) == len(want) == 13  # 5 NICs on each lspci host, 1 on each snapshot, 1 error line
    for got, w in zip(lines, want):  # the same but for the folder the files were read from
        assert Path(got.pop("source")).name == Path(w.pop("source")).name
        a, b, field = (got["nic"], w["nic"], "origin") if "nic" in got else (got, w, "error")
        assert Path(a.pop(field)).name == Path(b.pop(field)).name  # FILE:LINE, or FILE: what is wrong
        assert got == w

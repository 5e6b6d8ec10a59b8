"""Local knowledge in the overlay: validated like shipped data, shown as "local", never lost."""

import json
import os



def test_add_chip_shows_as_local_and_survives_rebuilds(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    r = run("db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "MYCHIP", "--products", "Card A,Card B",
            "--bus", "pcie")
    assert r.code == 0, r.err
    doc = json.loads(run("chip", "abcd:1234", "--rev", "12", "--json").out)
    (c,) = doc["chips"]
    assert c["chip"] == "MYCHIP" and c["products"] == ["Card A", "Card B"]
    assert c["confidence"] == "local" and c["source"]["kind"] == "local"
    # an explicit rebuild and a change to shipped-data fingerprints keep it
    assert run("db", "build").code == 0
    assert json.loads(run("chip", "abcd:1234", "--rev", "12", "--json").out)["chips"][0]["chip"] == "MYCHIP"
    assert (tmp_path / "overlay" / "families" / "local-abcd1234.toml").is_file()


def test_overlapping_local_chip_is_refused_and_file_kept(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    assert run("db", "add", "chip", "abcd:1234", "--revs", "10-1f", "--chip", "A").code == 0
    f = tmp_path / "overlay" / "families" / "local-abcd1234.toml"
    before = f.read_text()
    r = run("db", "add", "chip", "abcd:1234", "--revs", "18-20", "--chip", "B")
    assert r.code == 2 and "overlaps" in r.err and len(r.err.strip().splitlines()) == 1
    assert f.read_text() == before


def test_add_measurement_and_issue(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    r = run("db", "add", "measurement", "--set", "my-sweep", "--id", "1106:3119", "--rev", "11",
            "--driver", "via-velocity", "--direction", "tx", "--mbps", "612.5", "--dma-length", "4")
    assert r.code == 0, r.err
    r = run("db", "add", "issue", "via-velocity", "--id", "my-hang", "--title", "hangs on my board",
            "--severity", "major", "--affected", ">=6.0")
    assert r.code == 0, r.err
    from nicdb.kb.store import KnowledgeBase

    kb = KnowledgeBase.open()
    rows = kb.measurements("my-sweep")
    assert [(m["driver"], m["setting"], m["value"], m["mbps"]) for m in rows] == [("via-velocity", "DMA_length", 4, 612.5)]
    assert "my-hang" in {i["id"] for i in kb.issues("via-velocity")}
    doc = json.loads(run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "6.1", "--json").out)
    assert "my-hang" in {i["id"] for i in doc["nics"][0]["issues"]}


def test_unknown_driver_in_issue_is_refused(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    r = run("db", "add", "issue", "nosuchdriver", "--id", "x", "--title", "t")
    assert r.code == 2 and "extends driver 'nosuchdriver', which is not defined" in r.err
    assert not (tmp_path / "overlay" / "drivers" / "nosuchdriver.local.toml").exists()


def test_hostile_names_are_refused(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    r = run("db", "add", "measurement", "--set", "../../etc/x", "--id", "1106:3119", "--driver", "via-velocity",
            "--direction", "tx", "--mbps", "1")
    assert r.code == 2 and "set name" in r.err
    assert not os.path.exists(tmp_path / "etc")

"""The command line as a user runs it: output, exit status, one-line errors."""

import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def test_version(run):
    from nicdb import __version__

    for flag in ("--version", "-V"):
        r = run(flag)
        assert r.code == 0 and r.out == f"nicdb, version {__version__}\n"


def test_chip_by_revision_names_the_products(run):
    r = run("chip", "1106:3119", "--rev", "11", "--plain")
    assert r.code == 0, r.err
    assert "VT3216" in r.out
    for product in ("VT6120", "VT6121", "VT6122"):
        assert product in r.out
    assert "seed-inferred" in r.out  # the product names are the seed's inference


@pytest.mark.parametrize("rev,chip", [("00", "VT3119"), ("0x0f", "VT3119"), ("10", "VT3216"), ("1f", "VT3216"),
                                      ("20", "VT3284"), ("7f", "VT3284"), ("80", "VT3286"), ("ff", "VT3286")])
def test_velocity_revision_boundaries(run, rev, chip):
    r = run("chip", "1106:3119", "--rev", rev, "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert [c["chip"] for c in doc["chips"]] == [chip]
    assert doc["chips"][0]["source"]["ref"]


def test_chip_without_rev_lists_every_range(run):
    doc = json.loads(run("chip", "1106:3119", "--json").out)
    assert [c["revs"] for c in doc["chips"]] == ["00-0f", "10-1f", "20-7f", "80-ff"]


def test_unknown_chip_is_plain_and_exit_0(run):
    r = run("chip", "1af4:1041", "--plain")
    assert r.code == 0
    assert "not in the knowledge base" in r.out


@pytest.mark.parametrize("args,needle", [
    (("chip", "zz:11"), "malformed PCI ID 'zz:11'"),
    (("chip", "1106:3119", "--rev", "1000"), "malformed revision '1000'"),
    (("suggest", "--id", "1106-3119"), "malformed PCI ID"),
    (("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "linux"), "malformed version 'linux'"),
    (("identify", "--sysfs", "/nonexistent/x"), "/nonexistent/x: no such file or folder"),
    (("suggest", "nosuchif0", "--sysfs", str(HERE / "data/sysfs/virtio")), "no PCI device or interface named 'nosuchif0'"),
])
def test_bad_input_is_one_line_and_exit_2(run, args, needle):
    r = run(*args)
    assert r.code == 2
    assert needle in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_identify_fixture_board(run, shared_datadir):
    r = run("identify", "--sysfs", str(shared_datadir / "sysfs" / "vt6122-board"), "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    (nic,) = doc["nics"]
    assert nic["slot"] == "0000:00:0a.0" and nic["revision"] == "11"
    assert nic["chip"]["chip"] == "VT3216"
    assert nic["driver_in_use"] == "via-velocity"
    assert nic["interfaces"][0]["name"] == "eth0"


def test_identify_multiport_lists_both_functions(run, shared_datadir):
    doc = json.loads(run("identify", "--sysfs", str(shared_datadir / "sysfs" / "multiport"), "--json").out)
    assert [n["slot"] for n in doc["nics"]] == ["0000:03:00.0", "0000:03:00.1"]


def test_identify_plain_table(run, shared_datadir):
    r = run("identify", "--sysfs", str(shared_datadir / "sysfs" / "vt6130-pcie"), "--plain")
    assert r.code == 0
    assert "0000:02:00.0" in r.out and "1106:3119 rev 82" in r.out and "VT3286" in r.out


def test_identify_live(run):
    r = run("identify", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["source"] == "udev" and doc["kernel"]
    virtio = [n for n in doc["nics"] if n["vendor"]["id"] == "1af4"]
    if virtio:
        assert virtio[0]["device"]["id"] == "1041" and virtio[0]["driver_in_use"] == "virtio-pci"
        assert any(i["driver"] == "virtio_net" for i in virtio[0]["interfaces"])


def test_suggest_dma_length_with_evidence(run):
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "2.6.26", "--plain")
    assert r.code == 0, r.err
    # 2.6.26: the in-tree driver still had the int_works livelock, so VIA's driver is preferred,
    # and staying with via-velocity needs DMA_length=6 (its default was 0 until 2.6.33)
    assert "Driver: use velocityget" in r.out
    assert "[via-velocity] DMA_length: set 6 (default here: 0)" in r.out
    assert "options via_velocity DMA_length=6" in r.out
    assert "655.5" in r.out and "646.4" in r.out  # the seed's measurements at DMA_length 6
    assert "█" in r.out  # the sweep is drawn


def test_suggest_current_kernel_does_not_set_the_default(run):
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "6.1", "--json")
    doc = json.loads(r.out)
    (nic,) = doc["nics"]
    assert nic["drivers"]["recommended"] == "via-velocity"
    (p,) = [p for p in nic["parameters"] if p["name"] == "DMA_length"]
    assert p["recommended"] == 6 and p["action"] == "already-default"
    assert nic["modprobe"] is None


def test_suggest_pcie_generation_says_dma_length_made_no_difference(run):
    r = run("suggest", "--id", "1106:3119", "--rev", "82", "--kernel", "6.1", "--plain")
    assert r.code == 0
    assert "DMA_length: leave the default" in r.out
    assert "VT6130 every DMA_length value gave the same throughput" in r.out


def test_families_and_search(run):
    fams = json.loads(run("families", "--json").out)
    assert "via-velocity" in {f["id"] for f in fams}
    r = run("search", "VT6122", "--json")
    res = json.loads(r.out)
    assert any(c["chip"] == "VT3216" for c in res["chips"])


def test_search_text_is_data_not_sql(run):
    r = run("search", "%' OR 1=1; DROP TABLE chips; --", "--json")
    assert r.code == 0
    res = json.loads(r.out)
    assert all(v == [] for v in res.values())
    assert json.loads(run("chip", "1106:3119", "--json").out)["chips"]  # still there


def test_candidate_modules_with_refusal_applied(run):
    r = run("suggest", "--id", "10ec:8139", "--rev", "20", "--kernel", "6.1", "--json")
    nic = json.loads(r.out)["nics"][0]
    assert {"8139too", "8139cp"} <= set(nic["candidate_modules"]["modules"])
    assert "shipped driver facts" in nic["candidate_modules"]["source"]
    opts = {o["name"]: o["status"] for o in nic["drivers"]["options"]}
    assert opts["8139too"] == "refused" and nic["drivers"]["recommended"] == "8139cp"


def test_modules_alias_override(run, tmp_path):
    alias = tmp_path / "modules.alias"
    alias.write_text("alias pci:v00001106d00003119sv*sd*bc*sc*i* my_velocity_fork\n")
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "6.1", "--modules-alias", str(alias), "--json")
    nic = json.loads(r.out)["nics"][0]
    assert nic["candidate_modules"]["modules"] == ["my_velocity_fork"]
    assert any(o["name"] == "my_velocity_fork" and o["status"] == "candidate" for o in nic["drivers"]["options"])


def test_bad_modules_alias_file_is_one_line(run, tmp_path):
    alias = tmp_path / "modules.alias"
    alias.write_bytes(b"\x00\x01garbage\n")
    r = run("identify", "--modules-alias", str(alias))
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1 and str(alias) in r.err


def test_bus_verdicts_in_identify(run, shared_datadir):
    doc = json.loads(run("identify", "--sysfs", str(shared_datadir / "sysfs" / "multiport"), "--json").out)
    bus = doc["nics"][0]["bus"]
    assert bus["kind"] == "pcie" and bus["ceiling_mbps"] == 8000 and "speed" in bus["downgraded"]
    doc = json.loads(run("identify", "--sysfs", str(shared_datadir / "sysfs" / "vt6130-pcie"), "--json").out)
    assert doc["nics"][0]["bus"]["ceiling_mbps"] == 2000  # PCIe 1.x x1, 8b/10b, per direction


def test_tune_on_this_machine(run):
    import os

    if not os.path.isdir("/sys/class/net/eth0"):
        pytest.skip("no eth0 here")
    r = run("tune", "eth0", "--rate", "10G", "--rtt", "40", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["bdp_bytes"] == 50_000_000
    current = int(open("/proc/sys/net/core/rmem_max").read())
    rmem = [p for p in doc["proposals"] if p["setting"] == "net.core.rmem_max"]
    assert doc["settings"]["rmem_max"] == current
    if current < 2 * 50_000_000:  # below 2×BDP: a raise is proposed, never a cut
        assert rmem and rmem[0]["proposed"] >= 100_000_000
        assert rmem[0]["command"] == f"sysctl -w net.core.rmem_max={rmem[0]['proposed']}"
    else:
        assert not rmem


@pytest.mark.parametrize("args,needle", [(("tune", "nosuch0"), "no network interface named 'nosuch0'"),
                                         (("tune", "eth0", "--rate", "fast"), "malformed rate 'fast'"),
                                         (("tune", "eth0", "--rtt", "-3"), "--rtt -3.0 is out of range")])
def test_tune_bad_input(run, args, needle):
    r = run(*args)
    assert r.code == 2 and needle in r.err and len(r.err.strip().splitlines()) == 1


def test_database_or_pci_ids_given_as_a_folder_is_one_line(run, tmp_path, monkeypatch):
    for args in (("--db", str(tmp_path)), ("--pci-ids", str(tmp_path))):
        r = run(*args, "chip", "1106:3119")
        assert r.code == 2 and len(r.err.splitlines()) == 1 and "is a folder, not a file" in r.err
    monkeypatch.setenv("NICDB_DB", str(tmp_path))
    r = run("chip", "1106:3119")
    assert r.code == 2 and "'--db'" in r.err and "is a folder" in r.err


def test_db_info_says_where_and_what(run, session_db):
    r = run("db", "info", "--json")
    assert r.code == 0
    info = __import__("json").loads(r.out)
    from nicdb.kb import paths

    assert info["path"] == session_db and info["schema_version"] == str(paths.DB_SCHEMA_VERSION)
    counts = info["counts"]
    assert counts["families"] >= 10 and counts["chips"] > 300 and counts["claims"] > 300
    assert counts["vendor_names"] > 100 and counts["device_names"] > 1000 and counts["drivers"] >= 17
    r = run("db", "info")
    assert r.code == 0 and "vendor_names" in r.out and session_db in r.out

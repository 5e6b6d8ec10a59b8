"""The chip the kernel log names (report.pin_chip) next to the PCI revision's guess, and
whether they agree (nicdb.advice.logchip), end to end through identify/suggest --dmesg."""

from __future__ import annotations

import json

import pytest

from nicdb.advice.logchip import agreement, model_tokens, names_match
from nicdb.model import LogFact, PciDevice
from nicdb.report import pin_chip


def nic(vendor, device, rev, *facts, driver=None):
    d = PciDevice("0000:02:00.0", vendor, device, revision=rev, class_code=0x020000, driver=driver)
    d.log = [LogFact(drv, kind, value, "a line", n) for n, (drv, kind, value) in enumerate(facts, 1)]
    return d


def identify(run, shared_datadir, lspci, dmesg, *extra):
    r = run("identify", "--from", str(shared_datadir / lspci), "--dmesg", str(shared_datadir / "dmesg" / dmesg),
            "--json", *extra)
    assert r.code == 0, r.err
    return json.loads(r.out)


# ---------------------------------------------------------------- names

def test_model_tokens():
    assert model_tokens("RTL8168h/8111h") == {"rtl8168h", "8111h"}
    assert model_tokens("Intel(R) Wi-Fi 6 AX201 160MHz") == {"ax201"}
    assert model_tokens("qca6174 hw3.2") == {"qca6174"}
    assert model_tokens("BCM5720 A0") == {"bcm5720"}
    assert model_tokens("QCA9377 802.11ac Wireless Network Adapter v2.0") == {"qca9377"}
    assert names_match(["BCM5720 family"], ["BCM5720"]) and not names_match(["RTL8168b/8111b"], ["RTL8168h/8111h"])


# ---------------------------------------------------------------- pinning

def test_xid_pins_the_chip_with_its_source(kb):
    lc = pin_chip(nic(0x10EC, 0x8168, 0x15, ("r8169", "chip", "RTL8168h/8111h"), ("r8169", "xid", "541")), kb)
    assert (lc["chip"], lc["via"], lc["kind"], lc["value"]) == ("RTL8168h/8111h", "log-id", "xid", "541")
    assert lc["family"] == "realtek-r8169" and lc["source"]["title"] and lc["confidence"] == "driver-source"


def test_the_same_xid_names_another_chip_on_another_id(kb):
    # RTL8107e on 10ec:8136 prints the XID of the RTL8168h: a row limited to the ID wins
    assert pin_chip(nic(0x10EC, 0x8136, 0x07, ("r8169", "xid", "541")), kb)["chip"] == "RTL8107e"
    assert pin_chip(nic(0x10EC, 0x8168, 0x15, ("r8169", "xid", "541")), kb)["chip"] == "RTL8168h/8111h"
    # without the ID the general row
    assert pin_chip(nic(None, None, None, ("r8169", "xid", "541")), kb)["chip"] == "RTL8168h/8111h"


def test_4x_xid_loses_bits_the_printed_name_keeps(kb):
    # RTL8168h's TxConfig masked with 0x9cf0f8ff loses bit 0x400 of the XID: 541 prints as 141
    dev = nic(0x10EC, 0x8168, 0x15, ("r8169", "chip", "RTL8168h/8111h"), ("r8169", "xid", "141"))
    for f in dev.log:
        f.lineno = 7  # both from the one probe line
    lc = pin_chip(dev, kb)
    assert lc["chip"] == "RTL8168h/8111h" and lc["via"] == "log-id" and lc["value"] == "141"
    # the same XID on a line that names no chip maps by itself (no row): no chip pinned through it
    assert pin_chip(nic(0x10EC, 0x8168, 0x15, ("r8169", "xid", "141")), kb) is None


@pytest.mark.parametrize("facts,chip", [
    ([("tg3", "asic-rev", "5720000")], "BCM5720 A0"),   # an exact stepping row
    ([("tg3", "asic-rev", "5720001")], "BCM5720 family"),  # the masked family row
    ([("sky2", "chip-id", "b4"), ("sky2", "chip-rev", "b43")], "Yukon-2 EC Ultra B0"),  # chip-rev before chip-id
    ([("skge", "chip-id", "b1"), ("skge", "chip-rev", "b19")], "Marvell Yukon-Lite"),  # no b19 row: the chip id
    ([("mlx5_core", "fw-major", "16")], "ConnectX-5 / ConnectX-5 Ex"),
])
def test_most_specific_identifier_wins(kb, facts, chip):
    assert pin_chip(nic(0x14E4, 0x165F, 0x00, *facts), kb)["chip"] == chip


def test_a_printed_name_when_no_row_maps(kb):
    lc = pin_chip(nic(0x168C, 0x001C, 0x01, ("ath5k", "chip", "AR2425")), kb)
    assert (lc["chip"], lc["via"], lc["source"], lc["confidence"]) == ("AR2425", "name", None, None)
    assert pin_chip(nic(0x10EC, 0x8168, 0x15, ("r8169", "link", "1000")), kb) is None


# ---------------------------------------------------------------- agreement

def test_agreement_three_ways(kb):
    row = kb.chips(0x10EC, 0x8168, 0x15)[0]
    rows = kb.chips(0x10EC, 0x8168)
    assert agreement(row, {"chip": "RTL8168h/8111h", "products": []}, rows)[0] is True
    ok, why = agreement(row, {"chip": "RTL8127A", "products": ["RTL8127A"]}, rows)
    assert ok is False and "not among them" in why
    # sky2's rows name the 88E8056, its log the Yukon-2 EC Ultra: the data does not tie them
    ok, why = agreement(kb.chips(0x11AB, 0x4364, 0x14)[0], {"chip": "Yukon-2 EC Ultra B0", "products": []},
                        kb.chips(0x11AB, 0x4364))
    assert ok is None and "does not tie them" in why


def test_another_revision_row_naming_the_log_chip_is_a_disagreement():
    rows = [{"id": 1, "rev_lo": 0, "rev_hi": 0x0F, "chip": "VT3119 A", "products": ["VT6110"]},
            {"id": 2, "rev_lo": 0x10, "rev_hi": 0xFF, "chip": "VT3216", "products": ["VT6122"]}]
    ok, why = agreement(rows[1], {"chip": "VT6110", "products": []}, rows)
    assert ok is False and "revisions 00-0f" in why


def test_agreeing_log_end_to_end(run, shared_datadir, tmp_path):
    lspci = tmp_path / "lspci.txt"
    lspci.write_text("02:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI "
                     "Express Gigabit Ethernet Controller [10ec:8168] (rev 15)\n\tKernel driver in use: r8169\n")
    r = run("identify", "--from", str(lspci), "--dmesg", str(shared_datadir / "dmesg" / "r8169-rtl8168h-6.12.txt"),
            "--json")
    (n,) = json.loads(r.out)["nics"]
    assert n["chip"]["chip"].startswith("RTL8168/8111 family") and "RTL8168h/8111h" in n["chip"]["shares_id_with"]
    assert n["log_chip"]["chip"] == "RTL8168h/8111h" and n["log_agrees"] is True
    assert {f["kind"] for f in n["log"]} >= {"chip", "xid", "link"}
    r = run("identify", "--from", str(lspci), "--dmesg", str(shared_datadir / "dmesg" / "r8169-rtl8168h-6.12.txt"),
            "--plain")
    assert "RTL8168h/8111h (kernel log)" in r.out
    r = run("suggest", "--from", str(lspci), "--dmesg", str(shared_datadir / "dmesg" / "r8169-rtl8168h-6.12.txt"),
            "--plain")
    assert "Kernel log" in r.out and "chip named by the log" in r.out and "guess from the PCI revision" in r.out
    assert "they agree" in r.out and "XID 541" in r.out


def test_disagreeing_log_is_flagged(run, shared_datadir, tmp_path):
    lspci = tmp_path / "lspci.txt"
    lspci.write_text("02:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI "
                     "Express Gigabit Ethernet Controller [10ec:8168] (rev 15)\n")
    log = str(shared_datadir / "dmesg" / "r8169-another-machine-6.1.txt")
    (n,) = json.loads(run("identify", "--from", str(lspci), "--dmesg", log, "--json").out)["nics"]
    assert n["log_chip"]["chip"] == "RTL8127A" and n["log_agrees"] is False
    assert any("disagrees with the guess from the PCI revision" in x for x in n["notes"])
    r = run("identify", "--from", str(lspci), "--dmesg", log, "--plain")
    assert "RTL8127A (kernel log ≠ revision guess)" in r.out and "disagrees" in r.out
    assert "they DISAGREE" in run("suggest", "--from", str(lspci), "--dmesg", log, "--plain").out


def test_corpus_shaped_excerpt_without_prefixes(run, tmp_path):
    # hw-probe's excerpts: masked MACs, no timestamps
    lspci = tmp_path / "lspci.txt"
    lspci.write_text("00:0a.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8169 PCI Gigabit "
                     "Ethernet Controller [10ec:8169] (rev 10)\n\tKernel driver in use: r8169\n")
    log = tmp_path / "dmesg.txt"
    log.write_text("r8169 0000:00:0a.0 eth0: RTL8169sb/8110sb, XX:XX:XX:XX:XX:XX, XID 100, IRQ 18\n")
    (n,) = json.loads(run("identify", "--from", str(lspci), "--dmesg", str(log), "--json").out)["nics"]
    assert n["log_chip"]["chip"] == "RTL8169sb/8110sb" and n["log_agrees"] is True


def test_wifi_id_hiding_two_chips(run, shared_datadir, tmp_path):
    # 14c3:7961 is the MT7921 or the MT7920: the ASIC revision tells, and agrees with shares_id_with
    lspci = tmp_path / "lspci.txt"
    lspci.write_text("02:00.0 Network controller [0280]: MEDIATEK Corp. MT7921 802.11ax PCI Express Wireless "
                     "Network Adapter [14c3:7961]\n\tKernel driver in use: mt7921e\n")
    (n,) = json.loads(run("identify", "--from", str(lspci), "--dmesg",
                          str(shared_datadir / "dmesg" / "mt7921e-6.12-mt7920.txt"), "--json").out)["nics"]
    assert n["log_chip"]["chip"] == "MT7920" and n["log_agrees"] is True
    assert "mediatek/WIFI_RAM_CODE_MT7961_1a.bin" in n["log_chip"]["firmware"]


def test_chip_lists_every_chip_behind_a_shared_id(run):
    r = run("chip", "10ec:8168", "--rev", "15", "--plain")
    assert "same ID and revision" in r.out and "RTL8168h/8111h" in r.out and "RTL8168g/8111g" in r.out
    doc = json.loads(run("chip", "10ec:8168", "--rev", "15", "--json").out)
    assert len(doc["chips"][0]["shares_id_with"]) > 10


def test_a_name_matching_several_ids_gets_the_drivers_of_each(run, tmp_path):
    p = tmp_path / "lspci.txt"
    p.write_text("02:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express "
                 "Gigabit Ethernet Controller (rev 15)\n")
    (n,) = json.loads(run("suggest", "--from", str(p), "--json").out)["nics"]
    assert n["device"]["id"] is None and n["candidate_ids"] == ["10ec:8161", "10ec:8168"]
    assert "r8169" in n["candidate_modules"]["modules"]
    assert "the union over the IDs the name matches (10ec:8161, 10ec:8168)" in n["candidate_modules"]["source"]
    assert {o["name"] for o in n["drivers"]["options"]} >= {"r8169", "r8168"}
    assert n["summary"].startswith("one of 2 IDs (10ec:8161, 10ec:8168); use r8169")


def test_names_without_digits_match_inside_each_other():
    assert names_match(["Rhine-II class (VT6102 and integrated)"], ["VIA Rhine II"])
    assert not names_match(["88E8001"], ["Marvell Yukon-Lite"])
    assert not names_match(["Rhine-I class"], ["VIA Rhine II"])  # "rhineiclass" and "rhineii": neither holds the other


def test_corpus_script_counts_agreement(shared_datadir, tmp_path, session_db, capsys):
    """scripts/corpus_log_agreement.py on a corpus of the shared corpus's shape, made of
    the project's own fixtures: a machine folder with lspci.txt and dmesg-excerpt.txt, one
    without a log, and a bare lspci file."""
    import importlib.util
    import shutil

    from pathlib import Path

    spec = importlib.util.spec_from_file_location("cla", Path(__file__).parent.parent / "scripts" /
                                                  "corpus_log_agreement.py")
    cla = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cla)
    one = tmp_path / "m1"
    one.mkdir()
    (one / "lspci.txt").write_text(
        "02:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit "
        "Ethernet Controller [10ec:8168] (rev 15)\n\tKernel driver in use: r8169\n\n"
        "03:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. RTL8111/8168/8411 PCI Express Gigabit "
        "Ethernet Controller [10ec:8168] (rev 15)\n\tKernel driver in use: r8169\n")
    (one / "dmesg-excerpt.txt").write_text(
        "r8169 0000:02:00.0 eth0: RTL8168h/8111h, XXX, XID 541, IRQ 126\n"
        "r8169 0000:03:00.0 eth1: RTL8127A, XXX, XID 6c9, IRQ 127\n")
    two = tmp_path / "m2"
    two.mkdir()
    shutil.copy(shared_datadir / "lspci" / "ich7-pci-slots-vvnn.txt", two / "lspci.txt")
    bare = tmp_path / "bare.txt"
    shutil.copy(shared_datadir / "lspci" / "epia-en-vt6122-vvnn.txt", bare)
    (tmp_path / "INDEX.tsv").write_text("skipped\n")
    assert cla.main(["--json", "--db", session_db, str(one), str(two), str(bare), str(tmp_path / "INDEX.tsv")]) == 0
    t = json.loads(capsys.readouterr().out)["totals"]
    assert (t["machines"], t["machines_with_log"], t["nics"], t["nics_with_log"]) == (3, 1, 5, 2)
    assert (t["log_names_chip"], t["agrees"], t["disagrees"], t["not_comparable"]) == (2, 1, 1, 0)
    assert t["chip_row"] == 4  # the 82541PI (8086:107c) has no chip row
    assert cla.main(["--db", session_db, str(one)]) == 0
    assert "revision row agrees: 1; disagrees: 1" in capsys.readouterr().out
    assert cla.main([str(tmp_path / "nothing-here")]) == 2


def test_every_log_id_row_is_reached_at_its_boundaries(kb):
    """For every family's [[log_ids]] row: its own value maps to its chip (or, for a masked
    row, to a more specific row of the same value), and the value with every bit outside
    its mask set still maps to it -- the boundary of each row, through the same lookup
    the kernel log's facts use."""
    rows = kb.q("SELECT driver, kind, value, mask, vendor, device, chip FROM log_ids")
    assert len(rows) > 250
    for r in rows:
        got = kb.log_id(r["driver"], r["kind"], r["value"], r["vendor"], r["device"])
        assert got is not None, r
        if r["mask"] is None:
            assert got["chip"] == r["chip"], (r, got["chip"])
            continue
        assert got["value"] == r["value"], (r, got["chip"])
        width = max(len(f"{r['mask']:x}"), len(f"{r['value']:x}")) * 4
        edge = r["value"] | (~r["mask"] & ((1 << width) - 1))
        got = kb.log_id(r["driver"], r["kind"], edge, r["vendor"], r["device"])
        assert got is not None and got["chip"] == r["chip"], (r, edge, got and got["chip"])

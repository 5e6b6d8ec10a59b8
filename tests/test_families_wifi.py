"""Wi-Fi families (issue 13, part 3): revision boundaries, kernel-log identifiers, and the
kernel-log fixtures under tests/data/dmesg/ read against the knowledge base's [[log_ids]]."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest

WIFI = ("intel-iwlwifi", "mediatek-mt76", "realtek-rtw88", "realtek-rtw89", "atheros-ath9k", "atheros-ath10k",
        "atheros-ath11k", "ralink-rt2x00")
DMESG = Path(__file__).parent / "data" / "dmesg"
FACTS = Path(__file__).parent.parent / "data" / "driver-facts" / "aliases.tsv"


def as_list(value):
    """JSON list columns come decoded from the store's helpers and as text from raw queries."""
    return value if isinstance(value, list) else json.loads(value or "[]")


def chip_json(run, pci_id, rev):
    r = run("chip", pci_id, "--rev", rev, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["chips"]


def suggest(run, pci_id, rev, kernel):
    r = run("suggest", "--id", pci_id, "--rev", rev, "--kernel", kernel, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["nics"][0]


def options(nic):
    return {o["name"]: o for o in nic["drivers"]["options"]}


# ---------------------------------------------------------------- revision boundaries

SE_IDS = ("10ec:8192", "10ec:8171", "10ec:8172", "10ec:8173", "10ec:8174")


@pytest.mark.parametrize("pci_id", SE_IDS)
@pytest.mark.parametrize("rev,chip", [("00", "unknown (rtl8192se treats it as RTL8192SE)"), ("01", "RTL8192E"),
                                      ("02", "unknown (rtl8192se treats it as RTL8192SE)"),
                                      ("0f", "unknown (rtl8192se treats it as RTL8192SE)"),
                                      ("10", "RTL8192SE"), ("11", "unknown (rtl8192se treats it as RTL8192SE)"),
                                      ("ff", "unknown (rtl8192se treats it as RTL8192SE)")])
def test_rtlwifi_8192se_ids_split_at_the_pci_revision(run, pci_id, rev, chip):
    # rtlwifi pci.c: revision 0x01 is the RTL8192E, 0x10 the RTL8192SE, anything else is driven as an 8192SE
    (row,) = chip_json(run, pci_id, rev)
    assert row["family"] == "realtek-rtw88" and row["chip"] == chip


@pytest.mark.parametrize("pci_id", ("10ec:8193", "10ec:002b"))
@pytest.mark.parametrize("rev,chip", [("00", "RTL8192DE, MAC0"), ("01", "RTL8192DE, MAC1"),
                                      ("02", "RTL8192DE (unknown revision, treated as MAC0)"),
                                      ("ff", "RTL8192DE (unknown revision, treated as MAC0)")])
def test_rtl8192de_revision_names_the_mac(run, pci_id, rev, chip):
    (row,) = chip_json(run, pci_id, rev)
    assert row["chip"] == chip


@pytest.mark.parametrize("rev,use,refused", [("01", "rtl819xE", "rtl8192se"), ("10", "rtl8192se", "rtl819xE"),
                                             ("00", "rtl8192se", "rtl819xE"), ("42", "rtl8192se", "rtl819xE")])
def test_10ec_8192_revision_decides_the_driver(run, rev, use, refused):
    nic = suggest(run, "10ec:8192", rev, "6.12")
    assert nic["drivers"]["recommended"] == use
    assert options(nic)[refused]["status"] == "refused"


def test_rtl8192e_has_no_driver_left_in_7_2(run):
    # the staging r8192e_pci is in Debian's 5.10-6.12 kernels and gone from 7.2; rtl8192se refuses revision 0x01
    nic = suggest(run, "10ec:8192", "01", "7.2")
    opts = options(nic)
    assert opts["rtl8192se"]["status"] == "refused"
    assert opts["rtl819xE"]["status"] != "supported"


@pytest.mark.parametrize("pci_id,shared", [("8086:095a", {"7265", "7265D"}), ("14c3:7961", {"MT7921", "MT7920"}),
                                           ("168c:003e", {"QCA6174 hw2.1", "QCA6174 hw3.0", "QCA6174 hw3.2"}),
                                           ("17cb:1103", {"WCN6855 hw2.0", "WCN6855 hw2.1", "QCA2066 hw2.1"})])
def test_ids_that_hide_several_chips_say_so(run, pci_id, shared):
    # the PCI revision tells nothing here: one row per ID, every revision, naming the chips behind it
    for rev in ("00", "7f", "ff"):
        (row,) = chip_json(run, pci_id, rev)
        assert row["revs"] == "00-ff" and set(row["shares_id_with"]) == shared
        assert "revision is not used" in row["notes"]


def test_every_wifi_chip_has_a_line_rate_and_relative_firmware(kb):
    rows = kb.q(f"SELECT family, vendor, device, chip, line_rate_mbps, firmware FROM chips "
                f"WHERE family IN ({','.join('?' * len(WIFI))})", WIFI)
    assert len(rows) >= 240
    for r in rows:
        assert r["line_rate_mbps"] and r["line_rate_mbps"] >= 11, r
        for fw in as_list(r["firmware"]):
            assert not fw.startswith("/") and "lib/firmware" not in fw, r


def _alias_ids(modules):
    """vendor:device of every alias of these modules in the committed driver-facts table."""
    ids = {}
    for line in FACTS.read_text().splitlines():
        if line.startswith("#"):
            continue
        alias, module, series = line.split("\t")
        m = re.match(r"pci:v0000([0-9A-F]{4})d0000([0-9A-F]{4})", alias)
        if module in modules and m:
            ids.setdefault((int(m.group(1), 16), int(m.group(2), 16)), set()).update(series.split())
    return ids


WIFI_MODULES = {"iwlwifi", "iwl4965", "ath9k", "ath10k_pci", "ath11k_pci", "mt7603e", "mt76x0e", "mt76x2e", "mt7615e",
                "mt7915e", "mt7921e", "mt7925e", "mt7996e", "rtw88_8822be", "rtw88_8822ce", "rtw88_8821ce",
                "rtw88_8723de", "rtw88_8814ae", "rtw89_8852ae", "rtw89_8852be", "rtw89_8852bte", "rtw89_8852ce",
                "rtw89_8851be", "rtw89_8922ae", "rtl8192ce", "rtl8192se", "rtl8192de", "rtl8188ee", "rtl8723ae",
                "rtl8723be", "rtl8192ee", "rtl8821ae", "rt2800pci", "rt61pci", "rt2500pci", "rt2400pci"}


def test_every_id_the_wifi_drivers_bind_has_a_chip_row(kb):
    ids = _alias_ids(WIFI_MODULES)
    assert len(ids) >= 220
    have = {(r["vendor"], r["device"]) for r in kb.q(
        f"SELECT vendor, device FROM chips WHERE family IN ({','.join('?' * len(WIFI))})", WIFI)}
    missing = sorted(f"{v:04x}:{d:04x}" for v, d in set(ids) - have)
    assert not missing, missing


def test_every_wifi_driver_binds_something_and_cites_it(kb):
    names = [d["name"] for d in kb.drivers() if set(as_list(d["families"])) & set(WIFI)]
    assert len(names) == 37
    for name in names:
        rows = kb.q("SELECT status, source_key FROM supports WHERE driver = ?", (name,))
        assert rows, name
        assert all(r["source_key"] for r in rows), name


# ---------------------------------------------------------------- [[log_ids]]

def log_rows(kb):
    return kb.q(f"SELECT * FROM log_ids WHERE family IN ({','.join('?' * len(WIFI))})", WIFI)


def test_log_id_values_lie_within_their_masks(kb):
    rows = log_rows(kb)
    assert len(rows) > 100
    for r in rows:
        if r["mask"] is not None:
            assert r["value"] & ~r["mask"] == 0, r


@pytest.mark.parametrize("family", WIFI)
def test_no_logged_value_matches_two_log_ids(kb, family):
    # per (driver, kind, PCI vendor, device): two rows overlap when some logged value matches both masks
    rows = [r for r in log_rows(kb) if r["family"] == family]
    groups = {}
    for r in rows:
        groups.setdefault((r["driver"], r["kind"], r["vendor"], r["device"]), []).append(r)
    for key, rs in groups.items():
        for a, b in combinations(rs, 2):
            ma = a["mask"] if a["mask"] is not None else (1 << 64) - 1
            mb = b["mask"] if b["mask"] is not None else (1 << 64) - 1
            both = ma & mb
            assert a["value"] & both != b["value"] & both, (key, a["chip"], b["chip"])
    # rows scoped to one device must not collide with device-less rows of the same driver and kind either
    for r in rows:
        if r["device"] is None:
            continue
        for o in rows:
            if o["device"] is None and (o["driver"], o["kind"]) == (r["driver"], r["kind"]):
                both = (r["mask"] or (1 << 64) - 1) & (o["mask"] or (1 << 64) - 1)
                assert r["value"] & both != o["value"] & both, (r["chip"], o["chip"])


def lookup(kb, driver, kind, value, vendor=None, device=None):
    """The chips whose [[log_ids]] row matches a logged value, as a log parser would look them up."""
    out = []
    for r in kb.q("SELECT * FROM log_ids WHERE driver = ? AND kind = ?", (driver, kind)):
        mask = r["mask"] if r["mask"] is not None else (1 << 64) - 1
        if value & mask != r["value"]:
            continue
        if r["vendor"] is not None and vendor is not None and r["vendor"] != vendor:
            continue
        if r["device"] is not None and r["device"] != device:
            continue
        out.append(r)
    return out


# ---------------------------------------------------------------- the fixtures against the log_ids

PCI_LINE = re.compile(r"pci ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]): \[([0-9a-f]{4}):([0-9a-f]{4})\] type")


def fixture(name):
    text = (DMESG / name).read_text()
    m = PCI_LINE.search(text)
    assert m, f"{name}: no PCI enumeration line"
    return text, int(m.group(2), 16), int(m.group(3), 16)


IWL = [("iwlwifi-6.1-ax201.txt", r"REV=0x([0-9A-Fa-f]+)", "QuZ", ["iwlwifi-QuZ-a0-hr-b0-77.ucode"]),
       ("iwlwifi-6.12-ax201-no-firmware-journalctl.txt", r"rev=0x([0-9a-f]+), rfid", "QuZ", ["iwlwifi-QuZ-a0-hr-b0-77.ucode"]),
       ("iwlwifi-6.12-ax210.txt", r"rev=0x([0-9a-f]+), rfid", "Ty (AX210)", ["iwlwifi-ty-a0-gf-a0-89.ucode"]),
       ("iwlwifi-6.12-be200.txt", r"rev=0x([0-9a-f]+), rfid", "Gl (BE200/BE202)", ["iwlwifi-gl-c0-fm-c0-93.ucode"]),
       ("iwlwifi-5.10-7265d.txt", r"REV=0x([0-9A-Fa-f]+)", "7265D", ["iwlwifi-7265D-29.ucode"]),
       ("iwlwifi-6.1-6205-dvm.txt", r"REV=0x([0-9A-Fa-f]+)", "6x05 / 6x30 / 6x35", ["iwlwifi-6000g2a-6.ucode"])]


@pytest.mark.parametrize("name,pattern,chip,firmware", IWL)
def test_iwlwifi_fixtures_resolve_through_the_hw_rev(kb, name, pattern, chip, firmware):
    text, vendor, device = fixture(name)
    rev = int(re.search(pattern, text).group(1), 16)
    (row,) = lookup(kb, "iwlwifi", "hw-rev", rev, vendor, device)
    assert row["chip"].startswith(chip)
    assert set(firmware) <= set(as_list(row["firmware"]))
    # the PCI ID's own row lists the same firmware among its candidates
    (pci_row,) = kb.chips(vendor, device, 0x00)
    assert set(firmware) & set(as_list(pci_row["firmware"]))


@pytest.mark.parametrize("name,radio", [("iwlwifi-6.1-ax201.txt", "HR2"), ("iwlwifi-6.12-ax210.txt", "GF"),
                                        ("iwlwifi-6.12-be200.txt", "FM")])
def test_iwlwifi_rf_id_names_the_radio(kb, name, radio):
    text, vendor, device = fixture(name)
    rfid = int(re.search(r"rfid=0x([0-9a-f]+)", text).group(1), 16)
    (row,) = lookup(kb, "iwlwifi", "rf-id", rfid, vendor, device)
    assert row["chip"].startswith(radio)


@pytest.mark.parametrize("name,chip", [("ath9k-6.1-ar9285.txt", "AR9285"), ("ath9k-6.12-ar9580.txt", "AR9580"),
                                       ("ath9k-5.10-ar5416.txt", "AR5416")])
def test_ath9k_fixtures_resolve_name_and_rev(kb, name, chip):
    text, vendor, device = fixture(name)
    m = re.search(r"Atheros AR(\d{4}) (?:MAC/BB )?Rev:([0-9a-f]+)", text)
    value = int(m.group(1) + f"{int(m.group(2), 16):02x}", 16)
    (row,) = lookup(kb, "ath9k", "mac-rev", value, vendor, device)
    assert row["chip"] == chip
    # the chip row of the PCI ID agrees
    assert chip in kb.chips(vendor, device, 0x01)[0]["chip"]


@pytest.mark.parametrize("name,target_chip,rev_chip", [("ath10k-6.1-qca6174.txt", "qca6174 hw3.2", "QCA6174 hw3.2"),
                                                       ("ath10k-6.12-qca9377-fw-fallback.txt", "qca9377 hw1.1",
                                                        "QCA9377 hw1.1")])
def test_ath10k_fixtures_resolve_target_and_chip_id(kb, name, target_chip, rev_chip):
    text, vendor, device = fixture(name)
    m = re.search(r"(\S+ hw[0-9.]+) target 0x([0-9a-f]{8}) chip_id 0x([0-9a-f]{8})", text)
    assert m.group(1) == target_chip
    (row,) = lookup(kb, "ath10k_pci", "target-version", int(m.group(2), 16), vendor, device)
    assert row["chip"] == target_chip
    (row,) = lookup(kb, "ath10k_pci", "chip-id-rev", int(m.group(3), 16), vendor, device)
    assert row["chip"] == rev_chip


def test_ath11k_fixture_resolves_soc_id(kb):
    text, vendor, device = fixture("ath11k-6.12-wcn6855.txt")
    soc = int(re.search(r"soc_id 0x([0-9a-f]+)", text).group(1), 16)
    (row,) = lookup(kb, "ath11k_pci", "soc-id", soc, vendor, device)
    assert row["chip"] == "WCN6855 hw2.0" and re.search(r"ath11k_pci \S+: wcn6855 hw2\.0$", text, re.M)


@pytest.mark.parametrize("name,driver,chip", [("mt7921e-6.12-mt7922.txt", "mt7921e", "MT7922"),
                                              ("mt7921e-6.12-mt7920.txt", "mt7921e", "MT7920"),
                                              ("mt7925e-6.12-mt7925.txt", "mt7925e", "MT7925")])
def test_mt76_fixtures_resolve_the_asic_revision(kb, name, driver, chip):
    text, vendor, device = fixture(name)
    asic = int(re.search(r"ASIC revision: ([0-9a-f]+)", text).group(1), 16)
    (row,) = lookup(kb, driver, "asic-rev", asic, vendor, device)
    assert row["chip"] == chip


def test_mt7920_hides_behind_the_mt7921_id(kb):
    # 14c3:7961 is one chip row for both; the logged ASIC revision picks the MT7920 and its _1a firmware
    text, vendor, device = fixture("mt7921e-6.12-mt7920.txt")
    (pci_row,) = kb.chips(vendor, device, 0x00)
    assert set(as_list(pci_row["shares_id_with"])) == {"MT7921", "MT7920"}
    (row,) = lookup(kb, "mt7921e", "asic-rev", 0x79200000, vendor, device)
    assert "mediatek/WIFI_RAM_CODE_MT7961_1a.bin" in as_list(row["firmware"])


def test_rt2800_fixture_resolves_chipset_and_rf(kb):
    text, vendor, device = fixture("rt2800pci-6.1-rt3090.txt")
    m = re.search(r"RT chipset ([0-9a-f]{4}), rev ([0-9a-f]{4}) detected", text)
    (row,) = lookup(kb, "rt2800pci", "rt-chipset", int(m.group(1) + m.group(2), 16), vendor, device)
    assert row["chip"] == "RT3090"
    rf = int(re.search(r"RF chipset ([0-9a-f]{4}) detected", text).group(1), 16)
    (row,) = lookup(kb, "rt2800pci", "rf", rf, vendor, device)
    assert row["chip"] == "RF3020"


def test_every_fixture_is_listed_in_the_readme():
    listed = set(re.findall(r"^- `([^`]+\.txt)`", (DMESG / "README.md").read_text(), re.M))
    assert len(WIFI_FIXTURES) >= 20 and set(WIFI_FIXTURES) <= listed  # the log reader added its own


WIFI_FIXTURES = sorted(p.name for p in DMESG.glob("*.txt") if p.name.split("-")[0] in
                       {"iwlwifi", "ath9k", "ath10k", "ath11k", "mt7921e", "mt7925e", "rtw88", "rtw89", "rt2800pci",
                        "rtl8192ce", "rtl819xE"})


@pytest.mark.parametrize("name", WIFI_FIXTURES)
def test_fixture_lines_have_a_dmesg_or_journal_prefix(name):
    journal = "journalctl" in name
    for line in (DMESG / name).read_text().splitlines():
        if journal:
            assert re.match(r"^[A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \S+ kernel: ", line), (name, line)
        else:
            assert re.match(r"^\[ *\d+\.\d{6}\] \S", line), (name, line)
        assert not re.search(r"(?i)\b(?!00:11:22:33:44:55)([0-9a-f]{2}:){5}[0-9a-f]{2}\b", line), (name, line)


# ---------------------------------------------------------------- driver advice

def test_iwlwifi_firmware_floor_is_an_issue_from_6_11_only(run):
    new = suggest(run, "8086:a0f0", "20", "6.12")
    assert "bookworm-firmware-too-old-for-6-12" in options(new)["iwlwifi"]["issues"]
    for kernel in ("6.1", "6.10"):
        old = suggest(run, "8086:a0f0", "20", kernel)
        assert "bookworm-firmware-too-old-for-6-12" not in options(old)["iwlwifi"]["issues"]
    assert "bookworm-firmware-too-old-for-6-12" in options(suggest(run, "8086:a0f0", "20", "6.11"))["iwlwifi"]["issues"]


@pytest.mark.parametrize("kernel,status", [("5.10", "unavailable"), ("6.1", "supported"), ("6.12", "supported")])
def test_mt7922_is_not_in_debian_5_10(run, kernel, status):
    assert options(suggest(run, "14c3:7922", "00", kernel))["mt7921e"]["status"] == status


def test_rtw88_parameters_name_their_real_module(kb):
    params = {p["name"]: p for p in kb.params("rtw_8821ce")}
    assert "rtw88_core" in params["disable_lps_deep"]["meaning"]
    assert "rtw88_pci" in params["disable_aspm"]["meaning"]
    assert [d["versions"] for d in params["lps_deep_mode"]["defaults"]] == ["<5.11"]
    assert [d["versions"] for d in params["disable_lps_deep"]["defaults"]] == [">=5.11"]


def test_census_rows_of_the_wifi_drivers_name_a_wifi_family(kb):
    # data/census/revision-dependence.tsv: every place in iwlwifi, iwl4965, rtlwifi's rtl_pci and rtw88_pci
    # is covered by one of these families (and the family exists in the knowledge base)
    census = Path(__file__).parent.parent / "data" / "census" / "revision-dependence.tsv"
    families = {f["id"] for f in kb.families()}
    rows = [line.split("\t") for line in census.read_text().splitlines() if line and not line.startswith("#")]
    ours = [r for r in rows if r[1] in {"iwlwifi", "iwl4965", "rtl_pci", "rtw88_pci"}]
    assert len(ours) >= 13
    for r in ours:
        assert r[9] in WIFI and r[9] in families, r[:3]
    # the rtlwifi places are the revision splits the realtek-rtw88 family has rows for
    assert {r[3] for r in ours if r[1] == "rtl_pci"} >= {"rev == 0x01", "rev in {01,10}", "rev in {00,01}"}

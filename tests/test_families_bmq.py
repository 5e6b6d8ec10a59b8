"""Broadcom, Marvell, Mellanox and Aquantia families (issue 13): revision boundaries, the
drivers' refusals, firmware per chip, and the kernel-log identifiers (log_ids)."""

import json
import re
from pathlib import Path

import pytest

FAMILIES = ("broadcom-tg3", "broadcom-bnx2", "broadcom-bnx2x", "marvell-sky2", "marvell-skge",
            "mellanox-mlx4", "mellanox-mlx5", "aquantia-atlantic")
DMESG = Path(__file__).parent / "data" / "dmesg"


def chip(run, pci_id, rev):
    r = run("chip", pci_id, "--rev", rev, "--json")
    assert r.code == 0, r.err
    (c,) = json.loads(r.out)["chips"]
    return c


def options(run, pci_id, rev, kernel="6.12"):
    r = run("suggest", "--id", pci_id, "--rev", rev, "--kernel", kernel, "--json")
    assert r.code == 0, r.err
    nic = json.loads(r.out)["nics"][0]
    return nic, {o["name"]: o for o in nic["drivers"]["options"]}


@pytest.mark.parametrize("device", ["0001", "d100", "d107", "d108", "d109"])
@pytest.mark.parametrize("rev,suffix,status", [("00", "unsupported revision", "refused"), ("01", "A0", "supported"),
                                               ("02", "B0", "supported"), ("03", "unsupported revision", "refused"),
                                               ("ff", "unsupported revision", "refused")])
def test_atlantic_early_ids_split_at_revisions_1_and_2(run, device, rev, suffix, status):
    assert suffix in chip(run, f"1d6a:{device}", rev)["chip"]
    _, opts = options(run, f"1d6a:{device}", rev)
    assert opts["atlantic"]["status"] == status


@pytest.mark.parametrize("pci_id,rate", [("1d6a:07b1", 10000), ("1d6a:08b1", 5000), ("1d6a:09b1", 2500),
                                         ("1d6a:12c0", 2500), ("1d6a:11c0", 1000)])
def test_atlantic_production_ids_ignore_the_revision(kb, pci_id, rate):
    v, d = (int(x, 16) for x in pci_id.split(":"))
    (row,) = [c for c in kb.chips(v, d) if c["origin"] == "shipped"]
    assert (row["rev_lo"], row["rev_hi"], row["line_rate_mbps"]) == (0, 0xFF, rate)


@pytest.mark.parametrize("pci_id,name", [("14e4:165f", "BCM5720"), ("14e4:1657", "BCM5719"), ("14e4:1645", "BCM5701"),
                                         ("11ab:4364", "88E8056"), ("11ab:4320", "88E8001"),
                                         ("14e4:1639", "BCM5709"), ("14e4:168e", "BCM57810"),
                                         ("15b3:1017", "ConnectX-5"), ("15b3:1003", "ConnectX-3")])
@pytest.mark.parametrize("rev", ["00", "01", "10", "ff"])
def test_register_identified_chips_take_one_row_for_every_revision(run, pci_id, name, rev):
    # tg3, bnx2, bnx2x, sky2, skge, mlx4 and mlx5 never read the PCI revision
    assert chip(run, pci_id, rev)["chip"] == name


def test_firmware_per_chip(kb):
    def fw(v, d):
        return {f for c in kb.chips(v, d) for f in c["firmware"]}

    assert fw(0x14E4, 0x1645) == {"tigon/tg3.bin"}
    assert fw(0x14E4, 0x1648) == {"tigon/tg3_tso.bin"} and fw(0x14E4, 0x1653) == {"tigon/tg3_tso5.bin"}
    assert fw(0x14E4, 0x165F) == set()
    assert "bnx2/bnx2-rv2p-09ax-6.0.17.fw" in fw(0x14E4, 0x1639)
    assert fw(0x14E4, 0x164C) == {"bnx2/bnx2-mips-06-6.2.3.fw", "bnx2/bnx2-rv2p-06-6.0.15.fw"}
    assert fw(0x14E4, 0x168E) == {"bnx2x/bnx2x-e2-7.13.21.0.fw", "bnx2x/bnx2x-e2-7.13.15.0.fw"}
    assert fw(0x14E4, 0x164E) == {"bnx2x/bnx2x-e1-7.13.21.0.fw", "bnx2x/bnx2x-e1-7.13.15.0.fw"}
    for vf in (0x166F, 0x16AF, 0x16AD):  # VFs load nothing; the PF's firmware runs
        assert fw(0x14E4, vf) == set()
    for mlx in (0x1003, 0x1017, 0x101D, 0x1021):  # firmware is on the card
        assert fw(0x15B3, mlx) == set()


@pytest.mark.parametrize("kernel,status", [("5.10", "unavailable"), ("6.1", "supported"), ("6.12", "supported")])
def test_connectx8_is_bound_from_6_1(run, kernel, status):
    _, opts = options(run, "15b3:1023", "00", kernel=kernel)
    assert opts["mlx5_core"]["status"] == status


def test_subsystem_rows_carry_the_10_100_boards(kb):
    # tg3 flags two Acer subsystems of the BCM57780 (and one Lenovo BCM5787M) as 10/100 only
    for sub in ((0x1025, 0x0601), (0x1025, 0x0612)):
        first = kb.chips(0x14E4, 0x1692, 0x01, *sub)[0]
        assert (first["subvendor"], first["subdevice"], first["line_rate_mbps"]) == (*sub, 100)
    assert kb.chips(0x14E4, 0x1693, 0x10, 0x17AA, 0x3056)[0]["line_rate_mbps"] == 100
    (generic,) = kb.chips(0x14E4, 0x1692, 0x01)
    assert generic["line_rate_mbps"] == 1000


def log_ids(kb, driver=None):
    rows = kb.q("SELECT * FROM log_ids WHERE family IN (%s)" % ",".join("?" * len(FAMILIES)), FAMILIES)
    return [r for r in rows if driver is None or r["driver"] == driver]


def test_log_id_values_lie_within_their_masks_and_are_unique(kb):
    rows = log_ids(kb)
    assert {r["driver"] for r in rows} == {"tg3", "bnx2", "sky2", "skge", "mlx5_core"}
    seen = {}
    for r in rows:
        mask = r["mask"] if r["mask"] is not None else -1
        assert r["value"] & ~mask == 0 if r["mask"] is not None else True, r
        key = (r["driver"], r["kind"], r["value"] & mask, r["mask"])
        assert key not in seen, (r["chip"], seen.get(key))
        seen[key] = r["chip"]


@pytest.mark.parametrize("driver", ["tg3", "bnx2"])
def test_every_exact_stepping_falls_in_exactly_one_masked_family(kb, driver):
    rows = log_ids(kb, driver)
    families = [r for r in rows if r["mask"] is not None]
    for r in rows:
        if r["mask"] is None:
            hits = [f["chip"] for f in families if r["value"] & f["mask"] == f["value"]]
            assert len(hits) == 1, (r["chip"], hits)


def match(kb, driver, kind, value):
    """The most specific log_ids row for a logged value: exact rows before masked ones."""
    rows = [r for r in log_ids(kb, driver) if r["kind"] == kind]
    exact = [r for r in rows if r["mask"] is None and r["value"] == value]
    masked = [r for r in rows if r["mask"] is not None and value & r["mask"] == r["value"]]
    return (exact or masked or [None])[0]


def lines(name):
    return (DMESG / name).read_text().splitlines()


@pytest.mark.parametrize("name,chip_name", [("tg3-bcm5720-probe.txt", "BCM5720 A0"),
                                            ("tg3-bcm5701-a0-firmware-missing.txt", "BCM5701 A0"),
                                            ("tg3-bcm5704-tso-firmware-missing.txt", "BCM5704 family"),
                                            ("tg3-bcm57766-journalctl.txt", "BCM57766 family")])
def test_tigon3_rev_field_of_the_fixtures_names_a_chip(kb, name, chip_name):
    revs = {m.group(1) for line in lines(name) if (m := re.search(r"Tigon3 \[partno\([^)]*\) rev ([0-9a-f]+)\]", line))}
    (rev,) = revs
    row = match(kb, "tg3", "asic-rev", int(rev, 16))
    assert row and row["chip"] == chip_name
    if name.startswith("tg3-bcm5701"):
        assert json.loads(row["firmware"]) == ["tigon/tg3.bin"]
        assert any('Failed to load firmware "tigon/tg3.bin"' in line for line in lines(name))


SKY2_NAMES = {"XL": "b3", "EC Ultra": "b4", "Extreme": "b5", "EC": "b6", "FE": "b7", "FE+": "b8", "Supreme": "b9",
              "UL 2": "ba", "Optima": "bc", "OptimaEEE": "bd", "Optima 2": "be"}


def test_sky2_chip_ids_match_the_names_sky2_prints(kb):
    by_value = {r["value"]: r for r in log_ids(kb, "sky2") if r["kind"] == "chip-id"}
    assert {f"{v:02x}" for v in by_value} == set(SKY2_NAMES.values())
    for name, cid in SKY2_NAMES.items():
        assert f"'{name}'" in by_value[int(cid, 16)]["notes"]


@pytest.mark.parametrize("name,chip_name", [("sky2-ec-ultra-probe.txt", "Yukon-2 EC Ultra B0"),
                                            ("sky2-fe-plus-and-ec-a1.txt", "Yukon-2 FE+ A0")])
def test_sky2_fixture_revision_line_maps_to_a_stepping(kb, name, chip_name):
    (m,) = [m for line in lines(name) if (m := re.search(r"Yukon-2 (.+) chip revision (\d+)$", line))]
    value = int(SKY2_NAMES[m.group(1)] + format(int(m.group(2)), "x"), 16)
    assert match(kb, "sky2", "chip-rev", value)["chip"] == chip_name


def test_sky2_refuses_yukon_ec_a1(kb):
    row = match(kb, "sky2", "chip-rev", 0xB60)
    assert "refused" in row["notes"] and "unsupported revision Yukon-EC rev A1" in row["notes"]


def test_bnx2_stepping_from_the_probe_line(kb):
    (m,) = [m for line in lines("bnx2-bcm5709-probe.txt")[:1]
            if (m := re.search(r"BCM(\d{4}) \S+ \(([A-Z])(\d+)\)", line))]
    value = int(m.group(1) + str(ord(m.group(2)) - ord("A")) + format(int(m.group(3)), "02x"), 16)
    row = match(kb, "bnx2", "chip-id", value)
    assert row["chip"] == "BCM5709 C0" and "bnx2/bnx2-rv2p-09-6.0.17.fw" in json.loads(row["firmware"])


@pytest.mark.parametrize("name,products", [("mlx5-connectx5-probe.txt", {"ConnectX-5"}),
                                           ("mlx5-vf-and-cmdif-mismatch.txt", {"ConnectX-6 Dx", "ConnectX-4"})])
def test_mlx5_firmware_major_names_the_generation(kb, name, products):
    majors = {m.group(1) for line in lines(name) if (m := re.search(r"firmware version: (\d+)\.\d+\.\d+", line))}
    found = set()
    for major in majors:
        row = match(kb, "mlx5_core", "fw-major", int(major, 16))  # digits as printed, compared as hex strings
        found.add(json.loads(row["products"])[0])
    assert found == products


def test_dmesg_fixtures_are_documented_and_use_documentation_macs():
    readme = (DMESG / "README.md").read_text()
    ours = sorted(p.name for p in DMESG.glob("*.txt") if p.name.split("-")[0] in
                  {"tg3", "bnx2", "bnx2x", "sky2", "skge", "alx", "atl1c", "mlx4", "mlx5", "atlantic"})
    assert len(ours) >= 20
    for name in ours:
        assert f"`{name}`" in readme, name
        for mac in re.findall(r"(?:[0-9a-f]{2}:){5}[0-9a-f]{2}", (DMESG / name).read_text()):
            assert mac.startswith("00:11:22:33:44:"), (name, mac)

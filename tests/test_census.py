"""The revision census: the script on a small kernel-shaped tree in two versions, and the
committed table (data/census/revision-dependence.tsv) against data/families/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from census import table  # noqa: E402
from census_revisions import main as census_main  # noqa: E402

PCI_IDS_H = """\
#define PCI_VENDOR_ID_ACME\t\t0x1a2b
#define PCI_DEVICE_ID_ACME_GIGA\t0x0010
#define PCI_DEVICE_ID_ACME_FAST\t0x0020
#define PCI_VENDOR_ID_BRIDGECO\t0x1b00
#define PCI_DEVICE_ID_BRIDGECO_HB\t0x0001
"""

ACME_H = """\
#define ACME_REV_B0\t0x10
#define ACME_REV_C0\t0x20
struct acme_hw {
\tu8 rev_id;
};
"""

# One driver with a place of every kind. {extra} is where version 2 adds lines.
ACME_C = """\
#include "acme.h"
static const struct pci_device_id acme_tbl[] = {
\t{ PCI_DEVICE(PCI_VENDOR_ID_ACME, PCI_DEVICE_ID_ACME_GIGA) },
\t{ PCI_VDEVICE(ACME, PCI_DEVICE_ID_ACME_FAST) },
\t{ }
};
struct fw_info { int revision; };
{extra}
static void acme_setup(struct acme_hw *hw, struct fw_info *fw)
{
\tif (hw->rev_id < ACME_REV_B0)
\t\tacme_slow_path(hw);
\tif (fw->revision > 3)
\t\tacme_new_fw(hw);
}

static void acme_quirk(struct acme_hw *hw)
{
\tstruct pci_dev *bridge = pci_get_device(PCI_VENDOR_ID_BRIDGECO, PCI_DEVICE_ID_BRIDGECO_HB, NULL);
\tif (bridge && bridge->revision == 0x13)
\t\thw->no_msi = 1;
}

static void acme_get_regs(struct net_device *dev, struct ethtool_regs *regs, void *p)
{
\tstruct acme_priv *priv = netdev_priv(dev);
\tregs->version = (1 << 24) | (priv->pdev->revision << 16);
}

static int acme_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
\tstruct acme_hw *hw = acme_alloc();
\tif (pdev->revision >= ACME_REV_C0) {
\t\tdev_err(&pdev->dev, "unknown chip\\n");
\t\treturn -ENODEV;
\t}
\thw->rev_id = pdev->revision;
\tdev_info(&pdev->dev, "rev %d\\n", pdev->revision);
\thw->chip_rev = readb(hw->ioaddr + ACME_CHIP_REV);
\treturn 0;
}
"""

EXTRA_V2 = """\
static int acme_mtu(struct pci_dev *pdev)
{
\tswitch (pdev->revision) {
\tcase 0x01:
\tcase 0x02:
\t\treturn 1500;
\t}
\treturn 9000;
}
"""

FAST_C = """\
static const struct pci_device_id fast_tbl[] = {
\t{ 0x1a2b, 0x0030, PCI_ANY_ID, PCI_ANY_ID },
\t{ }
};
static int fast_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
\tu8 rev;
\tpci_read_config_byte(pdev, PCI_REVISION_ID, &rev);
\tif (rev == 0x40 || rev == 0x41)
\t\tfast_phy_fixup(pdev);
\treturn 0;
}
"""


def write_tree(root: Path, version: int) -> Path:
    acme = root / "drivers/net/ethernet/acme"
    acme.mkdir(parents=True)
    (root / "include/linux").mkdir(parents=True)
    (root / "include/linux/pci_ids.h").write_text(PCI_IDS_H)
    (acme / "Makefile").write_text("obj-$(CONFIG_ACME) += acme.o\nacme-objs := acme_main.o\n"
                                   + ("obj-$(CONFIG_FAST) += fast.o\n" if version == 1 else ""))
    (acme / "acme.h").write_text(ACME_H)
    (acme / "acme_main.c").write_text(ACME_C.replace("{extra}", EXTRA_V2 if version == 2 else ""))
    if version == 1:  # the fast driver was removed before version 2
        (acme / "fast.c").write_text(FAST_C)
    return root


@pytest.fixture
def trees(tmp_path):
    return write_tree(tmp_path / "old", 1), write_tree(tmp_path / "new", 2)


def run_census(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = census_main(list(args))
    return code, out.getvalue(), err.getvalue()


def rows_of(path: Path) -> list[tuple]:
    return [(r["versions"], r["module"], r["ids"], r["range"], r["kind"], r["read_from"], r["file"], r["line"],
             r["older_lines"]) for r in table.read(path)]


F = "drivers/net/ethernet/acme/acme_main.c"
OLD, NEW = 9, 18  # line numbers move by the nine lines version 2 adds above the rest
BOTH = "0.9-1.0"
IDS = "1a2b:0010 1a2b:0020"


def test_every_kind_and_merged_versions(trees, tmp_path):
    old, new = trees
    out = tmp_path / "table.tsv"
    code, _, err = run_census("--tree", f"1.0={new}", "--tree", f"0.9={old}", "-o", str(out))
    assert code == 0, err

    def moved(n: int) -> tuple[str, str]:  # a place of both versions: newest line, and the old one
        return str(n + 9), f"0.9:{n}"

    expected = [
        ("1.0", "acme", IDS, "rev in {01,02}", "match", "pci", F, "10", ""),  # switch added in 1.0
        (BOTH, "acme", IDS, "rev < 0x10", "threshold", "pci", F, *moved(11)),  # followed from hw->rev_id
        (BOTH, "acme", IDS, "rev == 0x13", "other-device", "other", F, *moved(20)),  # the bridge's revision
        (BOTH, "acme", IDS, "-", "ethtool", "pci", F, *moved(27)),
        (BOTH, "acme", IDS, "rev >= 0x20", "refuse", "pci", F, *moved(33)),
        (BOTH, "acme", IDS, "-", "store", "pci", F, *moved(37)),
        (BOTH, "acme", IDS, "-", "log", "pci", F, *moved(38)),
        (BOTH, "acme", IDS, "-", "chip-register", "register", F, *moved(39)),
        ("0.9", "fast", "1a2b:0030", "-", "store", "pci", "drivers/net/ethernet/acme/fast.c", "8", ""),
        ("0.9", "fast", "1a2b:0030", "rev in {40,41}", "match", "pci", "drivers/net/ethernet/acme/fast.c", "9", ""),
    ]
    got = rows_of(out)
    assert got == expected  # sorted by file and line, nothing else: fw->revision is not a PCI revision (rule 1)
    assert not any("0x03" in r[3] for r in got)


def test_provenance_and_header(trees, tmp_path):
    old, new = trees
    out = tmp_path / "t.tsv"
    code, _, _ = run_census("--tree", f"0.9={old}", "--tree", f"1.0={new}", "--provenance", "0.9 tree: test",
                            "-o", str(out))
    assert code == 0
    head = [line for line in out.read_text().splitlines() if line.startswith("#")]
    assert "# 0.9 tree: test" in head
    assert any("--tree 0.9=<0.9 tree> --tree 1.0=<1.0 tree>" in h for h in head)
    assert head[-1] == "#" + "\t".join(table.COLUMNS)


def test_review_corrects_and_annotates(trees, tmp_path):
    old, new = trees
    review = tmp_path / "review.tsv"
    review.write_text("#where\tkind\trange\tids\tfamily\tnote\n"
                      "module=acme\t\t\t\tacme-family\t\n"
                      f"{F}:48\tnot-revision\t-\t\t-\tthe register is a chip version, not the PCI revision\n"
                      f"{F}:47\t\t\t\t\tprinted at probe\n"
                      "module=fast\t\t\t\t-\tremoved before 1.0\n")
    out = tmp_path / "t.tsv"
    code, _, err = run_census("--tree", f"0.9={old}", "--tree", f"1.0={new}", "--review", str(review),
                              "-o", str(out))
    assert code == 0, err
    by_line = {(r["file"], r["line"]): r for r in table.read(out)}
    assert by_line[(F, "48")]["kind"] == "not-revision" and by_line[(F, "48")]["family"] == ""
    assert by_line[(F, "47")]["family"] == "acme-family" and by_line[(F, "47")]["note"] == "printed at probe"
    assert all(r["note"] == "removed before 1.0" for r in table.read(out) if r["module"] == "fast")
    assert "warning" not in err


def test_review_entry_matching_nothing_is_reported(trees, tmp_path):
    old, _ = trees
    review = tmp_path / "review.tsv"
    review.write_text(f"{F}:999\t\t\t\t\tnothing here\n")
    code, out, err = run_census("--tree", f"0.9={old}", "--review", str(review))
    assert code == 0 and f"{F}:999 matches no row" in err
    assert out.startswith("# nicdb census")


@pytest.mark.parametrize("args,word", [
    (["--tree", "6.12=/nonexistent/linux"], "/nonexistent/linux"),
    (["--tree", "no-equals-sign"], "VERSION=PATH"),
    (["--tree", "6.12=/tmp", "--review", "/nonexistent/review.tsv"], "--review"),
])
def test_bad_input_is_one_line_exit_2(args, word):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts/census_revisions.py"), *args],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and "Traceback" not in proc.stderr


def test_malformed_review_is_one_line_exit_2(trees, tmp_path):
    old, _ = trees
    review = tmp_path / "review.tsv"
    review.write_text("only\ttwo\n")
    code, _, err = run_census("--tree", f"0.9={old}", "--review", str(review))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "review.tsv:1" in err


# ---------------------------------------------------------------- the committed table

CENSUS = ROOT / "data/census/revision-dependence.tsv"
def committed_rows():
    return table.read(CENSUS)


def test_committed_table_rows_are_complete():
    rows = committed_rows()
    assert len(rows) > 200
    families = {p.stem for p in (ROOT / "data/families").glob("*.toml")}
    for r in rows:
        where = f"{r['file']}:{r['line']}"
        assert r["kind"] in table.KINDS, where
        assert r["read_from"] in table.READ_FROM, where
        assert r["file"].startswith("drivers/net/") and r["line"].isdigit() and int(r["line"]) > 0, where
        assert r["versions"], where
        fam = r["family"]
        assert not fam.startswith("planned:"), f"{where}: {fam} -- every planned family exists now"
        if fam:
            assert fam in families, where
        else:
            assert r["note"].strip(), f"{where}: neither a family nor a note"


def test_committed_table_has_the_known_cases():
    rows = committed_rows()

    def find(module, kind):
        return [r for r in rows if r["module"] == module and r["kind"] == kind]

    assert any(r["range"] == "rev >= 0x20" for r in find("alx", "refuse"))
    assert any(r["range"] == "rev in 30-41" for r in find("netxen_nic", "refuse"))
    assert any(r["range"] == "rev in {02,03}" for r in find("e1000", "refuse"))
    assert find("tg3", "other-device") and find("bnx2", "other-device") and find("sis900", "other-device")
    assert [r["range"] for r in find("8139too", "refuse")] == ["rev >= 0x20"]
    assert find("via_velocity", "chip-register")
    # vxge was removed in 5.19: its place is only in the 5.10 tree
    assert {r["versions"] for r in rows if r["module"] == "vxge"} == {"5.10"}
    head = [line for line in CENSUS.read_text().splitlines() if line.startswith("# ")]
    assert any("linux-source-6.12 6.12.117-1" in h for h in head)
    assert any("linux-source-5.10 5.10.262-1" in h for h in head)


def test_census_rows_agree_with_family_boundaries(kb):
    # every threshold/refusal a family-covered row names is a boundary of that family's table
    import re

    checked = set()
    for r in committed_rows():
        fam = r["family"]
        if r["kind"] not in ("threshold", "refuse") or not fam or fam.startswith("planned:") or \
                r["read_from"] != "pci" or r["ids"].startswith("*") or not r["ids"]:
            continue
        m = re.fullmatch(r"rev (>=|<) 0x([0-9a-f]{2})", r["range"]) or re.fullmatch(r"rev in ([0-9a-f]{2})-([0-9a-f]{2})",
                                                                                   r["range"])
        if not m:
            continue
        bounds = [int(m.group(2), 16)] if m.group(1) in (">=", "<") else [int(m.group(1), 16),
                                                                        int(m.group(2), 16) + 1]
        for pci_id in r["ids"].split():
            v, d = (int(x, 16) for x in pci_id.split(":"))
            rows = [c for c in kb.chips(v, d) if c["origin"] == "shipped" and c["subvendor"] is None]
            if not rows or any(c["family"] != fam for c in rows):
                continue
            checked.add(fam)
            for b in bounds:
                if 0 < b <= 0xFF:
                    assert any(c["rev_lo"] == b for c in rows), f"{fam} {pci_id}: no boundary at {b:02x} ({r['file']})"
    assert {"via-rhine", "sun-cassini", "sundance-st201", "neterion-xframe", "dec-tulip"} <= checked, checked


# ---------------------------------------------------------------- the new families at every boundary

BOUNDARIES = [
    ("108e:abba", "01", "Cassini (first revision)"), ("108e:abba", "02", "Cassini rev 2"),
    ("108e:abba", "0f", "Cassini rev 2"), ("108e:abba", "10", "Cassini+ (CAS_ID_REVPLUS)"),
    ("108e:abba", "11", "Cassini+ 0x11 and later"), ("100b:0035", "30", "DP83065 Saturn"),
    ("17d5:5731", "03", "Xframe I (Xena) before rev 4"), ("17d5:5831", "04", "Xframe I (Xena) rev 4"),
    ("17d5:5732", "02", "Xframe II (Hercules)"), ("17d5:5733", "00", "X3100 Titan (revision 0)"),
    ("17d5:5833", "01", "X3100 Titan 1"), ("17d5:5733", "02", "X3100 Titan 1A"),
    ("13f0:1023", "3f", "IP1000A"), ("13f0:1023", "40", "IP1000A (revision 0x40/0x41)"),
    ("1186:4020", "41", "IP1000A (revision 0x40/0x41)"), ("1186:9021", "42", "IP1000A"),
    ("1186:4000", "41", "DL2000"),
    ("1186:1002", "13", "Sundance ST201 family before 0x14"), ("13f0:0200", "14", "Sundance ST201 family 0x14"),
    ("4040:0001", "25", "NetXen P2"), ("4040:0001", "26", "NetXen (unnamed"), ("4040:0100", "30", "NetXen P3 A0-B1"),
    ("4040:0100", "41", "NetXen P3 A0-B1"), ("4040:0100", "42", "NetXen P3 B2"),
    ("1924:0703", "00", "Falcon A0"), ("1924:0703", "01", "Falcon A1"), ("1924:0703", "fe", "Falcon A1"),
    ("1924:0703", "ff", "Falcon A (all-ones"), ("1924:0710", "00", "Falcon B0"),
]


@pytest.mark.parametrize("pci_id,rev,chip", BOUNDARIES)
def test_new_family_boundaries(run, pci_id, rev, chip):
    r = run("chip", pci_id, "--rev", rev, "--json")
    assert r.code == 0, r.err
    chips = json.loads(r.out)["chips"]
    assert len(chips) == 1 and chips[0]["chip"].startswith(chip), (pci_id, rev, [c["chip"] for c in chips])


@pytest.mark.parametrize("pci_id,rev,status", [
    ("4040:0100", "2f", "supported"), ("4040:0100", "30", "refused"), ("4040:0001", "41", "refused"),
    ("4040:0100", "42", "supported"), ("1924:0703", "00", "refused"), ("1924:0703", "01", "supported"),
    ("1924:0703", "ff", "refused"), ("1924:0710", "00", "supported"),
])
def test_new_refusals(run, pci_id, rev, status):
    r = run("suggest", "--id", pci_id, "--rev", rev, "--kernel", "6.1", "--json")
    assert r.code == 0, r.err
    opts = {o["name"]: o for o in json.loads(r.out)["nics"][0]["drivers"]["options"]}
    drv = "netxen_nic" if pci_id.startswith("4040") else "sfc_falcon"
    assert opts[drv]["status"] == status
    if status == "refused":
        assert opts[drv]["reason"]

"""Today's wired NIC families (Realtek r8169, Intel e1000e/igb/igc/ixgbe/i40e/ice): the
revision boundaries their drivers document, the XID/identifier tables they print in the
kernel log, and the driver choice on the kernels that matter."""

from __future__ import annotations

import json
import re

import pytest

FAMILIES = ("realtek-r8169", "intel-e1000e", "intel-igb", "intel-igc", "intel-ixgbe", "intel-i40e", "intel-ice")
LOG_ID_FAMILIES = ("realtek-r8169",)

# (vendor:device, revision, text the chip name must contain) at every boundary
BOUNDARIES = [
    ("10ec:8127", "03", "RTL8127A (PCIe 10G)"),
    ("10ec:8127", "04", "RTL8127A with DASH"),
    ("10ec:8127", "05", "RTL8127A (PCIe 10G)"),
    ("10ec:0e10", "03", "alternate ID"),
    ("10ec:0e10", "04", "with DASH"),
    ("10ec:0e10", "05", "alternate ID"),
    # IDs where the revision tells nothing: one row for 00-ff
    ("10ec:8168", "00", "chip by XID"),
    ("10ec:8168", "15", "chip by XID"),
    ("10ec:8168", "ff", "chip by XID"),
    ("10ec:8169", "10", "RTL8169 family"),
    ("10ec:8136", "05", "RTL810x"),
    ("10ec:8162", "00", "RTL8168KB"),
    # igc: I225-LM/-V versions as users see them in the PCI revision
    ("8086:15f3", "01", "I225-V V1"),
    ("8086:15f3", "02", "I225-V V2"),
    ("8086:15f3", "03", "I225-V V3"),
    ("8086:15f3", "04", "later revision"),
    ("8086:15f2", "00", "I225-LM V1"),
    ("8086:15f2", "03", "I225-LM V3"),
    ("8086:125c", "04", "I226-V"),
    # i40e: revision 0 is pre-production silicon
    ("8086:1572", "00", "pre-production"),
    ("8086:1572", "01", "X710 (sfp_xl710)"),
    ("8086:1583", "00", "pre-production"),
    ("8086:1583", "02", "XL710"),
    # ixgbe: X540 revision 0 flash-update path
    ("8086:1528", "00", "X540 (revision 0)"),
    ("8086:1528", "01", "X540 (x540t)"),
    ("8086:1560", "00", "X540 (revision 0)"),
    ("8086:1560", "ff", "X540 (x540t1)"),
    # one row where the driver ignores the revision
    ("8086:15bc", "10", "I219-V (7)"),
    ("8086:1533", "03", "I210"),
    ("8086:1592", "02", "E810-C"),
]


def chip(run, pci_id, rev):
    r = run("chip", pci_id, "--rev", rev, "--json")
    assert r.code == 0, r.err
    (c,) = json.loads(r.out)["chips"]
    return c


@pytest.mark.parametrize("pci_id,rev,name", BOUNDARIES)
def test_revision_boundaries(run, pci_id, rev, name):
    c = chip(run, pci_id, rev)
    assert name in c["chip"], (pci_id, rev, c["chip"])
    assert c["family"] in FAMILIES


def test_line_rates_follow_the_chip(run):
    rates = {pid: chip(run, pid, "01")["line_rate_mbps"]
             for pid in ("10ec:8169", "10ec:8136", "10ec:8168", "10ec:8162", "10ec:8125", "10ec:8126", "10ec:8127")}
    assert rates == {"10ec:8169": 1000, "10ec:8136": 100, "10ec:8168": 1000, "10ec:8162": 1000,
                     "10ec:8125": 2500, "10ec:8126": 5000, "10ec:8127": 10000}


def log_ids(kb, family):
    return kb.q("SELECT * FROM log_ids WHERE family=?", (family,))


@pytest.mark.parametrize("family", LOG_ID_FAMILIES)
def test_log_ids_lie_within_their_mask_and_are_unique(kb, family):
    rows = log_ids(kb, family)
    assert rows
    seen = {}
    for r in rows:
        mask = r["mask"] if r["mask"] is not None else -1
        assert r["value"] & mask == r["value"], r
        key = (r["driver"], r["kind"], r["vendor"], r["device"], r["mask"], r["value"] & mask)
        assert key not in seen, f"{r['chip']} repeats {seen.get(key)}"
        seen[key] = r["chip"]


def resolve_xid(rows, xid, vendor=None, device=None, kind="xid"):
    """The row a kernel-log XID names: the most specific mask wins (r8169's first-match
    order puts the narrower mask first wherever two entries overlap), a row limited to
    the PCI ID beats a general one."""
    hits = [r for r in rows if r["kind"] == kind and (xid & (r["mask"] if r["mask"] is not None else -1)) == r["value"]
            and r["vendor"] in (None, vendor) and r["device"] in (None, device)]
    hits.sort(key=lambda r: (r["device"] is None, -bin(r["mask"] if r["mask"] is not None else -1).count("1")))
    return hits[0] if hits else None


# r8169's probe line in its three formats: 4.x (8 digits), 5.x-6.x (%03x), 7.x (%x, extXID)
PROBE = re.compile(r"r8169 (?P<slot>\S+) \S+: (?P<chip>[^,]+?)(?: at 0x\S+)?, [0-9a-f:]{17}, "
                   r"(?P<ext>ext)?XID (?P<xid>[0-9a-f]+),? IRQ \d+")


@pytest.mark.parametrize("fixture", ["r8169-rtl8168h-6.12.txt", "r8169-rtl8125b-journal-6.1.txt",
                                     "r8169-firmware-missing-6.12.txt", "r8169-old-format-4.15.txt",
                                     "r8169-unknown-xid-7.2.txt"])
def test_r8169_probe_lines_resolve_to_the_printed_chip(kb, shared_datadir, fixture):
    rows = log_ids(kb, "realtek-r8169")
    found = 0
    for line in (shared_datadir / "dmesg" / fixture).read_text().splitlines():
        m = PROBE.search(line)
        if not m:
            continue
        digits = m["xid"]
        xid = int(digits, 16)
        if len(digits) == 8:  # 4.x printed TxConfig & 0x9cf0f8ff
            xid = (xid >> 20) & 0xFCF
        row = resolve_xid(rows, xid, kind="ext-xid" if m["ext"] else "xid")
        assert row is not None, line
        # the log_ids name is the name the current driver prints
        assert row["chip"].lower() == m["chip"].lower(), (line, row["chip"])
        found += 1
    assert found


def test_r8169_gmii_remap_on_8136(kb):
    rows = log_ids(kb, "realtek-r8169")
    assert resolve_xid(rows, 0x541, 0x10EC, 0x8168)["chip"] == "RTL8168h/8111h"
    assert resolve_xid(rows, 0x541, 0x10EC, 0x8136)["chip"] == "RTL8107e"
    assert resolve_xid(rows, 0x509, 0x10EC, 0x8136)["chip"] == "RTL8106eus"
    # the narrower mask wins where two entries overlap, as in the driver's table order
    assert resolve_xid(rows, 0x3C8)["chip"] == "RTL8168cp/8111cp"
    assert resolve_xid(rows, 0x409)["firmware"] == '["rtl_nic/rtl8105e-1.fw"]'
    assert resolve_xid(rows, 0x6C9)["line_rate_mbps"] == 10000


def suggest(run, pci_id, rev, kernel):
    r = run("suggest", "--id", pci_id, "--rev", rev, "--kernel", kernel, "--json")
    assert r.code == 0, r.err
    return json.loads(r.out)["nics"][0]["drivers"]


def options(drivers):
    return {o["name"]: o for o in drivers["options"]}


@pytest.mark.parametrize("kernel", ["6.1.176", "6.12", "7.2"])
def test_r8169_is_recommended_on_current_kernels(run, kernel):
    d = suggest(run, "10ec:8168", "15", kernel)
    assert d["recommended"] == "r8169"
    assert options(d)["r8168"]["status"] == "supported"


def test_rtl8126_needs_6_9(run):
    old = suggest(run, "10ec:8126", "01", "6.1")
    assert options(old)["r8169"]["status"] == "unavailable"
    assert options(old)["r8125"]["status"] == "partial"  # only bookworm's r8125 9.011 lists it
    assert suggest(run, "10ec:8126", "01", "6.12")["recommended"] == "r8169"


def test_old_r8169_bugs_fixed_in_stable_updates(kb):
    from nicdb.versions import in_range

    rows = [i for i in kb.issues("r8169", 0x10EC, 0x8125) if i["id"] == "rtl8125b-pause-flood"]
    assert rows
    hit = lambda k: any(in_range(k, i["affected"]) for i in rows)  # noqa: E731
    assert hit("6.1.67") and not hit("6.1.68") and hit("5.10.203") and not hit("5.10.204")
    assert not kb.issues("r8169", 0x10EC, 0x8168) or all(
        i["id"] != "rtl8125b-pause-flood" for i in kb.issues("r8169", 0x10EC, 0x8168))


def test_intel_line_rates(run):
    rates = {pid: chip(run, pid, "01")["line_rate_mbps"]
             for pid in ("8086:10c0", "8086:15bc", "8086:1f45", "8086:15f3", "8086:15f7", "8086:10fb", "8086:57b1",
                         "8086:1583", "8086:158b", "8086:1592", "8086:159b")}
    assert rates == {"8086:10c0": 100, "8086:15bc": 1000, "8086:1f45": 2500, "8086:15f3": 2500, "8086:15f7": 1000,
                     "8086:10fb": 10000, "8086:57b1": 2500, "8086:1583": 40000, "8086:158b": 25000,
                     "8086:1592": 100000, "8086:159b": 25000}


def test_i225_erratum_only_on_early_revisions(kb):
    def ids(rev):
        return {i["id"] for i in kb.issues("igc", 0x8086, 0x15F3, rev)}
    assert "i225-2g5-erratum" in ids(0x01) and "i225-2g5-erratum" in ids(0x02)
    assert "i225-2g5-erratum" not in ids(0x03)
    assert "i225-2g5-erratum" not in {i["id"] for i in kb.issues("igc", 0x8086, 0x125C, 0x04)}


def test_i40e_pre_production_warning_is_revision_0_only(kb):
    assert "pre-production-silicon" in {i["id"] for i in kb.issues("i40e", 0x8086, 0x1572, 0x00)}
    assert "pre-production-silicon" not in {i["id"] for i in kb.issues("i40e", 0x8086, 0x1572, 0x01)}


def test_ixgbe_allow_unsupported_sfp_changed_type(kb):
    (p,) = [p for p in kb.params("ixgbe") if p["name"] == "allow_unsupported_sfp"]
    assert p["type"] == "bool" and "unsigned int" in p["meaning"]
    assert {d["versions"] for d in p["defaults"]} == {"<6.1", ">=6.1"}
    # the refusal is an issue of the SFP ports only
    assert "unsupported-sfp" in {i["id"] for i in kb.issues("ixgbe", 0x8086, 0x10FB)}
    assert "unsupported-sfp" not in {i["id"] for i in kb.issues("ixgbe", 0x8086, 0x1528)}


def test_ice_needs_the_ddp_package(kb):
    for c in kb.chips(0x8086, 0x1592):
        assert "intel/ice/ddp/ice.pkg" in c["firmware"]


@pytest.mark.parametrize("pci_id,first", [("8086:57a0", "6.12"), ("8086:0dc5", "6.1"), ("8086:57ae", "7.2"),
                                          ("8086:1248", "7.2")])
def test_new_ids_need_new_kernels(run, pci_id, first):
    older = {"6.1": "5.10", "6.12": "6.1", "7.2": "6.12"}[first]
    drv = suggest(run, pci_id, "01", older)
    assert all(o["status"] == "unavailable" for o in drv["options"] if o["kind"] == "in-tree"), drv
    assert suggest(run, pci_id, "01", first)["recommended"] in ("e1000e", "ixgbe", "ice")


def test_removed_i219_ids(run):
    # 8086:57b5/57b6 were dropped as discontinued before 7.2
    assert options(suggest(run, "8086:57b5", "01", "6.12"))["e1000e"]["status"] == "supported"
    assert options(suggest(run, "8086:57b5", "01", "7.2"))["e1000e"]["status"] == "unavailable"

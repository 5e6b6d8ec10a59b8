"""Building the database from data/: validation, rebuild-on-change, corruption, atomicity."""

import os
import sqlite3
import textwrap

import pytest

from nicdb.errors import DataError
from nicdb.kb import build, paths
from nicdb.kb.load import load_tree
from nicdb.kb.store import KnowledgeBase

REPO_DATA = paths.data_dir()

FAMILY = """\
schema = 1
[family]
id = "fam"
name = "Test family"
line_rate_mbps = 100
[sources.src]
kind = "driver-source"
title = "a driver"
ref = "drivers/net/x.c"
[[chips]]
vendor = "abcd"
device = "0001"
revs = "00-0f"
chip = "A"
source = "src"
confidence = "driver-source"
[[chips]]
vendor = "abcd"
device = "0001"
revs = "{second}"
chip = "B"
source = "src"
confidence = "driver-source"
"""

DRIVER = """\
schema = 1
[driver]
name = "drv"
kind = "in-tree"
families = ["{family}"]
source = "src"
confidence = "driver-source"
[sources.src]
kind = "driver-source"
title = "a driver"
ref = "drivers/net/x.c"
[[supports]]
vendor = "abcd"
device = "0001"
revs = "*"
source = "src"
confidence = "driver-source"
"""


def raw(kb):
    """The built database file itself, read with sqlite3 (what the build wrote, not what
    the read path makes of it)."""
    return sqlite3.connect(f"file:{kb.path}?mode=ro", uri=True)


def make_tree(root, second="10-ff", family="fam", extra=None):
    (root / "families").mkdir(parents=True)
    (root / "drivers").mkdir()
    (root / "families" / "fam.toml").write_text(FAMILY.format(second=second))
    (root / "drivers" / "drv.toml").write_text(DRIVER.format(family=family))
    for rel, text in (extra or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    return root


def test_shipped_data_validates():
    tree = load_tree([(REPO_DATA, "shipped")])
    assert tree.families and tree.chips and tree.drivers and tree.measurements
    # every row is cited
    for table in (tree.chips, tree.supports, tree.params, tree.issues):
        assert all(r["source_key"] and r["confidence"] for r in table)


def test_overlapping_revision_ranges_are_refused(tmp_path):
    make_tree(tmp_path, second="0f-ff")
    with pytest.raises(DataError, match=r"families/fam.toml: chips\[1\] \(B\): revision range 0f-ff of abcd:0001 overlaps 00-0f \(A\)"):
        load_tree([(tmp_path, "shipped")])


def test_unknown_family_in_driver_is_refused(tmp_path):
    make_tree(tmp_path, family="nope")
    with pytest.raises(DataError, match="drivers/drv.toml: \\[driver\\]: family 'nope' is not defined"):
        load_tree([(tmp_path, "shipped")])


def test_malformed_hex_is_refused(tmp_path):
    make_tree(tmp_path)
    p = tmp_path / "families" / "fam.toml"
    p.write_text(p.read_text().replace('device = "0001"', 'device = "00g1"', 1))
    with pytest.raises(DataError, match=r"chips\[0\] \(A\): device '00g1' is not 4 hex digits"):
        load_tree([(tmp_path, "shipped")])


MEASUREMENTS = """\
schema = 1
[sources.s]
kind = "measured"
title = "t"
ref = "r"
[set]
id = "m"
title = "t"
vendor = "abcd"
device = "0001"
source = "s"
confidence = "measured"
[[rows]]
direction = "tx"
mbps = 1.0
"""


def test_unknown_driver_in_measurements_is_refused(tmp_path):
    make_tree(tmp_path, extra={"measurements/m.toml": MEASUREMENTS + 'driver = "ghost"\n'})
    with pytest.raises(DataError, match="rows\\[0\\]: driver 'ghost' is not defined"):
        load_tree([(tmp_path, "shipped")])


def test_unknown_parameter_in_measurements_is_refused(tmp_path):
    make_tree(tmp_path, extra={"measurements/m.toml": MEASUREMENTS + 'driver = "drv"\ndma_length = 3\n'})
    with pytest.raises(DataError, match="driver 'drv' has no parameter 'DMA_length'"):
        load_tree([(tmp_path, "shipped")])


def test_undefined_source_and_bad_toml(tmp_path):
    make_tree(tmp_path)
    p = tmp_path / "families" / "fam.toml"
    p.write_text(p.read_text().replace('source = "src"', 'source = "elsewhere"', 1))
    with pytest.raises(DataError, match="source 'elsewhere' is not defined"):
        load_tree([(tmp_path, "shipped")])
    p.write_text("schema = 1\n[family\n")
    with pytest.raises(DataError, match="fam.toml: not valid TOML"):
        load_tree([(tmp_path, "shipped")])


def test_rebuilds_when_data_changes(tmp_path, monkeypatch):
    data = make_tree(tmp_path / "data")
    monkeypatch.setenv("NICDB_DATA", str(data))
    db = tmp_path / "db.sqlite"
    kb = KnowledgeBase.open(db)
    assert [c["chip"] for c in kb.chips(0xABCD, 1)] == ["A", "B"]
    p = data / "families" / "fam.toml"
    p.write_text(p.read_text().replace('chip = "B"', 'chip = "B2"'))
    os.utime(p, ns=(os.stat(p).st_atime_ns, os.stat(p).st_mtime_ns + 10**9))
    kb2 = KnowledgeBase.open(db)
    assert [c["chip"] for c in kb2.chips(0xABCD, 1, 0x20)] == ["B2"]


def test_corrupt_database_is_rebuilt_with_a_warning(tmp_path):
    db = tmp_path / "db.sqlite"
    db.write_bytes(b"this is not sqlite" * 100)
    warnings = []
    kb = KnowledgeBase.open(db, warn=warnings.append)
    assert kb.families()
    assert any("corrupt or not a nicdb database" in w for w in warnings)


def test_foreign_sqlite_database_is_rebuilt(tmp_path):
    db = tmp_path / "db.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE other (x)")
    con.commit()
    con.close()
    warnings = []
    KnowledgeBase.open(db, warn=warnings.append)
    assert warnings and "rebuilding" in warnings[0]
    assert sqlite3.connect(db).execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (str(paths.DB_SCHEMA_VERSION),)


def test_read_only_cache_folder_still_answers(tmp_path):
    if os.geteuid() == 0:
        # root ignores directory permissions; use a path below a regular file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        db = blocker / "db.sqlite"
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        db = ro / "db.sqlite"
    warnings = []
    kb = KnowledgeBase.open(db, warn=warnings.append)
    assert kb.path == ":memory:"
    assert kb.families()
    assert any("in-memory" in w for w in warnings)


def test_build_is_atomic_and_leaves_no_temp_files(tmp_path):
    db = tmp_path / "db.sqlite"
    build.build(db)
    first = db.stat().st_ino
    build.build(db)
    assert db.stat().st_ino != first  # replaced, not rewritten in place
    assert sorted(os.listdir(tmp_path)) == ["db.sqlite"]


def test_explicit_corrupt_pci_ids_is_an_error(tmp_path):
    bad = tmp_path / "pci.ids"
    bad.write_text("# Version: 2099.01.01\n1106  VIA\n\tzz99  broken device line\n")
    with pytest.raises(Exception) as e:
        build.build(tmp_path / "db.sqlite", pci_ids=bad, strict_pci_ids=True)
    assert "line 3: malformed device line" in str(e.value)


def test_broken_system_pci_ids_is_skipped_with_a_warning(tmp_path):
    bad = tmp_path / "pci.ids"
    bad.write_text("1106  VIA\n\tzz99  broken\n")
    rep = build.build(tmp_path / "db.sqlite", pci_ids=bad)
    assert rep.counts["pci_devices"] == 0
    assert any("ignoring" in w and "line 2" in w for w in rep.warnings)


@pytest.mark.parametrize("name", ["we?ird.sqlite", "has#hash.sqlite", "per%20cent.sqlite"])
def test_database_path_with_uri_characters(tmp_path, monkeypatch, name):
    monkeypatch.setenv("NICDB_DATA", str(make_tree(tmp_path / "data")))
    db = tmp_path / name
    KnowledgeBase.open(db)  # builds it
    kb = KnowledgeBase.open(db, rebuild=False)  # and it opens as current, at that very path
    assert kb.path == str(db) and [c["chip"] for c in kb.chips(0xABCD, 1)] == ["A", "B"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite") == [name]


def test_chip_lookups_match_the_database_for_every_id_and_revision(kb):
    """kb.chips reads an ID's rows once and filters in Python: same rows, same order as SQL."""
    ids = raw(kb).execute("SELECT DISTINCT vendor, device FROM chips").fetchall()
    assert ids
    for vendor, device in ids:
        for rev in (None, 0x00, 0x10, 0x11, 0x42, 0x80, 0xFF):
            sql = "SELECT id FROM chips WHERE vendor=? AND device=? AND subvendor IS NULL"
            args: tuple = (vendor, device)
            if rev is not None:
                sql += " AND ? BETWEEN rev_lo AND rev_hi"
                args += (rev,)
            expected = [r[0] for r in raw(kb).execute(sql + " ORDER BY origin != 'local', rev_lo", args)]
            assert [c["id"] for c in kb.chips(vendor, device, rev)] == expected


def test_chip_rows_handed_out_are_the_callers_own(kb):
    first = kb.chips(0x1106, 0x3119, 0x11)
    first[0]["chip"] = "scribbled"
    first[0].pop("source")
    again = kb.chips(0x1106, 0x3119, 0x11)
    assert again[0]["chip"] != "scribbled" and "source" in again[0]


VENDOR_NAMES = """\
schema = 1
[sources.h]
kind = "pci-ids"
title = "pci.ids history"
ref = "https://github.com/pciutils/pciutils (pci.ids)"
[[vendor_names]]
vendor = "{vendor}"
name = "{name}"
seen = "1999 to 2005"
source = "{source}"
confidence = "pci-ids"
"""


def test_vendor_name_history_is_loaded_and_validated(tmp_path, monkeypatch):
    good = VENDOR_NAMES.format(vendor="abcd", name="Old Name Inc.", source="h")
    make_tree(tmp_path / "ok", extra={"names/history.toml": good})
    monkeypatch.setenv("NICDB_DATA", str(tmp_path / "ok"))
    kb = KnowledgeBase.open(tmp_path / "db.sqlite")
    assert kb.other_vendor_ids("old name inc.") == [0xABCD] and kb.vendor_ids("Old Name Inc.") == []
    for n, (vendor, name, source, error) in enumerate([
            ("abcg", "X", "h", r"vendor_names\[0\].*vendor 'abcg' is not 4 hex digits"),
            ("abcd", " ", "h", r"vendor_names\[0\].*name must not be empty"),
            ("abcd", "X", "nowhere", r"vendor_names\[0\].*source 'nowhere' is not defined")]):
        root = make_tree(tmp_path / f"bad{n}", extra={"names/history.toml": VENDOR_NAMES.format(
            vendor=vendor, name=name, source=source)})
        with pytest.raises(DataError, match=error):
            load_tree([(root, "shipped")])


def test_shipped_vendor_name_history_knows_intel_corp(kb):
    assert kb.other_vendor_ids("Intel Corp.") == [0x8086]
    assert 0x1924 in kb.other_vendor_ids("AMD Solarflare")  # newer pci.ids than 2023's


DEVICE_NAMES = """\
schema = 1
[sources.pciids-history]
kind = "pci-ids"
title = "pci.ids history"
ref = "https://github.com/pciutils/pciids (pci.ids)"
[device_names]
confidence = "pci-ids"
rows = [
  [{row}],
]
"""


def test_device_name_history_is_loaded_and_validated(tmp_path, monkeypatch):
    good = DEVICE_NAMES.format(row='"abcd:12ef", "Old NIC 5GbE", "2025-02-05 pciids 4437fbaefeb0", '
                                   '"2026-08-22 pciids c1c12547d626"')
    make_tree(tmp_path / "ok", extra={"names/devices.toml": good})
    monkeypatch.setenv("NICDB_DATA", str(tmp_path / "ok"))
    kb = KnowledgeBase.open(tmp_path / "db.sqlite")
    assert kb.other_device_ids(0xABCD, "old nic 5gbe") == [0x12EF]
    assert kb.other_device_ids(0xABCE, "Old NIC 5GbE") == [] and kb.device_ids(0xABCD, "Old NIC 5GbE") == []
    seen, src, conf = raw(kb).execute("SELECT seen, source_key, confidence FROM device_names").fetchone()
    assert seen == "2025-02-05 pciids 4437fbaefeb0 to 2026-08-22 pciids c1c12547d626"
    assert (src, conf) == ("pciids-history", "pci-ids")
    dates = '"2025-02-05 pciids 4437fbaefeb0", "2026-08-22 pciids c1c12547d626"'
    for n, (row, error) in enumerate([
            (f'"abcd-12ef", "X", {dates}', r"device_names.rows\[0\].*'abcd-12ef' is not vendor:device"),
            (f'"ABCD:12EF", "X", {dates}', r"device_names.rows\[0\].*not vendor:device in lower-case hex"),
            (f'"abcd:12ef", " ", {dates}', r"device_names.rows\[0\].*name must not be empty"),
            ('"abcd:12ef", "X", "2025", "2026"', r"device_names.rows\[0\].*seen '2025' is not 'DATE REPO COMMIT'"),
            ('"abcd:12ef", "X", "2025-02-05 elsewhere 1", "2026-08-22 pciids 2"',
             r"device_names.rows\[0\].*source 'elsewhere-history' .* is not defined"),
            ('"abcd:12ef", "X"', r"device_names.rows\[0\].*four strings")]):
        root = make_tree(tmp_path / f"bad{n}", extra={"names/devices.toml": DEVICE_NAMES.format(row=row)})
        with pytest.raises(DataError, match=error):
            load_tree([(root, "shipped")])


def test_shipped_device_name_history(kb):
    # newer than the 2023 pci.ids: Realtek's 5GbE chip and the RTL8211 added to 8168's name
    assert kb.other_device_ids(0x10EC, "RTL8126 5GbE Controller") == [0x8126]
    assert kb.other_device_ids(0x10EC, "RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller") == [0x8168]
    # older: pciutils 2006-2012 called 10ec:8168 "RTL8111/8168B ..."
    assert kb.other_device_ids(0x10EC, "RTL8111/8168B PCI Express Gigabit Ethernet controller") == [0x8168]
    n, files = raw(kb).execute("SELECT COUNT(*), COUNT(DISTINCT file) FROM device_names").fetchone()
    assert n > 1000 and files == 1


@pytest.mark.parametrize("rel, old, new, where, hint", [
    ("families/fam.toml", "line_rate_mbps = 100", "line_rate_mpbs = 100", r"\[family\]",
     "unknown key 'line_rate_mpbs' \\(did you mean 'line_rate_mbps'\\?\\)"),
    ("families/fam.toml", 'chip = "A"', 'chip = "A"\ndriver = "foo"', r"chips\[0\] \(A\)",
     "unknown key 'driver'"),
    ("drivers/drv.toml", 'revs = "*"', 'revs = "*"\nkernel = "*"', r"supports\[0\]",
     "unknown key 'kernel' \\(did you mean 'kernels'\\?\\)"),
    ("drivers/drv.toml", 'kind = "driver-source"', 'kind = "driver-source"\nurl = "x"', r"sources\.src",
     "unknown key 'url'"),
    ("drivers/drv.toml", "schema = 1", "schema = 1\nparam = []", "top level",
     "unknown key 'param' \\(did you mean 'params'\\?\\)"),
])
def test_unknown_keys_are_refused_with_the_closest_valid_key(tmp_path, rel, old, new, where, hint):
    make_tree(tmp_path)
    p = tmp_path / rel
    assert old in p.read_text()
    p.write_text(p.read_text().replace(old, new, 1))
    with pytest.raises(DataError, match=f"{rel}: {where}: {hint}"):
        load_tree([(tmp_path, "shipped")])


LOG_IDS = """
[[log_ids]]
driver = "drv"
kind = "xid"
value = "541"
mask = "7cf"
vendor = "abcd"
device = "0001"
chip = "Chip-H"
products = ["Card H"]
firmware = ["vendor/chip-h.fw"]
source = "src"
confidence = "driver-source"
"""


def test_log_ids_are_loaded_with_hex_values_and_masks(tmp_path):
    make_tree(tmp_path)
    p = tmp_path / "families" / "fam.toml"
    p.write_text(p.read_text() + LOG_IDS)
    tree = load_tree([(tmp_path, "shipped")])
    (row,) = tree.log_ids
    assert (row["family"], row["driver"], row["kind"], row["value"], row["mask"]) == ("fam", "drv", "xid", 0x541, 0x7CF)
    assert (row["vendor"], row["device"], row["chip"]) == (0xABCD, 1, "Chip-H")
    assert row["firmware"] == '["vendor/chip-h.fw"]'
    p.write_text(p.read_text().replace('value = "541"', 'value = "0x541"'))
    with pytest.raises(DataError, match=r"log_ids\[0\] \(Chip-H\): value '0x541' is not a hex number"):
        load_tree([(tmp_path, "shipped")])
    p.write_text(p.read_text().replace('value = "0x541"', 'value = "841"'))
    with pytest.raises(DataError, match="value 841 has bits outside mask 7cf"):
        load_tree([(tmp_path, "shipped")])


def test_issues_limited_to_devices_and_revisions(tmp_path, monkeypatch):
    issues = """
[[issues]]
id = "all"
title = "every chip"
source = "src"
confidence = "driver-source"
[[issues]]
id = "early"
title = "early steppings of one device"
devices = ["ABCD:0001"]
revs = "00-02"
source = "src"
confidence = "driver-source"
"""
    data = make_tree(tmp_path / "data")
    p = data / "drivers" / "drv.toml"
    p.write_text(p.read_text() + issues)
    monkeypatch.setenv("NICDB_DATA", str(data))
    kb = KnowledgeBase.open(tmp_path / "db.sqlite")
    assert [i["id"] for i in kb.issues("drv")] == ["all", "early"]
    assert [i["id"] for i in kb.issues("drv", 0xABCD, 1, 2)] == ["all", "early"]
    assert [i["id"] for i in kb.issues("drv", 0xABCD, 1, 3)] == ["all"]
    assert [i["id"] for i in kb.issues("drv", 0xABCD, 2, 0)] == ["all"]
    p.write_text(p.read_text().replace('devices = ["ABCD:0001"]', 'devices = ["ABCD-0001"]'))
    with pytest.raises(DataError, match=r"issues\[1\] \(early\): devices: 'ABCD-0001' is not vendor:device"):
        load_tree([(data, "shipped")])


def test_database_columns_are_the_declared_schema(kb):
    from nicdb.kb import schema

    for table in schema.TABLES:
        cols = [(r[1], r[2]) for r in raw(kb).execute(f"PRAGMA table_info([{table.name}])")]
        want = [(c.name, {int: "INTEGER", str: "TEXT", float: "REAL"}[c.type]) for c in table.columns]
        assert cols == want, table.name


@pytest.mark.parametrize("first, second, msg", [
    ("00-0f", "20-ff", "abcd:0001 has no chip row for revisions 10-1f"),
    ("00-0f", "10-7f", "abcd:0001 has no chip row for revisions 80-ff"),
    ("01-0f", "10-ff", "abcd:0001 has no chip row for revisions 00"),
])
def test_shipped_rows_of_an_id_cover_every_revision(tmp_path, first, second, msg):
    make_tree(tmp_path, second=second)
    p = tmp_path / "families" / "fam.toml"
    p.write_text(p.read_text().replace('revs = "00-0f"', f'revs = "{first}"'))
    with pytest.raises(DataError, match=f"families/fam.toml: {msg} \\(cover 00-ff"):
        load_tree([(tmp_path, "shipped")])
    load_tree([(tmp_path, "local")])  # your overlay may note a part of the revisions


def test_two_families_may_not_claim_one_revision(tmp_path):
    other = FAMILY.replace('id = "fam"', 'id = "other"').replace('chip = "A"', 'chip = "X"').format(second="10-ff")
    make_tree(tmp_path, extra={"families/other.toml": other})
    with pytest.raises(DataError, match=r"abcd:0001 revisions 00-0f of 'X' \(other\) are also in another family's row"):
        load_tree([(tmp_path, "shipped")])

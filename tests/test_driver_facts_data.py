"""The committed data/driver-facts/ tables: consistent with each other, spelled as
PROVENANCE.toml documents, small, fast to load, and right about facts checked by hand."""

from __future__ import annotations

import re
import sys
import time
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FACTS = REPO / "data" / "driver-facts"
sys.path.insert(0, str(REPO / "scripts"))

from driver_facts import firmware, tables  # noqa: E402


@pytest.fixture(scope="module")
def prov() -> dict:
    return tomllib.loads((FACTS / "PROVENANCE.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def t() -> dict[str, list[tuple[str, ...]]]:
    out = {}
    for name, cols in tables.COLUMNS.items():
        got_cols, rows = tables.parse((FACTS / name).read_text(encoding="utf-8"))
        assert got_cols == cols, name
        out[name] = rows
    return out


def test_files_are_the_documented_set_and_small():
    names = sorted(p.name for p in FACTS.iterdir())
    assert names == sorted([*tables.COLUMNS, "PROVENANCE.toml"])
    assert sum(p.stat().st_size for p in FACTS.iterdir()) < 3 * 1024 * 1024


def test_tables_load_fast():
    start = time.perf_counter()
    for name in tables.COLUMNS:
        tables.parse((FACTS / name).read_text(encoding="utf-8"))
    assert time.perf_counter() - start < 0.5


def test_rows_are_sorted_unique_and_complete(t):
    for name, rows in t.items():
        assert len(set(rows)) == len(rows), name
        assert all(len(r) == len(tables.COLUMNS[name]) for r in rows), name
    for name in ("modules.tsv", "aliases.tsv", "firmware.tsv"):
        assert t[name] == sorted(t[name]), name


def test_series_are_spelled_as_documented(t, prov):
    series = prov["series"]
    assert series == sorted(series, key=tables.series_key)
    assert all(re.fullmatch(r"\d+\.\d+", s) for s in series)
    assert "series" in prov["series_spelling"] and "single spaces" in prov["series_spelling"]
    for name, rows in t.items():
        if "series" not in tables.COLUMNS[name]:
            continue
        i = tables.COLUMNS[name].index("series")
        for r in rows:
            cell = r[i].split(" ")
            assert cell and set(cell) <= set(series), (name, r)
            assert r[i] == tables.series_cell(cell), (name, r)


def test_every_row_names_a_known_module(t):
    modules = {r[0]: set(r[1].split()) for r in t["modules.tsv"]}
    for a, m, s in t["aliases.tsv"]:
        assert a.startswith("pci:v") and m in modules and set(s.split()) <= modules[m]
    for m, _p, _type, s in t["params.tsv"]:
        assert m in modules and set(s.split()) <= modules[m]
    for m, _f, s in t["firmware.tsv"]:
        assert m in modules and set(s.split()) <= modules[m]
    # every module has an alias in each of its series (the rule keeps only those), but for
    # virtio_pci, kept by name: built in from 6.12 on, and 6.12's modules.builtin.modinfo
    # has no device-table aliases (checked by hand: 7.2's has virtio_pci.alias=, 6.12's not)
    with_alias: dict[str, set[str]] = {}
    for _a, m, s in t["aliases.tsv"]:
        with_alias.setdefault(m, set()).update(s.split())
    assert with_alias["virtio_pci"] == modules.pop("virtio_pci") - {"6.12"}
    with_alias.pop("virtio_pci")
    assert with_alias == modules


def test_a_retyped_parameter_has_disjoint_series(t):
    by_param: dict[tuple[str, str], list[set[str]]] = {}
    for m, p, _type, s in t["params.tsv"]:
        by_param.setdefault((m, p), []).append(set(s.split()))
    for key, cells in by_param.items():
        union = set().union(*cells)
        assert sum(len(c) for c in cells) == len(union), key
    # checked by hand with modinfo -F parmtype: uint in 5.10, bool from 6.1 on
    assert [r[2:] for r in t["params.tsv"] if r[:2] == ("ixgbe", "allow_unsupported_sfp")] == [
        ("uint", "5.10"), ("bool", "6.1 6.12 7.2")]


def test_every_shipped_file_is_declared_or_a_declared_links_target(t, prov):
    declared = {r[1] for r in t["firmware.tsv"]}
    names = {d for d in declared if not firmware.is_glob(d)}
    globs = [d for d in declared if firmware.is_glob(d)]
    targets = {(r[4], r[1]) for r in t["firmware-packages.tsv"] if r[4]}
    releases = set(prov["releases"])
    for f, release, package, version, target in t["firmware-packages.tsv"]:
        assert release in releases and package.startswith("firmware-") and version
        assert firmware.declared_match(f, names, globs) or (f, release) in targets, f
    # each link's target is listed as a file of the same release
    files = {(r[0], r[1]) for r in t["firmware-packages.tsv"]}
    assert all(tr in files for tr in targets if not tr[0].startswith("/"))


def test_inputs_are_named_with_version_and_sha256(prov):
    kinds = {i["kind"] for i in prov["inputs"]}
    assert kinds == {"kernel", "firmware"}
    for i in prov["inputs"]:
        assert re.fullmatch(r"[0-9a-f]{64}", i["sha256"]) and i["file"].endswith(".deb")
        assert i["package"] and i["version"] and i["release"] in prov["releases"] + ["experimental"]
        if i["kind"] == "kernel":
            assert i["series"] in prov["series"] and i["version"].startswith(i["series"] + ".")
    assert {i["series"] for i in prov["inputs"] if i["kind"] == "kernel"} == set(prov["series"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prov["generated"])


def test_r8169_declares_rtl_nic_firmware_that_firmware_realtek_ships(t, prov):
    r8169 = {r[1] for r in t["firmware.tsv"] if r[0] == "r8169"}
    assert "rtl_nic/rtl8168d-1.fw" in r8169 and all(f.startswith("rtl_nic/") for f in r8169)
    shipped = {(r[0], r[1]) for r in t["firmware-packages.tsv"] if r[2] == "firmware-realtek"}
    for release in prov["releases"]:
        assert ("rtl_nic/rtl8168d-1.fw", release) in shipped
    assert any(r[0] == "r8169" and r[2].endswith("realtek/r8169.ko") for r in t["modules.tsv"])


def test_virtio_pci_is_kept_in_every_series(t, prov):
    row = next(r for r in t["modules.tsv"] if r[0] == "virtio_pci")
    assert row[1] == " ".join(prov["series"]) and row[2] == "kernel/drivers/virtio/virtio_pci.ko"

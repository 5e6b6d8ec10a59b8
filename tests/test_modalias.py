"""Candidate kernel modules from PCI modaliases (nicdb.modalias): the matcher, the finder
over the database's tables, and the shipped table from the driver facts."""

from __future__ import annotations

import re
import time
from fnmatch import fnmatchcase  # the stdlib's glob, as an oracle
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdb import modalias as M
from nicdb.errors import InputError
from nicdb.model import PciDevice

REPO = Path(__file__).resolve().parent.parent


def dev(vendor, device, *, sv=None, sd=None, cc=None, rev=None) -> PciDevice:
    return PciDevice(
        slot="0000:00:00.0", vendor=vendor, device=device, subsystem_vendor=sv,
        subsystem_device=sd, class_code=cc, revision=rev,
    )


@pytest.fixture
def basic(shared_datadir) -> M.AliasTable:
    return M.AliasTable.load(shared_datadir / "modalias" / "basic.alias")


# --------------------------------------------------------------------------- modalias strings


def test_modalias_key_is_the_kernels_modalias_of_this_machines_virtio_nic():
    from nicdb.inputs import udev

    (nic,) = [d for d in udev.live_devices(nics_only=True) if d.is_nic]
    with open(f"/sys/bus/pci/devices/{nic.slot}/modalias") as f:
        kernel = f.read().strip()
    assert M.split_pattern(kernel) == tuple(M.modalias_key(nic))
    assert None not in M.modalias_key(nic)


def test_modalias_key_leaves_unknown_fields_unknown():
    d = dev(0x10EC, 0x8139)  # plain lspci: no subsystem; no class either
    assert M.modalias_key(d) == ("000010EC", "00008139", None, None, None, None, None)
    # subsystem 0000 is a value, not "unknown"
    d0 = dev(0x8086, 0x0D57, sv=0, sd=0, cc=0x060000)
    assert M.modalias_key(d0) == ("00008086", "00000D57", "00000000", "00000000", "06", "00", "00")


def test_no_candidates_without_vendor_or_device(basic):
    assert basic.candidates(dev(None, None, cc=0x0C0330)) == []


# --------------------------------------------------------------------------- matching


def test_literal_ids_and_file_order_dedup(basic):
    d = dev(0x10EC, 0x8139, rev=0x20)
    # 8139cp comes first in the file; 8139too matches twice but is listed once
    assert basic.candidates(d) == ["8139cp", "8139too"]
    assert basic.candidates(dev(0x1106, 0x3119)) == ["via_velocity"]
    assert basic.candidates(dev(0x1106, 0x3065)) == []


def test_wildcard_vendor_with_literal_subsystem(basic):
    # the 8139too entry (PCI_ANY_ID, 0x8139, 0x10ec, 0x8139) matches another vendor's 8139
    d = dev(0x1113, 0x8139, sv=0x10EC, sd=0x8139, cc=0x020000)
    assert basic.candidates(d) == ["8139too"]
    assert basic.candidates(dev(0x1113, 0x8139, sv=0x1113, sd=0x8139, cc=0x020000)) == []


def test_class_fields(basic):
    assert basic.candidates(dev(0x8086, 0x1229, cc=0x020000)) == ["e100"]
    assert basic.candidates(dev(0x8086, 0x1229, cc=0x020001)) == ["e100"]  # i* in pattern
    assert basic.candidates(dev(0x8086, 0x1229, cc=0x028000)) == []  # subclass 80 != 00
    assert basic.candidates(dev(0x8086, 0x1229, cc=0x030000)) == []
    # class-only pattern, any vendor; prog-if is part of it
    assert basic.candidates(dev(0x1912, 0x0015, cc=0x0C0330)) == ["xhci_pci"]
    assert basic.candidates(dev(0x1912, 0x0015, cc=0x0C0320)) == []
    # vendor + class
    assert basic.candidates(dev(0x8086, 0x2922, cc=0x010601)) == ["ahci"]


def test_vendor_only_pattern_virtio(basic):
    d = dev(0x1AF4, 0x1041, sv=0x1AF4, sd=0x1041, cc=0x020000)
    assert basic.candidates(d) == ["virtio_pci"]
    assert basic.candidates(dev(0x1AF4, 0x1000)) == ["virtio_pci"]


def test_bracket_class(basic):
    assert basic.candidates(dev(0x14E4, 0x1640)) == ["glob_class", "glob_question"]
    assert basic.candidates(dev(0x14E4, 0x164C)) == ["glob_class", "glob_question"]
    assert basic.candidates(dev(0x14E4, 0x164D)) == ["glob_question"]  # D outside [0-9A-C]


def test_question_mark(basic):
    assert basic.candidates(dev(0x14E4, 0x16FF)) == ["glob_question"]
    assert basic.candidates(dev(0x14E4, 0x1700)) == []


def test_negated_bracket(basic):
    # d0000[!1]06[23]
    assert basic.candidates(dev(0x1969, 0x2062)) == ["glob_negated"]
    assert basic.candidates(dev(0x1969, 0x1063)) == []  # [!1] refuses the 1
    assert basic.candidates(dev(0x1969, 0x2064)) == []  # [23] refuses the 4


def test_case_insensitive_hex(basic):
    # the file writes lowercase hex (v000010b7); devices print as uppercase
    assert basic.candidates(dev(0x10B7, 0x9200)) == ["case_lower"]
    table = M.AliasTable.from_text(
        "alias pci:v00001dadd0000abcdsv*sd*bc*sc*i* lower_d\n"
        "alias pci:v000010ECd0000816[a-f]sv*sd*bc*sc*i* lower_range\n"
    )
    assert table.candidates(dev(0x1DAD, 0xABCD)) == ["lower_d"]
    assert table.candidates(dev(0x10EC, 0x816B)) == ["lower_range"]
    assert table.candidates(dev(0x10EC, 0x8169)) == []


def test_subsystem_unknown_matches_any_subsystem(basic):
    # plain lspci: subsystem unknown -> both the subsystem-specific and the generic entry
    assert basic.candidates(dev(0x1234, 0x5678)) == ["subsys_a", "generic_b", "class_2_80"]
    # known subsystem narrows it
    assert basic.candidates(dev(0x1234, 0x5678, sv=0x1234, sd=0x0002)) == ["generic_b", "class_2_80"]
    assert basic.candidates(dev(0x1234, 0x5678, sv=0x1234, sd=0x0001, cc=0x020000)) == [
        "subsys_a", "generic_b",
    ]
    assert basic.candidates(dev(0x1234, 0x5678, sv=0x1234, sd=0x0001, cc=0x028000)) == [
        "subsys_a", "generic_b", "class_2_80",
    ]


def test_unknown_class_does_not_match_class_only_patterns(basic):
    # e100's pattern has a literal device, so an unknown class is fine...
    assert basic.candidates(dev(0x8086, 0x1229)) == ["e100"]
    # ...but class-only (xhci_pci) or vendor+class (ahci) patterns say nothing about it
    assert basic.candidates(dev(0x8086, 0x2922)) == []
    assert basic.candidates(dev(0x1912, 0x0015)) == []


def test_pattern_that_does_not_split_into_fields(basic):
    # "pci:v00001022d00002000*" is a whole-string glob
    assert M.split_pattern("pci:v00001022d00002000*") is None
    assert basic.candidates(dev(0x1022, 0x2000, sv=0x1022, sd=0x2000, cc=0x020000)) == ["pcnet32"]
    assert basic.candidates(dev(0x1022, 0x2000)) == ["pcnet32"]
    assert basic.candidates(dev(0x1022, 0x2001)) == []
    # an unknown field inside a whole-string glob matches its hex atoms
    t = M.AliasTable.from_text("alias pci:v00001022d00002000sv00001022* odd\n")
    assert t.candidates(dev(0x1022, 0x2000)) == ["odd"]
    assert t.candidates(dev(0x1022, 0x2000, sv=0x17AA)) == []


def test_split_pattern():
    assert M.split_pattern("pci:v00008086d00001229sv*sd*bc02sc00i*") == (
        "00008086", "00001229", "*", "*", "02", "00", "*",
    )
    # lowercase hex that contains the field markers' letters
    assert M.split_pattern("pci:v00001dadd0000bcdfsv*sd*bc*sc*i*") == (
        "00001dad", "0000bcdf", "*", "*", "*", "*", "*",
    )


def test_glob_regex_matches_fnmatch_semantics():
    def m(glob, s):
        return re.fullmatch(M._glob_regex(glob), s) is not None

    assert m("0000[!1]06[23]", "00002062")
    assert not m("0000[!1]06[23]", "00001062")
    assert m("0000[^1]06[23]", "00002063")  # glibc also takes ^ for negation
    assert m("[]A]B", "]B")
    assert m("A[", "A[")  # unclosed bracket is literal
    assert m("1\\*", "1*") and not m("1\\*", "12")
    assert m("**", "") and m("?0", "00") and not m("?0", "0")


def test_non_pci_aliases_ignored(basic):
    assert all(p.startswith("pci:") for p, _ in basic.aliases())
    assert len(basic) == 16
    assert basic.malformed == 0


def test_header_comments_parsed(shared_datadir):
    t = M.AliasTable.from_text("# package: foo\n# aliases: 1\n\nalias pci:v*d*sv*sd*bc*sc*i* any\n")
    assert t.header == {"package": "foo", "aliases": "1"}
    # a pattern constraining nothing matches every device
    assert t.candidates(dev(0x1, 0x2)) == ["any"]


# --------------------------------------------------------------------------- bad files


def test_malformed_lines_are_counted_and_tolerated(shared_datadir):
    t = M.AliasTable.load(shared_datadir / "modalias" / "malformed.alias")
    assert t.malformed == 3
    assert t.malformed_lines == [3, 4, 7]
    assert len(t) == 3
    assert t.candidates(dev(0x10EC, 0x8139)) == ["8139too"]  # the indented line
    assert t.candidates(dev(0x8086, 0x100E)) == ["e1000"]  # CRLF line
    assert t.candidates(dev(0x1106, 0x3119)) == ["via_velocity"]
    assert t.candidates(dev(0x8086, 0x1229, cc=0x020000)) == []  # its line was malformed


def test_garbage_file_names_file_and_line(shared_datadir):
    p = shared_datadir / "modalias" / "garbage.alias"
    with pytest.raises(InputError) as e:
        M.AliasTable.load(p)
    assert str(e.value).startswith(f"{p}:1: ")
    assert "alias" in str(e.value)


@pytest.mark.parametrize("name, why", [("empty.alias", "it is empty"), ("no_pci.alias", "no 'alias pci:")])
def test_file_without_pci_aliases(shared_datadir, name, why):
    p = shared_datadir / "modalias" / name
    with pytest.raises(InputError) as e:
        M.AliasTable.load(p)
    assert str(p) in str(e.value) and why in str(e.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError, match="cannot read modules.alias file"):
        M.AliasTable.load(tmp_path / "nope.alias")
    with pytest.raises(InputError, match="is a directory"):
        M.AliasTable.load(tmp_path)


# --------------------------------------------------------------------------- sources


def test_finder_with_an_explicit_file(shared_datadir, kb):
    p = shared_datadir / "modalias" / "basic.alias"
    find = M.finder(kb, str(p), live=False)
    assert find(dev(0x1106, 0x3119)) == (["via_velocity"], f"modules.alias file {p}")
    # the input's own Kernel modules line wins over any table
    listed = dev(0x1106, 0x3119)
    listed.modules = ["velocityget"]
    assert find(listed) == (["velocityget"], "the input's Kernel modules line")
    with pytest.raises(InputError):
        M.finder(kb, str(shared_datadir / "modalias" / "missing.alias"), live=False)


def test_finder_with_the_shipped_table(kb):
    find = M.finder(kb, None, live=False)
    mods, source = find(dev(0x1106, 0x3119))
    assert mods == ["via_velocity"]
    assert re.fullmatch(r"shipped driver facts from Debian kernels 5\.10\.\d+-\d+, 6\.1\.\d+-\d+, "
                        r"6\.12\.\d+-\d+, \d+\.\d+\.\d+-\d+", source), source
    assert find(dev(None, 0x3119)) == (None, source)  # no vendor: no modalias that could select a driver
    assert find(dev(0x8086, 0x1229, cc=0x020000))[0] == ["e100"]


def test_finder_prefers_the_running_kernels_table_when_live(tmp_path, monkeypatch):
    from nicdb.kb import paths
    from nicdb.kb.store import KnowledgeBase

    f = tmp_path / "modules.alias"
    f.write_text("alias pci:v00008086d00001229sv*sd*bc*sc*i* my_e100\n")
    monkeypatch.setattr(paths, "running_alias_file", lambda: str(f))
    with KnowledgeBase.open(tmp_path / "db.sqlite") as kb:
        mods, source = M.finder(kb, None, live=True)(dev(0x8086, 0x1229))
        assert mods == ["my_e100"] and source.startswith("running kernel ") and str(f) in source
        mods, source = M.finder(kb, None, live=False)(dev(0x8086, 0x1229))
        assert mods == ["e100"] and source.startswith("shipped driver facts from Debian")
    monkeypatch.setattr(paths, "running_alias_file", lambda: None)
    with KnowledgeBase.open(tmp_path / "db2.sqlite") as kb:
        mods, source = M.finder(kb, None, live=True)(dev(0x8086, 0x1229))
        assert mods == ["e100"] and "the running kernel has no modules.alias" in source


def test_shipped_path_is_the_driver_facts_alias_table(monkeypatch, tmp_path):
    assert M.shipped_alias_path() == str(REPO / "data" / "driver-facts" / "aliases.tsv")
    monkeypatch.setenv("NICDB_DATA", str(tmp_path))
    from nicdb.errors import DataError

    with pytest.raises(DataError, match="gen_driver_facts.py"):
        M.shipped_alias_path()


def test_describe_shipped_names_every_series_kernel():
    prov = {"series": ["5.10", "7.2"], "inputs": [
        {"kind": "kernel", "series": "7.2", "version": "7.2.13-1", "package": "linux-base-7.2"},
        {"kind": "kernel", "series": "7.2", "version": "7.2.13-1", "package": "linux-modules-7.2"},
        {"kind": "firmware", "version": "20260916-1"},
        {"kind": "kernel", "series": "5.10", "version": "5.10.262-1"}]}
    assert M.describe_shipped(prov) == "shipped driver facts from Debian kernels 5.10.262-1, 7.2.13-1"
    assert M.describe_shipped({}) == "shipped driver facts"


# --------------------------------------------------------------------------- the shipped table


def _shipped_table() -> M.AliasTable:
    """The shipped aliases.tsv as a modules.alias text (every series)."""
    lines = [ln.split("\t") for ln in Path(M.shipped_alias_path()).read_text().splitlines()[1:]]
    return M.AliasTable.from_text("".join(f"alias {a} {m}\n" for a, m, _ in lines), "aliases.tsv")


def test_shipped_table_known_nics():
    t = _shipped_table()
    assert set(t.candidates(dev(0x10EC, 0x8139, rev=0x20))) == {"8139too", "8139cp"}
    assert t.candidates(dev(0x1106, 0x3119, cc=0x020000)) == ["via_velocity"]
    assert t.candidates(dev(0x8086, 0x1229, cc=0x020000)) == ["e100"]
    assert t.candidates(dev(0x1AF4, 0x1041, sv=0x1AF4, sd=0x1041, cc=0x020000)) == ["virtio_pci"]
    assert t.candidates(dev(0x8086, 0x100E)) == ["e1000"]
    # network drivers only: an xHCI controller has no candidate in this table
    assert t.candidates(dev(0x1912, 0x0015, cc=0x0C0330)) == []


# --------------------------------------------------------------------------- properties and speed

HEXD = "0123456789ABCDEF"


def _field_glob(width: int):
    lit = st.text(HEXD, min_size=width, max_size=width)
    return st.one_of(
        st.just("*"),
        lit,
        lit.map(lambda s: s + "*"),  # as the kernel writes the last field
        st.tuples(lit, st.integers(0, width - 1)).map(lambda t: t[0][: t[1]] + "?" + t[0][t[1] + 1 :]),
        st.tuples(lit, st.integers(0, width - 1)).map(
            lambda t: t[0][: t[1]] + "[" + t[0][t[1]] + "0-3]" + t[0][t[1] + 1 :]
        ),
        st.text(HEXD, max_size=width - 1).map(lambda s: s + "*"),
    )


patterns = st.tuples(*[_field_glob(w) for w in M.WIDTHS]).map(
    lambda g: "pci:" + "".join(f + x for f, x in zip(M.FIELDS, g))
)
values = st.tuples(*[st.text(HEXD, min_size=w, max_size=w) for w in M.WIDTHS])


@settings(max_examples=400, deadline=None)
@given(patterns, values)
def test_field_matching_equals_whole_string_glob(pattern, vals):
    key = M.ModaliasKey(*vals)
    text = "pci:" + "".join(f + v for f, v in zip(M.FIELDS, key))
    assert M.pattern_matches(pattern, key) == fnmatchcase(text, pattern)


@settings(max_examples=200, deadline=None)
@given(patterns, values, st.lists(st.integers(2, 6), max_size=5))
def test_forgetting_a_field_never_loses_a_match(pattern, vals, unknown):
    """Unknown subsystem/class fields only ever add candidates (vendor and device kept)."""
    key = M.ModaliasKey(*vals)
    partial = M.ModaliasKey(*[None if i in unknown else v for i, v in enumerate(vals)])
    if M.pattern_matches(pattern, key):
        fields = M.split_pattern(pattern)
        device_evidence = fields[1].strip("*") != ""
        if device_evidence or not unknown:
            assert M.pattern_matches(pattern, partial)


def test_load_and_lookup_speed(tmp_path):
    """A modules.alias the size of a distribution kernel's (30k lines, 10k PCI); bounds
    are loose (CI machines vary) -- measured ~15-20 ms load and ~10 us per lookup."""
    lines = ["# Aliases extracted from modules themselves."]
    for i in range(10_000):
        lines.append(f"alias pci:v0000{0x1000 + i % 400:04X}d0000{i:04X}sv*sd*bc*sc*i* mod{i % 700}")
        lines.append(f"alias usb:v{i:04X}p*d*dc*dsc*dp*ic*isc*ip*in* usbmod{i}")
        lines.append(f"alias of:N*T*Cvendor,dev{i} ofmod{i}")
    for c in range(20):
        lines.append(f"alias pci:v*d*sv*sd*bc{c:02X}sc00i* classmod{c}")
    p = tmp_path / "modules.alias"
    p.write_text("\n".join(lines) + "\n")
    t0 = time.perf_counter()
    t = M.AliasTable.load(p)
    load = time.perf_counter() - t0
    assert len(t) == 10_020
    d = dev(0x1000 + 1234 % 400, 1234, cc=0x020000)
    assert t.candidates(d) == [f"mod{1234 % 700}", "classmod2"]
    t0 = time.perf_counter()
    for _ in range(1000):
        t.candidates(d)
    per = (time.perf_counter() - t0) / 1000
    assert load < 0.5, f"load took {load * 1e3:.0f} ms"
    assert per < 0.001, f"lookup took {per * 1e6:.0f} us"


def test_malformed_glob_class_matches_nothing_instead_of_crashing():
    from nicdb.model import PciDevice

    t = M.AliasTable.from_text("alias pci:v*d*[z-a]* broken\nalias pci:v00001106d00003119sv*sd*bc*sc*i* via_velocity\n")
    dev = PciDevice(slot="0000:00:0a.0", vendor=0x1106, device=0x3119, subsystem_vendor=0x1106,
                    subsystem_device=0x0110, class_code=0x020000)
    assert t.candidates(dev) == ["via_velocity"]


# ----------------------------------------------------------------- the database's narrowed rows

KERNEL_SHAPED = r"pci:v([^a-z]*)d([^a-z]*)sv([^a-z]*)sd([^a-z]*)bc([^a-z]*)sc([^a-z]*)i([^a-z]*)\Z"


@given(st.text(alphabet="pci:vdsbi0123456789ABCDEFaf*?[]!", max_size=40)
       | st.builds(lambda f: "pci:v" + "d".join(f), st.lists(st.text(alphabet="0A*?[]", max_size=9), min_size=2,
                                                              max_size=2)))
@settings(max_examples=400, deadline=None)
def test_kernel_shaped_split_equals_its_regex(pattern):
    m = re.match(KERNEL_SHAPED, pattern)
    assert M._split_kernel_shaped(pattern) == (m.groups() if m else None)


def test_literal_ids():
    assert M.literal_ids("pci:v00001106d00003119sv*sd*bc*sc*i*") == ("00001106", "00003119")
    assert M.literal_ids("pci:v00001af4d*sv*sd*bc*sc*i*") == ("00001AF4", None)
    assert M.literal_ids("pci:v*d*sv*sd*bc02sc00i*") == (None, None)
    assert M.literal_ids("pci:v0000110?d00003119sv*sd*bc*sc*i*") == (None, None)
    assert M.literal_ids("pci:v00001106*") == (None, None)  # not kernel-shaped: filed as a wildcard
    assert M.literal_ids("pci:v00001106d00003119*") == ("00001106", None)


def _rows_like_the_database(table: M.AliasTable) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """Group aliases by (literal vendor, literal device) with '*' for wildcards, as kb.build does."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for pattern, module in table.aliases():
        v, d = M.literal_ids(pattern)
        out.setdefault((v or "*", d or "*"), []).append((pattern, module))
    return out


def test_narrowed_rows_give_the_same_candidates_as_the_whole_table():
    table = _shipped_table()
    groups = _rows_like_the_database(table)
    order = {pm: i for i, pm in enumerate(table.aliases())}
    rnd = __import__("random").Random(7)
    checked = 0
    for pattern, _ in table.aliases()[::3]:
        fields = M.split_pattern(pattern)
        if fields is None:
            continue
        vals = []
        for glob, width in zip(fields, M.WIDTHS):
            if rnd.random() < 0.15:
                vals.append(None)  # unknown to the input
            elif all(c in "0123456789ABCDEFabcdef" for c in glob) and len(glob) == width:
                vals.append(glob.upper())
            else:
                vals.append("".join(rnd.choice("0123456789ABCDEF") for _ in range(width)))
        key = M.ModaliasKey(*vals)
        if key.vendor is None or key.device is None:
            continue
        rows = sorted(groups.get((key.vendor, key.device), []) + groups.get((key.vendor, "*"), [])
                      + groups.get(("*", "*"), []), key=order.get)
        assert M.candidates_among(rows, key) == table.candidates(key), pattern
        checked += 1
    assert checked > 300

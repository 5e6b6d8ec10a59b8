import pytest

from nicdb.errors import InputError
from nicdb.ids import parse_pci_id, parse_rev, parse_rev_range
from nicdb.versions import in_range, parse_version


@pytest.mark.parametrize("text,want", [("11", 0x11), ("0x11", 0x11), ("11h", 0x11), ("0X82", 0x82), ("f", 0xF)])
def test_revision_forms(text, want):
    assert parse_rev(text) == want


@pytest.mark.parametrize("bad", ["", "g1", "100", "0x", "-1", "1 1", "'; DROP TABLE chips;--"])
def test_bad_revisions_name_the_input(bad):
    with pytest.raises(InputError) as e:
        parse_rev(bad)
    assert repr(bad) in str(e.value)


def test_pci_id_forms():
    assert parse_pci_id("1106:3119") == (0x1106, 0x3119, None, None)
    assert parse_pci_id("[10ec:8139]") == (0x10EC, 0x8139, None, None)
    assert parse_pci_id("8086:10c9:8086:a03c") == (0x8086, 0x10C9, 0x8086, 0xA03C)


@pytest.mark.parametrize("bad", ["1106", "1106:", "11063:3119", "zzzz:3119", "1106:3119:1", "1106-3119"])
def test_bad_pci_ids(bad):
    with pytest.raises(InputError, match="malformed PCI ID"):
        parse_pci_id(bad)


def test_rev_ranges():
    assert parse_rev_range("*") == (0, 255)
    assert parse_rev_range("10-1f") == (0x10, 0x1F)
    assert parse_rev_range("82") == (0x82, 0x82)
    with pytest.raises(InputError, match="backwards"):
        parse_rev_range("1f-10")


@pytest.mark.parametrize("version,spec,want", [
    ("2.6.26", "2.6.13-2.6.32", True),
    ("2.6.32.71", "2.6.13-2.6.32", True),
    ("2.6.33", "2.6.13-2.6.32", False),
    ("6.1.0-18-amd64", ">=2.6.33", True),
    ("2.6.26", ">=2.6.26,<2.6.33", True),
    ("2.6.33", ">=2.6.26,<2.6.33", False),
    ("3.0", "<=2.6", False),
    ("2.6.39", "<=2.6", True),
    (None, "*", True),
    (None, ">=3.0", False),
])
def test_version_ranges(version, spec, want):
    assert in_range(version, spec) is want


def test_parse_version():
    assert parse_version("6.18.44-fc-v782") == (6, 18, 44)
    with pytest.raises(InputError):
        parse_version("linux")

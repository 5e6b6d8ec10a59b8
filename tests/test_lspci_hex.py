"""lspci -x/-xxx/-xxxx dumps (alone and inside -vvv output), and picking the back end."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdb.errors import InputError
from nicdb.inputs import Source, detect, read_text
from nicdb.inputs.lspci_hex import parse_lspci_hex
from nicdb.model import PciLink


def detected(text: str) -> str | None:
    """Which access method reads ``text``."""
    return detect(Source.of_text(text, "t"))


def read(shared_datadir, name: str) -> str:
    return (shared_datadir / "lspci" / name).read_text()


def parse(shared_datadir, name: str):
    return parse_lspci_hex(read(shared_datadir, name), name)


@pytest.mark.parametrize("shape,pcie", [("lspci-x", None), ("lspci-xxx", False), ("lspci-xxxx", False),
                                        ("lspci-vvvnn-x", False)])
def test_real_dumps(shared_datadir, shape, pcie):
    devs = parse(shared_datadir, f"virtio/{shape}.txt")
    assert len(devs) == 6
    nic = devs[3]
    assert (nic.slot, nic.vendor, nic.device, nic.revision, nic.class_code) == (
        "0000:00:03.0", 0x1AF4, 0x1041, 0x01, 0x020000)
    assert (nic.subsystem_vendor, nic.subsystem_device) == (0x1AF4, 0x1041)
    assert "Virtio 1.0 network device" in nic.device_name  # names from the header line
    # -x stops at 64 bytes, before the capability list; -vvv text still lists the capabilities
    assert nic.is_pcie is pcie
    assert nic.driver == ("virtio-pci" if "vv" in shape else None)
    assert devs[0].revision == 0 and devs[0].vendor == 0x8086


def test_vt6122_names_from_plain_header(shared_datadir):
    (d,) = parse(shared_datadir, "via-vt6122-xxx.txt")
    assert (d.slot, d.vendor, d.device, d.revision) == ("0000:02:08.0", 0x1106, 0x3119, 0x11)
    assert (d.subsystem_vendor, d.subsystem_device, d.is_pcie) == (0x1106, 0x0110, False)
    assert d.device_name == "VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter"
    assert d.class_name == "Ethernet controller" and d.origin == "via-vt6122-xxx.txt:1"


def test_vt6130_link_from_config(shared_datadir):
    (d,) = parse(shared_datadir, "via-vt6130-nn-xxx.txt")
    assert (d.revision, d.is_pcie, d.link) == (0x82, True, PciLink(2.5, 1, 2.5, 1))


def test_82559_x_and_xxx(shared_datadir):
    (x,) = parse(shared_datadir, "intel-82559-x.txt")
    (xxx,) = parse(shared_datadir, "intel-82559-xxx.txt")
    for d in (x, xxx):
        assert (d.vendor, d.device, d.revision, d.subsystem_device) == (0x8086, 0x1229, 0x08, 0x000C)
    assert (x.is_pcie, xxx.is_pcie) == (None, False)


def test_dual_port_82576_keeps_driver_and_modules(shared_datadir):
    devs = parse(shared_datadir, "intel-82576-dual-vvvnnk-xxxx.txt")
    assert [d.slot for d in devs] == ["0000:03:00.0", "0000:03:00.1"]
    for d in devs:
        assert (d.vendor, d.device, d.revision) == (0x8086, 0x10C9, 0x01)
        assert d.link == PciLink(2.5, 4, 5.0, 4) and d.is_pcie is True
        assert d.driver == "igb" and d.modules == ["igb"]
        assert d.subsystem_name == "Intel Corporation Gigabit ET Dual Port Server Adapter"
    assert devs[1].origin == "intel-82576-dual-vvvnnk-xxxx.txt:299"


@pytest.mark.parametrize("name,needle,line", [
    ("garbled-hex-truncated.txt", "stops mid-line", 5),
    ("garbled-hex-skip.txt", "skips from 20 to 30", 4),
    ("garbled-hex-nonhex.txt", "'0x' is not a hex byte", 5),
    ("garbled-hex-short.txt", "has 48 bytes", 1),
    ("garbled-hex-mismatch.txt", "says vendor 8086 but the config space says 1106", 1),
    ("garbled-hex-orphan.txt", "without a device header line", 2),
])
def test_broken_dumps_name_file_and_line(shared_datadir, name, needle, line):
    with pytest.raises(InputError) as e:
        parse(shared_datadir, name)
    msg = str(e.value)
    assert msg.startswith(f"{name} line {line}: ") and needle in msg and "\n" not in msg


def test_dump_pasted_indented(shared_datadir):
    text = "".join("    " + ln + "\n" for ln in read(shared_datadir, "via-vt6130-nn-xxx.txt").splitlines())
    assert detected(text) == "lspci_hex"
    (d,) = read_text(text, "forum").devices
    assert (d.vendor, d.device, d.revision, d.link) == (0x1106, 0x3119, 0x82, PciLink(2.5, 1, 2.5, 1))


def test_non_hex_in_the_first_dump_line_is_still_a_dump(shared_datadir):
    text = read(shared_datadir, "via-vt6130-nn-xxx.txt").replace("00: 06 11 19 31", "00: 06 11 l9 31")
    assert detected(text) == "lspci_hex"
    with pytest.raises(InputError, match="^f line 2: 'l9' is not a hex byte$"):
        read_text(text, "f").devices


# ---------------------------------------------------------------- detect
@pytest.mark.parametrize("name,fmt", [
    ("virtio/lspci.txt", "lspci_text"), ("virtio/lspci-vmmnnk.txt", "lspci_text"), ("virtio/lspci-mm.txt", "lspci_text"),
    ("virtio/lspci-x.txt", "lspci_hex"), ("virtio/lspci-xxxx.txt", "lspci_hex"), ("virtio/lspci-vvvnn-x.txt", "lspci_hex"),
    ("hwprobe-vmnnk.txt", "lspci_text"), ("log-with-prompts.txt", "lspci_text"),
    ("intel-82576-dual-vvvnnk-xxxx.txt", "lspci_hex"), ("garbled-hex-orphan.txt", None),
])
def test_detect_fixtures(shared_datadir, name, fmt):
    assert detected(read(shared_datadir, name)) == fmt


def test_detect_and_dispatch():
    assert detected('  {"nics": []}') == "json_doc"
    assert detected("Slot:\t0000:00:03.0\nVendor:\t1af4\n") == "lspci_text"
    assert detected("just some text\n00: 12\n") == None
    doc = {"nics": [{"slot": "0000:00:03.0", "vendor": {"id": "1af4"}, "device": {"id": "1041"}, "revision": "01"}]}
    (d,) = read_text(json.dumps(doc), "doc.json").devices
    assert (d.vendor, d.device, d.revision) == (0x1AF4, 0x1041, 1)
    with pytest.raises(InputError, match="^notes.txt: not lspci output"):
        read_text("hello\n", "notes.txt").devices


def test_parse_text_picks_the_hex_reader(shared_datadir):
    (d,) = read_text(read(shared_datadir, "via-vt6130-nn-xxx.txt"), "f").devices
    assert d.link == PciLink(2.5, 1, 2.5, 1)  # only the config space has the link
    (d,) = read_text(read(shared_datadir, "via-vt6130-vvnnk.txt"), "f").devices
    assert d.link == PciLink(2.5, 1, 2.5, 1) and d.driver == "via-velocity"


@pytest.mark.parametrize("text,fmt", [
    ('{"nics": []}', "json_doc"), ('\n [{"devices": []}]', "json_doc"),
    ('{"nics": []}\n{"nics": []}\n{"summary": {"hosts": 2}}\n', "json_doc"),  # JSON lines of a fleet
    ("{}", None), ("[]", None), ("[1, 2]", None), ('{"nics": [', None),
    ("[" * 100000, None), ('{"n": 1' + "0" * 5000 + "}", None),
])
def test_detect_json(text, fmt):
    assert detected(text) == fmt


@pytest.mark.parametrize("text,msg", [
    ("{}", 'j: JSON, but not a nicdb document (no "nics" or "devices" key)'),
    ('{"nics": [', "j: not valid JSON (Expecting value at line 1 column 11)"),
    ("[" * 100000, "j: JSON nested too deeply"),
    ('{"n": 1' + "0" * 5000 + "}", "j: not valid JSON (a number is too long)"),
])
def test_json_that_is_not_a_document(text, msg):
    with pytest.raises(InputError) as e:
        read_text(text, "j").devices
    assert str(e.value) == msg


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 18), st.sampled_from(["", "zz", "0", "00 00", "\t", "10:"]))))
def test_fuzz_mangled_dump(edits):
    base = ("03:00.0 Ethernet controller [0200]: VIA Technologies, Inc. Device [1106:3119] (rev 82)\n"
            + "".join(f"{o:02x}: " + " ".join(["06", "11", "19", "31"] + ["00"] * 12 if o == 0 else ["00"] * 16) + "\n"
                      for o in range(0, 256, 16))).splitlines()
    for i, s in edits:
        if i < len(base):
            base[i] = base[i][: len(base[i]) // 2] + s
    try:
        devs = parse_lspci_hex("\n".join(base), "fz")
    except InputError as e:
        assert str(e).startswith("fz") and "\n" not in str(e)
        return
    assert devs

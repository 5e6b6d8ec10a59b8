"""lspci back ends on fixtures: this machine's real lspci in every shape, and hand-written
outputs and config dumps for chips it does not have."""

import pytest

from nicdb.errors import InputError
from nicdb.inputs.configspace import decode_config
from nicdb.inputs import Source, detect, read_text
from nicdb.inputs.lspci_hex import parse_lspci_hex
from nicdb.inputs.resolve_names import resolve_ids

VIRTIO_SHAPES = ["lspci", "lspci-n", "lspci-nn", "lspci-nnk", "lspci-k", "lspci-vmm", "lspci-vmmn", "lspci-vmmnnk",
                 "lspci-Dvmmnnk", "lspci-vvnn", "lspci-vv", "lspci-mm", "lspci-mmnn", "lspci-x",
                 "lspci-xxx", "lspci-xxxx", "lspci-vvvnn-x"]


def detected(text: str) -> str | None:
    """Which access method reads ``text``."""
    return detect(Source.of_text(text, "t"))


def load(shared_datadir, name):
    path = shared_datadir / "lspci" / name
    return read_text(path.read_text(), name).devices


@pytest.mark.parametrize("shape", VIRTIO_SHAPES)
def test_every_shape_of_this_machine(shared_datadir, kb, shape):
    devs = load(shared_datadir, f"virtio/{shape}.txt")
    resolve_ids(devs, kb)
    assert len(devs) == 6
    (nic,) = [d for d in devs if d.slot == "0000:00:03.0"]
    assert (nic.vendor, nic.device, nic.revision) == (0x1AF4, 0x1041, 0x01), nic.notes
    assert nic.class_code >> 8 == 0x0200
    if "x" in shape.split("-")[-1]:
        assert nic.is_pcie is (False if shape != "lspci-x" else None)  # -x shows 64 bytes: list unknown


def test_kernel_driver_lines(shared_datadir):
    (d,) = load(shared_datadir, "rtl8139cplus-nnk.txt")
    assert (d.vendor, d.device, d.revision) == (0x10EC, 0x8139, 0x20)
    assert d.driver == "8139cp" and d.modules == ["8139cp", "8139too"]
    assert (d.subsystem_vendor, d.subsystem_device) == (0x10EC, 0x8139)


def test_vt6122_text_and_config_dump_agree(shared_datadir):
    (d,) = load(shared_datadir, "vt6122-board-vvnnk-xxx.txt")
    assert (d.slot, d.vendor, d.device, d.revision) == ("0000:00:0a.0", 0x1106, 0x3119, 0x11)
    assert (d.subsystem_vendor, d.subsystem_device) == (0x1106, 0x0110)
    assert d.is_pcie is False and d.link is None  # PM only: conventional PCI
    assert d.driver == "via-velocity" and d.modules == ["via_velocity"]


def test_vt6130_pcie_link_from_dump_and_text(shared_datadir):
    (d,) = load(shared_datadir, "vt6130-pcie-vvnn-x.txt")  # a shell prompt before and after
    assert d.revision == 0x82 and d.is_pcie is True
    assert (d.link.speed_gts, d.link.width, d.link.max_speed_gts, d.link.max_width) == (2.5, 1, 2.5, 1)


def test_multifunction_card_downgraded(shared_datadir):
    devs = load(shared_datadir, "i82576-dual-vvnnk-xxx.txt")
    assert [d.slot for d in devs] == ["0000:03:00.0", "0000:03:00.1"]
    for d in devs:
        assert (d.vendor, d.device, d.revision) == (0x8086, 0x10C9, 0x01)
        assert (d.link.speed_gts, d.link.max_speed_gts, d.link.width) == (2.5, 5.0, 4)
        assert d.driver == "igb"


def test_82559_in_two_shapes(shared_datadir):
    devs = load(shared_datadir, "i82559-nn.txt")
    assert [(d.vendor, d.device, d.revision) for d in devs if d.class_code >> 16 == 2] == [(0x8086, 0x1229, 0x08)]
    (d,) = parse_lspci_hex((shared_datadir / "lspci" / "i82559-x.txt").read_text(), "x")
    assert (d.vendor, d.device, d.revision, d.subsystem_device) == (0x8086, 0x1229, 0x08, 0x000C)
    assert d.is_pcie is None  # 64 bytes: the capability list is beyond the dump


def test_domains(shared_datadir):
    slots = [d.slot for d in load(shared_datadir, "vmd-domain-Dnn.txt")]
    assert slots == ["0000:00:0e.0", "10000:e0:06.0", "10000:e1:00.0"]
    devs = load(shared_datadir, "ppc64-domain-vk.txt")
    assert [d.slot for d in devs] == ["0001:00:00.0", "0001:01:0f.0"]
    assert devs[1].driver == "sungem" and devs[1].vendor is None  # names only until resolved


def test_plain_names_resolve_through_pci_ids(shared_datadir, kb):
    devs = load(shared_datadir, "ppc64-domain-vk.txt")
    resolve_ids(devs, kb)
    gem = devs[1]
    if gem.vendor is None:
        pytest.skip("pci.ids without Apple K2 GMAC")
    assert (gem.vendor, gem.device) == (0x106B, 0x004C)


@pytest.mark.parametrize("name,needle", [
    ("truncated-hex.txt", "stops mid-line"),
    ("skipped-hex.txt", "skips from 10 to 20"),
    ("vmm-no-slot.txt", "record without a Slot line"),
    ("vmm-bad-rev.txt", "Rev 'zz' is not a hex byte"),
    ("not-lspci.txt", "not lspci output"),
])
def test_broken_inputs_name_file_and_line(shared_datadir, name, needle):
    with pytest.raises(InputError) as e:
        load(shared_datadir, name)
    msg = str(e.value)
    assert needle in msg and name in msg and "\n" not in msg


def test_detect():
    assert detected('{"nics": []}') == "json_doc"
    assert detected("00:03.0 0200: 1af4:1041 (rev 01)\n") == "lspci_text"
    assert detected("00:03.0 x\n00: " + " ".join(["00"] * 16) + "\n") == "lspci_hex"
    assert detected("hello\n") == None


def test_config_space_errors():
    with pytest.raises(InputError, match="has 10 bytes"):
        decode_config(b"\x00" * 10, "00:00.0", "o")
    with pytest.raises(InputError, match="no device"):
        decode_config(b"\xff" * 64, "00:00.0", "o")
    # a capability list that loops back on itself ends quietly with None
    data = bytearray(256)
    data[0:4] = b"\x06\x11\x19\x31"
    data[6] = 0x10
    data[0x34] = 0x50
    data[0x50:0x52] = b"\x01\x50"
    d = decode_config(bytes(data), "00:00.0", "o")
    assert d.is_pcie is None and d.vendor == 0x1106


def test_cli_from_file_and_stdin(run, shared_datadir):
    import json

    f = shared_datadir / "lspci" / "vt6130-pcie-vvnn-x.txt"
    doc = json.loads(run("identify", "--from", str(f), "--json").out)
    (nic,) = doc["nics"]
    assert nic["chip"]["chip"] == "VT3286" and nic["link"]["width"] == 1 and nic["bus"]["ceiling_mbps"] == 2000
    r = run("identify", "--from", "-", "--json", stdin=(shared_datadir / "lspci" / "virtio" / "lspci.txt").read_text())
    assert r.code == 0, r.err
    assert json.loads(r.out)["nics"][0]["device"]["id"] == "1041"

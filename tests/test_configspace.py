"""decode_config on real (this VM's virtio NIC) and hand-written config spaces: a VT6122
on conventional PCI, a VT6130 on PCIe x1, an Intel 82559 and a dual-port 82576 whose
x4 5GT/s link trained down to 2.5GT/s."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nicdb.errors import InputError
from nicdb.inputs.configspace import decode_config
from nicdb.model import PciLink


def dump_bytes(shared_datadir, name: str, block: int = 0) -> bytes:
    """The bytes of the ``block``-th dump in a fixture (read independently of lspci_hex)."""
    blocks: list[bytearray] = []
    for line in (shared_datadir / "lspci" / name).read_text().splitlines():
        off, sep, rest = line.partition(": ")
        if sep and len(off) in (2, 3) and all(c in "0123456789abcdef" for c in off):
            if off in ("00", "000"):
                blocks.append(bytearray())
            blocks[-1] += bytes.fromhex(rest)
    return bytes(blocks[block])


def test_vt6122_conventional_pci(shared_datadir):
    data = dump_bytes(shared_datadir, "via-vt6122-xxx.txt")
    assert len(data) == 256
    d = decode_config(data, "0000:02:08.0", "f:1")
    assert (d.slot, d.vendor, d.device, d.revision, d.class_code) == ("0000:02:08.0", 0x1106, 0x3119, 0x11, 0x020000)
    assert (d.subsystem_vendor, d.subsystem_device) == (0x1106, 0x0110)
    assert d.is_pcie is False and d.link is None  # the list (PM at 0x50) was read to its end
    assert d.origin == "f:1"


def test_vt6130_pcie_x1(shared_datadir):
    d = decode_config(dump_bytes(shared_datadir, "via-vt6130-nn-xxx.txt"), "0000:03:00.0", "f")
    assert (d.vendor, d.device, d.revision) == (0x1106, 0x3119, 0x82)
    assert d.is_pcie is True
    assert d.link == PciLink(speed_gts=2.5, width=1, max_speed_gts=2.5, max_width=1)


def test_82559_64_and_256_bytes(shared_datadir):
    short = decode_config(dump_bytes(shared_datadir, "intel-82559-x.txt"), "0000:00:0e.0", "f")
    assert (short.vendor, short.device, short.revision, short.class_code) == (0x8086, 0x1229, 0x08, 0x020000)
    assert (short.subsystem_vendor, short.subsystem_device) == (0x8086, 0x000C)
    assert short.is_pcie is None  # the capability pointer (dc) is beyond 64 bytes
    full = decode_config(dump_bytes(shared_datadir, "intel-82559-xxx.txt"), "0000:00:0e.0", "f")
    assert full.is_pcie is False and full.link is None


@pytest.mark.parametrize("fn", [0, 1])
def test_82576_downgraded_link_4096_bytes(shared_datadir, fn):
    data = dump_bytes(shared_datadir, "intel-82576-dual-vvvnnk-xxxx.txt", fn)
    assert len(data) == 4096
    d = decode_config(data, f"0000:03:00.{fn}", "f")
    assert (d.vendor, d.device, d.revision, d.subsystem_vendor, d.subsystem_device) == (
        0x8086, 0x10C9, 0x01, 0x8086, 0xA03C)
    assert d.is_pcie is True
    assert d.link == PciLink(speed_gts=2.5, width=4, max_speed_gts=5.0, max_width=4)


def test_real_virtio(shared_datadir):
    d = decode_config(dump_bytes(shared_datadir, "virtio/lspci-xxxx.txt", 3), "0000:00:03.0", "f")
    assert (d.vendor, d.device, d.revision, d.class_code) == (0x1AF4, 0x1041, 0x01, 0x020000)
    assert (d.subsystem_vendor, d.subsystem_device) == (0x1AF4, 0x1041)
    assert d.is_pcie is False  # vendor-specific and MSI-X capabilities only


def header(vendor=0x1106, device=0x3119, status=0x0010, cap=0x50, size=256, htype=0) -> bytearray:
    b = bytearray(size)
    b[0:4] = vendor.to_bytes(2, "little") + device.to_bytes(2, "little")
    b[6:8] = status.to_bytes(2, "little")
    b[8:12] = bytes([0x82, 0x00, 0x00, 0x02])
    b[0x0E] = htype
    b[0x2C:0x30] = bytes([0x06, 0x11, 0x10, 0x01])
    b[0x34] = cap
    return b


def test_every_link_speed_code():
    for code, gts in [(1, 2.5), (2, 5.0), (3, 8.0), (4, 16.0), (5, 32.0), (6, 64.0), (0, None), (7, None)]:
        b = header()
        b[0x50:0x54] = bytes([0x10, 0x00, 0x02, 0x00])
        b[0x5C:0x5E] = (code | (16 << 4)).to_bytes(2, "little")  # LnkCap
        b[0x62:0x64] = (code | (8 << 4)).to_bytes(2, "little")  # LnkSta
        d = decode_config(bytes(b), "s", "o")
        assert d.link == PciLink(gts, 8, gts, 16)


def test_capability_walk_edge_cases():
    assert decode_config(bytes(header(status=0)), "s", "o").is_pcie is False  # no capability list at all
    assert decode_config(bytes(header(cap=0)), "s", "o").is_pcie is False  # empty list
    loop = header()
    loop[0x50:0x52] = bytes([0x01, 0x60])
    loop[0x60:0x62] = bytes([0x05, 0x50])
    assert decode_config(bytes(loop), "s", "o").is_pcie is None
    assert decode_config(bytes(header(cap=0x20)), "s", "o").is_pcie is None  # pointer into the header
    out = header(size=128)
    out[0x50:0x52] = bytes([0x01, 0xF0])  # next capability beyond the 128 bytes given
    assert decode_config(bytes(out), "s", "o").is_pcie is None
    low = header(cap=0x53)  # the low two bits of a pointer are reserved
    low[0x50:0x54] = bytes([0x10, 0x00, 0x02, 0x00])
    assert decode_config(bytes(low), "s", "o").is_pcie is True
    cut = header(size=0x58)  # PCIe capability found, but the dump ends before its link registers
    cut[0x50:0x54] = bytes([0x10, 0x00, 0x02, 0x00])
    d = decode_config(bytes(cut), "s", "o")
    assert d.is_pcie is True and d.link is None


def test_bridge_has_no_subsystem_in_the_header():
    d = decode_config(bytes(header(htype=0x81, status=0)), "s", "o")
    assert (d.subsystem_vendor, d.subsystem_device) == (None, None)
    z = header(status=0)
    z[0x2C:0x30] = bytes(4)
    assert decode_config(bytes(z), "s", "o").subsystem_vendor is None


@pytest.mark.parametrize("data,needle", [
    (b"\x00" * 10, "has 10 bytes"), (b"", "has 0 bytes"),
    (b"\xff" * 64, "vendor ffff"), (b"\x00" * 64, "vendor 0000"),
])
def test_errors_name_origin(data, needle):
    with pytest.raises(InputError) as e:
        decode_config(data, "0000:00:03.0", "dump.txt line 7")
    assert str(e.value).startswith("dump.txt line 7: ") and needle in str(e.value)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data):
    try:
        d = decode_config(data, "s", "o")
    except InputError:
        return
    assert d.vendor not in (0, 0xFFFF) and d.is_pcie in (True, False, None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0x34, 0xFF), st.integers(0, 255)), max_size=40))
def test_fuzz_capability_lists(pokes):
    b = header()
    for off, val in pokes:
        b[off] = val
    d = decode_config(bytes(b), "s", "o")
    assert d.is_pcie in (True, False, None)


# ---------------------------------------------------------------- the hand-written dumps themselves
_CAP_IDS = {"Power Management": 0x01, "MSI:": 0x05, "Vendor Specific": 0x09, "Express": 0x10, "MSI-X:": 0x11}


def _blocks_with_text(path):
    """(capabilities the -v text lists, config bytes) per function of a fixture."""
    out: list[tuple[list, bytearray]] = []
    for line in path.read_text().splitlines():
        off, sep, rest = line.partition(": ")
        if sep and len(off) in (2, 3) and all(c in "0123456789abcdef" for c in off):
            out[-1][1].extend(bytes.fromhex(rest))
        elif line[:1].isalnum():  # a header line starts the next function
            out.append(([], bytearray()))
        elif line.strip().startswith("Capabilities: ["):
            where, _, what = line.strip()[15:].partition("] ")
            if len(where) == 2:  # the standard list (extended ones are [100 v1] ...)
                out[-1][0].append((int(where, 16), next(i for k, i in _CAP_IDS.items() if what.startswith(k))))
    return [(caps, bytes(data)) for caps, data in out]


def _chain(data: bytes) -> list[tuple[int, int]]:
    ptr, seen = data[0x34], []
    while ptr and len(seen) < 48:
        seen.append((ptr, data[ptr]))
        ptr = data[ptr + 1]
    return seen


@pytest.mark.parametrize("name", ["intel-82576-dual-vvvnnk-xxxx.txt", "i82576-dual-vvnnk-xxx.txt",
                                  "vt6122-board-vvnnk-xxx.txt"])
def test_dumps_agree_with_their_capability_lines(shared_datadir, name):
    """Each hand-written dump's capability chain is the one its -v text lists (offsets and
    IDs: power management 01, MSI 05, MSI-X 11, PCI Express 10), little-endian IDs and all."""
    blocks = _blocks_with_text(shared_datadir / "lspci" / name)
    assert blocks
    for caps, data in blocks:
        assert len(data) >= 256 and caps
        assert data[6] & 0x10  # status: capability list
        assert _chain(data) == caps
        assert int.from_bytes(data[0:2], "little") in (0x8086, 0x1106)


@pytest.mark.parametrize("name,chain", [
    ("via-vt6122-xxx.txt", [(0x50, 0x01)]),  # PM only: conventional PCI
    ("via-vt6130-nn-xxx.txt", [(0x50, 0x01), (0x60, 0x05), (0x70, 0x10)]),  # PM, MSI, PCIe
    ("intel-82559-xxx.txt", [(0xDC, 0x01)]),
])
def test_dump_capability_chains(shared_datadir, name, chain):
    assert _chain(dump_bytes(shared_datadir, name)) == chain

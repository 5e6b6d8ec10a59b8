"""lspci text in every shape: this machine's real output (tests/data/lspci/virtio/, a VM
whose NIC is virtio 1af4:1041 rev 01 at 00:03.0) and hand-written outputs in the same
shapes for chips it does not have."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nicdb.errors import InputError
from nicdb.inputs.lspci_text import parse_lspci_text
from nicdb.model import PciLink

# shape -> (IDs printed?, kernel driver printed?, capability list printed?)
REAL_SHAPES = {
    "lspci": (False, False, False), "lspci-D": (False, False, False), "lspci-k": (False, True, False),
    "lspci-nn": (True, False, False), "lspci-Dnn": (True, False, False), "lspci-nnk": (True, True, False),
    "lspci-n": (True, False, False), "lspci-v": (False, True, True), "lspci-vv": (False, True, True),
    "lspci-vvv": (False, True, True), "lspci-vvn": (True, True, True), "lspci-vvnn": (True, True, True),
    "lspci-vvnnk": (True, True, True), "lspci-nnvvv": (True, True, True), "lspci-vmm": (False, False, False),
    "lspci-vmmn": (True, False, False), "lspci-vmmnn": (True, False, False), "lspci-vmmnnk": (True, True, False),
    "lspci-Dvmmnnk": (True, True, False), "lspci-mm": (False, False, False), "lspci-mmn": (True, False, False),
    "lspci-mmnn": (True, False, False), "lspci-x": (False, False, False), "lspci-xxx": (False, False, False),
    "lspci-xxxx": (False, False, False), "lspci-vvvnn-x": (True, True, True),
    "lspci-m": (False, False, False), "lspci-vmnnk": (True, True, False),  # -vmnnk: hw-probe's 'Device:' slots
}


def read(shared_datadir, name: str) -> str:
    return (shared_datadir / "lspci" / name).read_text()


def parse(shared_datadir, name: str):
    return parse_lspci_text(read(shared_datadir, name), name)


def by_slot(devs):
    return {d.slot: d for d in devs}


# ---------------------------------------------------------------- this machine, every shape
@pytest.mark.parametrize("shape", sorted(REAL_SHAPES))
def test_real_lspci_every_shape(shared_datadir, shape):
    has_ids, has_driver, has_caps = REAL_SHAPES[shape]
    devs = parse(shared_datadir, f"virtio/{shape}.txt")
    assert [d.slot for d in devs] == ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0",
                                      "0000:00:04.0", "0000:00:05.0"]
    nic = by_slot(devs)["0000:00:03.0"]
    assert nic.revision == 0x01
    assert by_slot(devs)["0000:00:00.0"].revision == 0  # lspci leaves out "(rev 00)"
    if has_ids:
        assert (nic.vendor, nic.device, nic.class_code) == (0x1AF4, 0x1041, 0x020000)
    else:
        assert (nic.vendor, nic.device) == (None, None)
        assert "Virtio 1.0 network device" in nic.device_name
        assert nic.class_name == "Ethernet controller"
    assert nic.driver == ("virtio-pci" if has_driver else None)
    # the VM's virtio NIC has vendor-specific and MSI-X capabilities but no PCI Express one
    assert nic.is_pcie is (False if has_caps else None)
    assert nic.link is None
    assert nic.origin.startswith(f"virtio/{shape}.txt:")


def test_origin_is_the_starting_line(shared_datadir):
    assert by_slot(parse(shared_datadir, "virtio/lspci-nn.txt"))["0000:00:03.0"].origin == "virtio/lspci-nn.txt:4"
    text = read(shared_datadir, "virtio/lspci-vmmnnk.txt")
    nic = by_slot(parse_lspci_text(text, "f"))["0000:00:03.0"]
    assert text.splitlines()[int(nic.origin.split(":")[1]) - 1] == "Slot:\t00:03.0"


def test_vmm_names_stay_separate(shared_datadir):
    nic = by_slot(parse(shared_datadir, "virtio/lspci-Dvmmnnk.txt"))["0000:00:03.0"]
    assert (nic.vendor_name, nic.device_name) == ("Red Hat, Inc.", "Virtio 1.0 network device")
    assert (nic.subsystem_vendor, nic.subsystem_device) == (0x1AF4, 0x1041)
    assert nic.subsystem_name == "Red Hat, Inc. Virtio 1.0 network device"
    assert nic.class_name == "Ethernet controller"


def test_header_line_names_run_together(shared_datadir):
    nic = by_slot(parse(shared_datadir, "virtio/lspci-nnk.txt"))["0000:00:03.0"]
    assert nic.vendor_name is None and nic.device_name == "Red Hat, Inc. Virtio 1.0 network device"
    assert (nic.subsystem_vendor, nic.subsystem_device) == (0x1AF4, 0x1041)
    unknown = by_slot(parse(shared_datadir, "virtio/lspci-nn.txt"))["0000:00:00.0"]
    assert (unknown.vendor, unknown.device, unknown.class_code) == (0x8086, 0x0D57, 0x060000)
    balloon = by_slot(parse(shared_datadir, "virtio/lspci-nn.txt"))["0000:00:01.0"]
    assert (balloon.class_code, balloon.class_name) == (0xFFFF00, "Unassigned class")


# ---------------------------------------------------------------- chips this machine lacks
def test_vt6122_vvnnk(shared_datadir):
    (d,) = parse(shared_datadir, "via-vt6122-vvnnk.txt")
    assert (d.slot, d.vendor, d.device, d.revision, d.class_code) == ("0000:00:0a.0", 0x1106, 0x3119, 0x11, 0x020000)
    assert (d.subsystem_vendor, d.subsystem_device) == (0x1106, 0x0110)
    assert d.driver == "via-velocity" and d.modules == ["via_velocity"]
    assert d.is_pcie is False and d.link is None  # Power Management only: conventional PCI


def test_vt6130_pcie_link(shared_datadir):
    (d,) = parse(shared_datadir, "via-vt6130-vvnnk.txt")
    assert (d.vendor, d.device, d.revision) == (0x1106, 0x3119, 0x82)
    assert d.is_pcie is True
    assert d.link == PciLink(2.5, 1, 2.5, 1)


def test_dual_port_82576_downgraded_link(shared_datadir):
    devs = parse(shared_datadir, "intel-82576-dual-vvvnnk-xxxx.txt")  # -vvv with -xxxx hex lines between
    assert [d.slot for d in devs] == ["0000:03:00.0", "0000:03:00.1"]
    for d in devs:
        assert (d.vendor, d.device, d.revision, d.subsystem_device) == (0x8086, 0x10C9, 0x01, 0xA03C)
        assert d.is_pcie is True
        assert d.link == PciLink(speed_gts=2.5, width=4, max_speed_gts=5.0, max_width=4)
        assert d.driver == "igb" and d.modules == ["igb"]


def test_plain_and_k_names_only(shared_datadir):
    devs = by_slot(parse(shared_datadir, "nics-plain.txt"))
    d = devs["0000:00:0e.0"]
    assert (d.vendor, d.device, d.revision) == (None, None, 0x08)
    assert d.device_name == "Intel Corporation 82557/8/9/0/1 Ethernet Pro 100"
    assert d.class_name == "Ethernet controller" and d.class_code is None
    assert devs["0000:04:00.0"].device_name == "Huawei Technologies Co., Ltd. Device 1103"
    # lspci's own text for a vendor pci.ids does not know carries the IDs
    v = devs["0000:06:00.0"]
    assert (v.vendor, v.device, v.revision, v.device_name) == (0x1AF4, 0x1041, 0x01, "Device 1af4:1041")
    rtl = by_slot(parse(shared_datadir, "nics-vk.txt"))["0000:00:0b.0"]
    assert (rtl.revision, rtl.driver, rtl.modules) == (0x20, "8139cp", ["8139cp", "8139too"])
    assert rtl.subsystem_name == "Realtek Semiconductor Co., Ltd. RT8139" and rtl.subsystem_vendor is None
    assert rtl.is_pcie is False  # -v lists its capabilities: PM only


def test_old_pciutils(shared_datadir):
    devs = by_slot(parse(shared_datadir, "old-pciutils.txt"))
    e100 = devs["0000:00:0e.0"]
    assert (e100.vendor_name, e100.device_name, e100.revision) == ("Intel Corp.", "Unknown device 1229", 0x08)
    via = devs["0000:00:0f.0"]
    assert (via.vendor_name, via.device_name, via.revision) == ("VIA Technologies, Inc.", "Unknown device 3119", 0x11)
    assert via.is_pcie is False
    igb = devs["0000:02:00.0"]
    assert igb.is_pcie is True and igb.link == PciLink(2.5, 4, 5.0, 4)  # "Express Endpoint", no "(v2)"
    vf = devs["0000:05:00.0"]
    assert vf.link == PciLink(None, None, 8.0, 16)  # "Speed unknown, Width x0": no link
    assert vf.modules == ["mlx5_core"] and vf.revision == 0


def test_domains(shared_datadir):
    devs = parse(shared_datadir, "domains-nn.txt")
    assert [d.slot for d in devs] == ["0000:00:0e.0", "10000:e0:06.0", "10000:e1:00.0", "0001:00:00.0",
                                      "0001:01:00.0"]
    vmd_nic = devs[2]
    assert (vmd_nic.vendor, vmd_nic.device, vmd_nic.revision, vmd_nic.class_code) == (0x8086, 0x1533, 0x03, 0x020000)
    assert (devs[3].vendor, devs[3].device) == (0x1014, 0x03DC)


def test_log_with_prompts_merges_repeated_slots(shared_datadir):
    devs = parse(shared_datadir, "log-with-prompts.txt")
    assert [d.slot for d in devs] == ["0000:00:0b.0", "0000:03:00.0"]
    rtl, igb = devs
    assert (rtl.vendor, rtl.device, rtl.revision) == (0x10EC, 0x8139, 0x20)
    assert rtl.subsystem_name == "Realtek Semiconductor Co., Ltd. RT8139"  # from the -vmm record
    assert rtl.origin == "log-with-prompts.txt:5"
    assert (igb.vendor, igb.device, igb.driver, igb.modules) == (0x8086, 0x10C9, "igb", ["igb"])
    assert igb.subsystem_name == "Intel Corporation Gigabit ET Dual Port Server Adapter"


def test_hw_probe_single_m_device_slot(shared_datadir):
    via, rtl = parse(shared_datadir, "hwprobe-vmnnk.txt")
    assert (via.slot, via.vendor, via.device, via.revision) == ("0000:00:0a.0", 0x1106, 0x3119, 0x11)
    assert via.device_name == "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter"
    assert (via.subsystem_vendor, via.subsystem_device, via.driver) == (0x1106, 0x0110, "via-velocity")
    assert (rtl.slot, rtl.modules) == ("0000:00:0b.0", ["8139cp", "8139too"])


def test_vmm_with_domain_physlot_and_modules(shared_datadir):
    via, e100 = parse(shared_datadir, "nics-Dvmmnnk.txt")
    assert (via.revision, via.class_code, via.modules) == (0x11, 0x020000, ["via_velocity"])
    assert (e100.slot, e100.vendor, e100.device, e100.revision) == ("0000:00:0e.0", 0x8086, 0x1229, 0x08)
    assert (e100.subsystem_vendor, e100.subsystem_device, e100.driver) == (0x8086, 0x000C, "e100")


def test_mm_quoted_columns(shared_datadir):
    via, rtl, e100, e100b = parse(shared_datadir, "nics-mm.txt")
    assert (via.vendor_name, via.device_name, via.revision, via.vendor) == (
        "VIA Technologies, Inc.", "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter", 0x11, None)
    assert via.subsystem_name == "VIA Technologies, Inc. Device 0110"
    assert (rtl.vendor, rtl.device, rtl.revision, rtl.class_code) == (0x10EC, 0x8139, 0x20, 0x020000)
    assert (rtl.subsystem_vendor, rtl.subsystem_device) == (0x10EC, 0x8139)
    assert (e100.vendor, e100.device, e100.revision, e100.subsystem_device) == (0x8086, 0x1229, 0x08, 0x000C)
    assert (e100b.revision, e100b.subsystem_name) == (0, None)


def test_indented_paste_and_crlf():
    text = "    00:0a.0 Ethernet controller [0200]: VIA Technologies, Inc. Device [1106:3119] (rev 11)\r\n" \
           "    \tKernel driver in use: via-velocity\r\n"
    (d,) = parse_lspci_text(text, "mail")
    assert (d.vendor, d.device, d.revision, d.driver) == (0x1106, 0x3119, 0x11, "via-velocity")


def test_indented_vmm_paste():
    text = ("\n  Slot:\t00:0a.0\n  Class:\tEthernet controller [0200]\n  Vendor:\tVIA Technologies, Inc. [1106]\n"
            "  Device:\tVT6120/VT6121/VT6122 Gigabit Ethernet Adapter [3119]\n  Rev:\t11\n  Driver:\tvia-velocity\n")
    (d,) = parse_lspci_text(text, "forum")
    assert (d.slot, d.vendor, d.device, d.revision, d.driver, d.origin) == (
        "0000:00:0a.0", 0x1106, 0x3119, 0x11, "via-velocity", "forum:2")


def test_indented_output_after_a_prompt_at_the_margin():
    text = ("root@host:~# lspci -nnk -s 03:00.0\n"
            "    03:00.0 Ethernet controller [0200]: Intel Corporation 82576 Gigabit Network Connection [8086:10c9] (rev 01)\n"
            "    \tKernel driver in use: igb\n    \tKernel modules: igb\nroot@host:~#\n")
    (d,) = parse_lspci_text(text, "log")
    assert (d.slot, d.vendor, d.device, d.revision, d.driver, d.modules, d.origin) == (
        "0000:03:00.0", 0x8086, 0x10C9, 0x01, "igb", ["igb"], "log:2")


def test_line_numbers_survive_odd_characters():
    # \x0b and \x85 are line breaks to str.splitlines, never to lspci
    text = ("00:03.0 Ethernet controller [0200]: Odd\x0bName\x85Inc. Device [1af4:1041] (rev 01)\n"
            "\tKernel driver in use: virtio-pci\n"
            "00:04.0 Ethernet controller [0200]: Red Hat, Inc. Device [1af4:1041] (rev 1g)\n")
    with pytest.raises(InputError, match="^t line 3: revision '1g' is not a hex byte"):
        parse_lspci_text(text, "t")
    (d,) = parse_lspci_text(text.rsplit("\n", 2)[0] + "\n", "t")
    assert (d.device_name, d.driver) == ("Odd\x0bName\x85Inc. Device", "virtio-pci")


def test_prog_if_and_numeric_n():
    (d,) = parse_lspci_text("00:01.1 0101: 8086:7010 (prog-if 80 [Master])\n\tSubsystem: 5853:0001\n", "n")
    assert (d.vendor, d.device, d.class_code, d.revision) == (0x8086, 0x7010, 0x010180, 0)
    assert (d.subsystem_vendor, d.subsystem_device) == (0x5853, 0x0001)
    (d,) = parse_lspci_text("00:1f.0 PCI bridge [0604]: Intel Corporation Device [8086:244e] (rev c4) "
                            "(prog-if 01 [Subtractive decode])\n", "nn")
    assert (d.class_code, d.revision, d.device_name) == (0x060401, 0xC4, "Intel Corporation Device")


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("name,needle,line", [
    ("garbled-vmm-hexid.txt", "ID [11g6] is not hex", 1),
    ("garbled-vmm-noslot.txt", "record without a Slot line", 7),
    ("garbled-vmm-truncated.txt", "has no Vendor: or Device:", 7),
    ("garbled-header-rev.txt", "truncated revision", 2),
    ("garbled-header-id.txt", "[1106:31z9] is not hex", 1),
    ("garbled-mm-quote.txt", "unterminated quoted column", 2),
])
def test_garbled_records_name_file_and_line(shared_datadir, name, needle, line):
    with pytest.raises(InputError) as e:
        parse(shared_datadir, name)
    msg = str(e.value)
    assert msg.startswith(f"{name} line {line}: ") and needle in msg and "\n" not in msg


@pytest.mark.parametrize("text", [
    "00:00.0 Host bridge [0600]: VIA Technologies, Inc. Host Bridge [\x0b106:3189] (rev 80)\n",
    "Slot:\t00:03.0\nClass:\tEthernet controller [0200]\nVendor:\tRed Hat, Inc. [1\u2028f4]\nDevice:\tVirtio [1041]\n",
])
def test_errors_stay_one_line_whatever_the_characters(text):
    with pytest.raises(InputError) as e:
        parse_lspci_text(text, "t")
    assert str(e.value).startswith("t line 1: ") and len(str(e.value).splitlines()) == 1


@pytest.mark.parametrize("text", ["", "\n\n", "hello world\n", "$ lspci -nn\nbash: lspci: command not found\n",
                                  "Driver:\tigb\n", "0000:00:03.0\n0000:00:04.0\n"])
def test_no_devices(text):
    with pytest.raises(InputError, match=r"^t: no PCI devices found \(not lspci output\?\)$"):
        parse_lspci_text(text, "t")


def test_bad_rev_values():
    with pytest.raises(InputError, match="Rev 'zz' is not a hex byte"):
        parse_lspci_text("Slot:\t00:03.0\nVendor:\tRed Hat, Inc.\nDevice:\tVirtio\nRev:\tzz\n", "r")
    with pytest.raises(InputError, match=r"r line 1: revision '1g' is not a hex byte"):
        parse_lspci_text("00:03.0 Ethernet controller: Red Hat, Inc. Virtio (rev 1g)\n", "r")


# ---------------------------------------------------------------- fuzzing
LINES = st.sampled_from([
    "00:03.0 Ethernet controller [0200]: Red Hat, Inc. Virtio 1.0 network device [1af4:1041] (rev 01)",
    "10000:e1:00.0 0200: 8086:1533 (rev 03) (prog-if 00 [Normal decode])",
    '00:0a.0 "Ethernet controller [0200]" "VIA [1106]" "VT6122 [3119]" -r11 -p00 "" ""',
    "\tSubsystem: Intel Corporation Device [8086:a03c]", "\tKernel driver in use: igb", "\tKernel modules: a, b",
    "\tCapabilities: [a0] Express (v2) Endpoint, MSI 00", "\t\tLnkCap:\tPort #0, Speed 5GT/s, Width x4",
    "\t\tLnkSta:\tSpeed 2.5GT/s (downgraded), Width x4 (ok)", "00: 86 80 c9 10 06 04 10 00 01 00 00 02 10 00 80 00",
    "Slot:\t00:03.0", "Device:\t00:0a.0", "Class:\tEthernet controller [0200]", "Vendor:\tRed Hat, Inc. [1af4]",
    "Device:\tVirtio [1041]", "Rev:\t01", "ProgIf:\t00", "Module:\tigb", "", "$ lspci -vmm",
])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(LINES, LINES.map(lambda s: s[: len(s) // 2]), st.text(max_size=40)), max_size=30))
def test_fuzz_only_input_errors(lines):
    text = "\n".join(lines)
    try:
        devs = parse_lspci_text(text, "fuzz")
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert devs and all(d.slot and d.origin.startswith("fuzz:") for d in devs)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_any_text(text):
    try:
        parse_lspci_text(text, "fuzz")
    except InputError:
        pass


_PIECES = ["\n", "\r", "\r\n", "\x0c", "\x1c", "\u2028", " ", "\t", "Slot:\t", "Device:\t", "00:03.0 ",
           "0000:00:1f.6 ", "03:00.0", "Ethernet controller: x", "abc"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join))
def test_detection_reads_lines_as_splitlines_does(text):
    """looks_like_lspci scans "\\n"-split lines lazily: the same answer as over splitlines()."""
    from nicdb.inputs.lspci_text import _starts_record, looks_like_lspci

    want = any(t and _starts_record(t) for t in (line.strip() for line in text.splitlines()))
    assert looks_like_lspci(text) == want

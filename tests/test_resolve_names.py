"""Names to IDs for lspci output printed without -n, through the real knowledge base
(data/ and the system pci.ids) and through a minimal lookup object."""

from __future__ import annotations

import pytest

from nicdb.inputs.lspci_text import parse_lspci_text
from nicdb.inputs.resolve_names import resolve_ids
from nicdb.model import PciDevice


def parse(shared_datadir, name: str):
    return {d.slot: d for d in parse_lspci_text((shared_datadir / "lspci" / name).read_text(), name)}


def need(kb, vendor: str, vendor_id: int, device: str | None = None) -> None:
    """Skip when this pci.ids lacks a name the test relies on."""
    if vendor_id not in kb.vendor_ids(vendor):
        pytest.skip(f"pci.ids without vendor {vendor!r}")
    if device is not None and not kb.device_ids(vendor_id, device):
        pytest.skip(f"pci.ids without {vendor} {device!r}")


def test_plain_lspci_names(shared_datadir, kb):
    need(kb, "VIA Technologies, Inc.", 0x1106, "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")
    need(kb, "Realtek Semiconductor Co., Ltd.", 0x10EC, "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter")
    need(kb, "Intel Corporation", 0x8086, "82557/8/9/0/1 Ethernet Pro 100")
    need(kb, "Huawei Technologies Co., Ltd.", 0x19E5)
    devs = parse(shared_datadir, "nics-plain.txt")
    resolve_ids(list(devs.values()), kb)
    want = {"0000:00:0a.0": (0x1106, 0x3119, 0x11), "0000:00:0b.0": (0x10EC, 0x8139, 0x20),
            "0000:00:0e.0": (0x8086, 0x1229, 0x08), "0000:04:00.0": (0x19E5, 0x1103, 0x21),
            "0000:06:00.0": (0x1AF4, 0x1041, 0x01)}
    for slot, ids in want.items():
        d = devs[slot]
        assert (d.vendor, d.device, d.revision) == ids, (slot, d.notes)
        assert d.notes == [] and d.class_code == 0x020000
    via = devs["0000:00:0a.0"]
    assert (via.vendor_name, via.device_name) == ("VIA Technologies, Inc.", "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")
    assert devs["0000:00:00.0"].class_code == 0x060000


def test_ambiguous_device_name_keeps_id_unknown(shared_datadir, kb):
    need(kb, "Intel Corporation", 0x8086, "82576 Gigabit Network Connection")
    if len(kb.device_ids(0x8086, "82576 Gigabit Network Connection")) < 2:
        pytest.skip("this pci.ids names only one 82576 device")
    devs = parse(shared_datadir, "nics-plain.txt")
    resolve_ids(list(devs.values()), kb)
    for slot in ("0000:03:00.0", "0000:03:00.1"):
        d = devs[slot]
        assert (d.vendor, d.device) == (0x8086, None)  # the vendor is certain, the device is not
        assert d.device_name == "82576 Gigabit Network Connection"
        (note,) = d.notes
        assert "'82576 Gigabit Network Connection' matches several IDs" in note and "8086:10c9" in note


def test_unknown_vendor_gets_a_note(shared_datadir, kb):
    devs = parse(shared_datadir, "nics-plain.txt")
    resolve_ids(list(devs.values()), kb)
    d = devs["0000:05:00.0"]
    assert (d.vendor, d.device) == (None, None)
    (note,) = d.notes
    assert "'Acme Widgets Nonexistent NIC 9000'" in note and "left unknown" in note


def test_real_plain_and_vmm_of_this_machine(shared_datadir, kb):
    need(kb, "Red Hat, Inc.", 0x1AF4, "Virtio 1.0 network device")
    for name in ("virtio/lspci.txt", "virtio/lspci-k.txt", "virtio/lspci-vmm.txt", "virtio/lspci-mm.txt",
                 "virtio/lspci-vv.txt"):
        devs = parse(shared_datadir, name)
        resolve_ids(list(devs.values()), kb)
        nic = devs["0000:00:03.0"]
        # "Red Hat, Inc." names three vendor IDs in pci.ids; only 1af4 has this device
        assert (nic.vendor, nic.device, nic.class_code) == (0x1AF4, 0x1041, 0x020000), (name, nic.notes)
        assert (devs["0000:00:00.0"].vendor, devs["0000:00:00.0"].device) == (0x8086, 0x0D57)  # "Device 0d57"


def test_subsystem_device_xxxx_form(shared_datadir, kb):
    need(kb, "VIA Technologies, Inc.", 0x1106)
    for name, slot in (("nics-vk.txt", "0000:00:0a.0"), ("nics-mm.txt", "0000:00:0a.0"),
                       ("old-pciutils.txt", "0000:00:0f.0")):
        d = parse(shared_datadir, name)[slot]
        resolve_ids([d], kb)
        assert (d.vendor, d.device, d.subsystem_vendor, d.subsystem_device) == (0x1106, 0x3119, 0x1106, 0x0110), name


def test_old_pciutils_unknown_device(shared_datadir, kb):
    need(kb, "Intel Corporation", 0x8086)
    devs = parse(shared_datadir, "old-pciutils.txt")
    resolve_ids(list(devs.values()), kb)
    igb = devs["0000:02:00.0"]
    assert (igb.vendor, igb.device) == (0x8086, 0x10C9)  # "Intel Corporation Device 10c9"
    old = devs["0000:00:0e.0"]  # "Intel Corp." is the pre-2008 vendor name: not in today's pci.ids
    if kb.vendor_ids("Intel Corp."):
        pytest.skip("this pci.ids still has 'Intel Corp.'")
    assert (old.vendor, old.device) == (None, None)
    assert "no vendor in pci.ids is named 'Intel Corp.'" in old.notes[0]


def test_devices_with_ids_are_left_alone(kb):
    d = PciDevice("0000:00:03.0", 0x1AF4, 0x1041, class_code=0x020000, device_name="something else entirely")
    resolve_ids([d], kb)
    assert (d.vendor, d.device, d.notes) == (0x1AF4, 0x1041, [])


class FakeLookup:
    """Only the three methods of the protocol."""

    vendors = {"Acme": [0x1111, 0x2222], "Acme Networks": [0x3333], "Solo": [0x4444]}
    devices = {(0x1111, "NIC 1"): [0x0001], (0x2222, "NIC 1"): [0x0002], (0x3333, "NIC 1"): [0x0003],
               (0x4444, "Twin"): [0x0010, 0x0011]}
    classes = {"Ethernet controller": [0x020000], "Odd class": [0x0F0000, 0xFF0000]}

    def vendor_ids(self, name):
        return self.vendors.get(name, [])

    def device_ids(self, vendor, name):
        return self.devices.get((vendor, name), [])

    def class_codes(self, name):
        return self.classes.get(name, [])


def test_protocol_with_a_minimal_lookup():
    # a vendor name shared by two IDs, each with a device of that name: nothing is certain
    amb = PciDevice("0000:01:00.0", None, None, device_name="Acme NIC 1", class_name="Ethernet controller")
    # the longer vendor name is the only split that names a device
    longest = PciDevice("0000:01:00.2", None, None, device_name="Acme Networks NIC 1")
    split = PciDevice("0000:01:00.1", None, None, vendor_name="Acme Networks", device_name="NIC 1")
    twin = PciDevice("0000:02:00.0", None, None, vendor_name="Solo", device_name="Twin", class_name="Odd class")
    hexname = PciDevice("0000:03:00.0", None, None, device_name="Solo Unknown device beef")
    resolve_ids([amb, longest, split, twin, hexname], FakeLookup())
    assert (amb.vendor, amb.device, amb.class_code) == (None, None, 0x020000)
    (note,) = amb.notes
    assert "'Acme NIC 1' matches several IDs in pci.ids: 1111:0001, 2222:0002" in note
    assert (longest.vendor, longest.device, longest.vendor_name, longest.device_name) == (
        0x3333, 0x0003, "Acme Networks", "NIC 1")
    assert (split.vendor, split.device, split.notes) == (0x3333, 0x0003, [])
    assert (twin.vendor, twin.device, twin.class_code) == (0x4444, None, None)
    assert any("4444:0010, 4444:0011" in n for n in twin.notes)
    assert any("'Odd class' matches several class codes" in n and "0f0000" in n for n in twin.notes)
    assert (hexname.vendor, hexname.device, hexname.vendor_name) == (0x4444, 0xBEEF, "Solo")


def test_resolving_twice_adds_nothing():
    d = PciDevice("0000:02:00.0", None, None, vendor_name="Solo", device_name="Twin")
    resolve_ids([d], FakeLookup())
    notes = list(d.notes)
    resolve_ids([d], FakeLookup())
    assert d.notes == notes

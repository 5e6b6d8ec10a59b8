"""Names to IDs for lspci output printed without -n, through the real knowledge base
(data/ and the system pci.ids) and through a minimal lookup object."""

from __future__ import annotations

from typing import Iterable

import pytest

from nicdb.inputs.lspci_text import parse_lspci_text
from nicdb.inputs.resolve_names import resolve_ids
from nicdb.model import PciDevice


class PciIdsNameLookup:
    """A reference implementation of the lookup protocol over pci.ids records (:func:`nicdb.names.pciids.parse`), held
    in dicts -- the reference for the SQLite-backed lookup of the knowledge base, with
    the same answers: exact names, compared case-insensitively; sorted, distinct IDs.

    ``class_codes`` answers with subclass codes when the name is a subclass name (lspci
    prints the subclass: "Ethernet controller" is 020000; "Network controller", the
    name of both class 02 and subclass 80, is 028000), else with class codes."""

    __slots__ = ("_vendors", "_devices", "_subclasses", "_classes")

    def __init__(self, records: Iterable):
        vendors: dict[str, set[int]] = {}
        devices: dict[tuple[int, str], set[int]] = {}
        subclasses: dict[str, set[int]] = {}
        classes: dict[str, set[int]] = {}
        for r in records:
            kind, key, name = r.kind, r.key, r.name.strip().lower()
            if kind == "device":
                devices.setdefault((key[0], name), set()).add(key[1])
            elif kind == "vendor":
                vendors.setdefault(name, set()).add(key[0])
            elif kind == "subclass":
                subclasses.setdefault(name, set()).add(key[0])
            elif kind == "class":
                classes.setdefault(name, set()).add(key[0])
        self._vendors = {k: sorted(v) for k, v in vendors.items()}
        self._devices = {k: sorted(v) for k, v in devices.items()}
        self._subclasses = {k: sorted(v) for k, v in subclasses.items()}
        self._classes = {k: sorted(v) for k, v in classes.items()}

    def vendor_ids(self, name: str) -> list[int]:
        return list(self._vendors.get(name.strip().lower(), ()))

    def device_ids(self, vendor: int, name: str) -> list[int]:
        return list(self._devices.get((vendor, name.strip().lower()), ()))

    def class_codes(self, name: str) -> list[int]:
        key = name.strip().lower()
        return list(self._subclasses.get(key) or self._classes.get(key, ()))


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
    old = devs["0000:00:0e.0"]  # "Intel Corp.": 8086's name in pciutils' own pci.ids until 2005
    assert (old.vendor, old.device, old.revision) == (0x8086, 0x1229, 0x08)
    if not kb.vendor_ids("Intel Corp."):
        assert "another pci.ids version gives it to 8086" in old.notes[0]


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


# ---------------------------------------------------------------- PciIdsNameLookup (pci.ids in dicts)
@pytest.fixture
def excerpt(shared_datadir):
    from nicdb.names import pciids

    text = (shared_datadir / "lspci" / "pci-ids-excerpt.ids").read_text()
    return PciIdsNameLookup(pciids.parse(text, "pci-ids-excerpt.ids"))


def test_pci_ids_lookup_answers(excerpt):
    assert excerpt.vendor_ids("Red Hat, Inc.") == [0x1AF4, 0x1B36, 0x6900]
    assert excerpt.vendor_ids("  intel CORPORATION ") == [0x8086]  # exact name, any case
    assert excerpt.vendor_ids("Intel") == [] and excerpt.vendor_ids("Intel Corp.") == []
    assert excerpt.device_ids(0x8086, "82576 Gigabit Network Connection") == [0x10C9, 0x10E6]
    assert excerpt.device_ids(0x1AF4, "Virtio 1.0 network device") == [0x1041]
    assert excerpt.device_ids(0x1B36, "Virtio 1.0 network device") == []
    assert excerpt.device_ids(0x8086, "Gigabit ET Dual Port Server Adapter") == []  # a subsystem name
    assert excerpt.class_codes("Ethernet controller") == [0x020000]
    # the name of class 02 and of subclass 0280: lspci prints the subclass
    assert excerpt.class_codes("Network controller") == [0x028000]
    assert excerpt.class_codes("Bridge") == [0x068000]
    assert excerpt.class_codes("Unassigned class") == [0xFF0000]  # a class without subclasses
    assert excerpt.class_codes("Flux capacitor") == []


def test_plain_lspci_through_pci_ids_lookup(shared_datadir, excerpt):
    devs = parse(shared_datadir, "nics-plain.txt")
    resolve_ids(list(devs.values()), excerpt)
    want = {"0000:00:00.0": (0x8086, 0x7190, 0x060000), "0000:00:07.0": (0x8086, 0x7110, 0x060100),
            "0000:00:0a.0": (0x1106, 0x3119, 0x020000), "0000:00:0b.0": (0x10EC, 0x8139, 0x020000),
            "0000:00:0e.0": (0x8086, 0x1229, 0x020000), "0000:04:00.0": (0x19E5, 0x1103, 0x020000),
            "0000:06:00.0": (0x1AF4, 0x1041, 0x020000)}
    for slot, ids in want.items():
        d = devs[slot]
        assert (d.vendor, d.device, d.class_code) == ids, (slot, d.notes)
        assert d.notes == []
    # "Device 1103" is lspci's text for a device pci.ids does not name: the ID is in it
    assert (devs["0000:04:00.0"].vendor_name, devs["0000:04:00.0"].device_name) == (
        "Huawei Technologies Co., Ltd.", "Device 1103")
    for slot in ("0000:03:00.0", "0000:03:00.1"):  # two IDs carry this name
        d = devs[slot]
        assert (d.vendor, d.device, d.revision) == (0x8086, None, 0x01)
        (note,) = d.notes
        assert note == ("device name '82576 Gigabit Network Connection' matches several IDs in pci.ids: "
                        "8086:10c9, 8086:10e6; device ID left unknown (lspci -nn prints it)")
    acme = devs["0000:05:00.0"]
    assert (acme.vendor, acme.device) == (None, None)
    assert acme.notes == ["'Acme Widgets Nonexistent NIC 9000' starts with no vendor name pci.ids knows; "
                          "vendor and device IDs left unknown (lspci -nn prints them)"]


def test_real_k_and_vmm_through_pci_ids_lookup(shared_datadir, excerpt):
    for name in ("virtio/lspci-k.txt", "virtio/lspci-vmm.txt", "virtio/lspci-mm.txt", "virtio/lspci-v.txt"):
        devs = parse(shared_datadir, name)
        resolve_ids(list(devs.values()), excerpt)
        nic = devs["0000:00:03.0"]
        # three vendor IDs are named "Red Hat, Inc."; only 1af4 has this device name
        assert (nic.vendor, nic.device, nic.class_code, nic.notes) == (0x1AF4, 0x1041, 0x020000, []), name
        assert (nic.vendor_name, nic.device_name) == ("Red Hat, Inc.", "Virtio 1.0 network device")
        host = devs["0000:00:00.0"]  # "Intel Corporation Device 0d57"; "Host bridge" is known
        assert (host.vendor, host.device, host.class_code) == (0x8086, 0x0D57, 0x060000), name
        balloon = devs["0000:00:01.0"]  # a device name the excerpt lacks
        assert balloon.vendor is None and balloon.device is None
        assert any("Virtio 1.0 memory balloon" in n and "1af4" in n for n in balloon.notes), balloon.notes


def test_old_pciutils_through_pci_ids_lookup(shared_datadir, excerpt):
    devs = parse(shared_datadir, "old-pciutils.txt")
    resolve_ids(list(devs.values()), excerpt)
    via = devs["0000:00:0f.0"]  # "VIA Technologies, Inc.: Unknown device 3119"
    assert (via.vendor, via.device, via.subsystem_vendor, via.subsystem_device) == (0x1106, 0x3119, 0x1106, 0x0110)
    igb = devs["0000:02:00.0"]  # "Intel Corporation Device 10c9", "Subsystem: Intel Corporation Device a03c"
    assert (igb.vendor, igb.device, igb.subsystem_vendor, igb.subsystem_device) == (0x8086, 0x10C9, 0x8086, 0xA03C)
    old = devs["0000:00:0e.0"]  # "Intel Corp." was renamed long ago
    assert (old.vendor, old.device) == (None, None)
    assert old.notes[0].startswith("no vendor in pci.ids is named 'Intel Corp.'")


def test_pci_ids_lookup_agrees_with_the_knowledge_base(kb):
    """The in-memory reference and the SQLite lookup answer alike on the system pci.ids."""
    from nicdb.kb.paths import pci_ids_file
    from nicdb.names import pciids

    path = pci_ids_file()
    if path is None:
        pytest.skip("no system pci.ids")
    records = list(pciids.parse(pciids.open_text(path)))
    lk = PciIdsNameLookup(records)
    vendors = [r for r in records if r.kind == "vendor"][::97]
    devices = [r for r in records if r.kind == "device"][::211]
    classes = [r for r in records if r.kind in ("class", "subclass")]
    for r in vendors:
        assert lk.vendor_ids(r.name) == kb.vendor_ids(r.name), r
    for r in devices:
        assert lk.device_ids(r.key[0], r.name) == kb.device_ids(r.key[0], r.name), r
    for r in classes:
        assert lk.class_codes(r.name) == kb.class_codes(r.name), r


# ---------------------------------------------------------------- names from other pci.ids versions

OLD_PLAIN = """\
06:08.0 Ethernet controller: Intel Corp. 82546EB Gigabit Ethernet Controller (Copper) (rev 01)
06:08.1 Ethernet controller: Intel Corp. 82546EB Gigabit Ethernet Controller (Copper) (rev 01)
00:0a.0 Ethernet controller: VIA Technologies VT6120/VT6121/VT6122 Gigabit Ethernet Adapter (rev 11)
"""


def test_vendor_names_of_older_pci_ids_versions(kb):
    need(kb, "Intel Corporation", 0x8086, "82546EB Gigabit Ethernet Controller (Copper)")
    need(kb, "VIA Technologies, Inc.", 0x1106, "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")
    assert kb.vendor_ids("Intel Corp.") == []  # not today's name ...
    assert kb.other_vendor_ids("Intel Corp.") == [0x8086]  # ... but pciutils' pci.ids until 2005
    devs = {d.slot: d for d in parse_lspci_text(OLD_PLAIN, "old.txt")}
    resolve_ids(list(devs.values()), kb)
    intel, via = devs["0000:06:08.0"], devs["0000:00:0a.0"]
    assert (intel.vendor, intel.device, intel.revision) == (0x8086, 0x1010, 0x01)
    assert intel.vendor_name == "Intel Corp." and intel.device_name == "82546EB Gigabit Ethernet Controller (Copper)"
    assert intel.notes == ["vendor name 'Intel Corp.' is not in the installed pci.ids; another pci.ids version "
                           "gives it to 8086 (data/names/vendor-names-history.toml)"]
    assert (via.vendor, via.device) == (0x1106, 0x3119)


def test_todays_names_win_over_other_versions(kb):
    need(kb, "Intel Corporation", 0x8086, "82546EB Gigabit Ethernet Controller (Copper)")
    # "Intel" alone was 8086's name in 1997; "Intel Corporation" is today's: no history involved
    d = PciDevice("0000:06:08.0", None, None,
                  device_name="Intel Corporation 82546EB Gigabit Ethernet Controller (Copper)")
    resolve_ids([d], kb)
    assert (d.vendor, d.device, d.vendor_name, d.notes) == (0x8086, 0x1010, "Intel Corporation", [])


def test_a_lookup_without_other_names_is_still_a_lookup():
    d = PciDevice("0000:01:00.0", None, None, device_name="Zeta Corp. NIC 1")
    resolve_ids([d], FakeLookup())  # FakeLookup has no other_vendor_ids: nothing to fall back to
    assert d.vendor is None and "starts with no vendor name pci.ids knows" in d.notes[0]


NEWER_PLAIN = """\
03:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8126 5GbE Controller (rev 01)
04:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8111/8168/8211/8411 PCI Express Gigabit Ethernet Controller (rev 15)
05:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL8111/8168B PCI Express Gigabit Ethernet controller (rev 01)
06:00.0 Ethernet controller: Realtek Semiconductor Co., Ltd. RTL9999 Imaginary Controller (rev 01)
"""


def test_device_names_of_other_pci_ids_versions(kb):
    """Plain lspci printed with a newer pci.ids (2024-) or an older one (2006-2012) than the
    installed: the device name maps through data/names/device-names-history.toml, and says so."""
    need(kb, "Realtek Semiconductor Co., Ltd.", 0x10EC)
    if kb.device_ids(0x10EC, "RTL8126 5GbE Controller"):
        pytest.skip("this pci.ids already names RTL8126 5GbE Controller")
    devs = {d.slot: d for d in parse_lspci_text(NEWER_PLAIN, "newer.txt")}
    resolve_ids(list(devs.values()), kb)
    got = {s: (d.vendor, d.device, d.revision) for s, d in devs.items()}
    assert got == {"0000:03:00.0": (0x10EC, 0x8126, 0x01), "0000:04:00.0": (0x10EC, 0x8168, 0x15),
                   "0000:05:00.0": (0x10EC, 0x8168, 0x01), "0000:06:00.0": (0x10EC, None, 0x01)}
    assert devs["0000:03:00.0"].notes == [
        "device name 'RTL8126 5GbE Controller' is not in the installed pci.ids; another pci.ids version gives it "
        "to 10ec:8126 (data/names/device-names-history.toml)"]
    assert devs["0000:06:00.0"].notes == [
        "device name 'RTL9999 Imaginary Controller' is not in pci.ids for vendor 10ec; device ID left unknown "
        "(lspci -nn prints it)"]


def test_todays_device_name_wins_over_history(kb):
    need(kb, "VIA Technologies, Inc.", 0x1106, "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")
    d = PciDevice("0000:00:0a.0", None, None,
                  device_name="VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")
    resolve_ids([d], kb)
    assert (d.vendor, d.device, d.notes) == (0x1106, 0x3119, [])


def test_a_device_name_of_several_ids_in_history_stays_unknown_and_says_where(kb):
    """Since 2023 pci.ids names both of AMD's XGMAC ports (1022:1458, 1022:1459) alike."""
    need(kb, "Advanced Micro Devices, Inc. [AMD]", 0x1022)
    if kb.other_device_ids(0x1022, "XGMAC 10GbE Controller") != [0x1458, 0x1459] or \
            kb.device_ids(0x1022, "XGMAC 10GbE Controller"):
        pytest.skip("history or pci.ids differs")
    d = PciDevice("0000:00:07.0", None, None, vendor_name="Advanced Micro Devices, Inc. [AMD]",
                  device_name="XGMAC 10GbE Controller")
    resolve_ids([d], kb)
    assert d.vendor == 0x1022 and d.device is None
    assert d.notes == ["device name 'XGMAC 10GbE Controller' matches several IDs in other pci.ids versions "
                       "(data/names/device-names-history.toml): 1022:1458, 1022:1459; "
                       "device ID left unknown (lspci -nn prints it)"]

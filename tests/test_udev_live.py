"""The real pyudev path against this machine's /sys (a VM with a virtio NIC)."""

import ctypes.util
import os

import pytest

from nicdb.inputs import udev
from nicdb.inputs.sysfs import read_tree

pytestmark = pytest.mark.skipif(not os.path.isdir("/sys/bus/pci/devices"), reason="no PCI sysfs here")


def test_live_enumeration_matches_sysfs():
    live = udev.live_devices()
    direct = read_tree("/sys")
    assert [d.slot for d in live] == [d.slot for d in direct]
    for a, b in zip(live, direct):
        assert (a.vendor, a.device, a.revision, a.class_code, a.driver) == (b.vendor, b.device, b.revision,
                                                                            b.class_code, b.driver)
        assert [i.name for i in a.interfaces] == [i.name for i in b.interfaces]


def test_every_interface_with_a_pci_parent_is_found():
    # each /sys/class/net entry whose device path runs through a PCI function must be attached
    expected = set()
    for name in os.listdir("/sys/class/net"):
        real = os.path.realpath(f"/sys/class/net/{name}")
        if "/pci" in real:
            expected.add(name)
    found = {i.name for d in udev.live_devices() for i in d.interfaces}
    assert found == expected


def test_virtio_nic_on_this_machine():
    nics = [d for d in udev.live_devices() if d.is_nic]
    if not any(d.vendor == 0x1AF4 for d in nics):
        pytest.skip("this machine has no virtio NIC")
    (nic,) = [d for d in nics if d.vendor == 0x1AF4 and d.device == 0x1041]
    assert nic.revision == 0x01 and nic.class_code == 0x020000
    assert nic.driver == "virtio-pci"
    assert any(i.driver == "virtio_net" for i in nic.interfaces)


def test_nics_only_reads_exactly_the_candidates_in_full(kb):
    from nicdb.model import may_be_nic
    from nicdb.report import select_nics

    every = udev.live_devices()
    maybe = udev.live_devices(nics_only=True)
    assert maybe, "this machine has a NIC"
    candidates = [d for d in maybe if may_be_nic(d)]
    assert [d.to_dict() for d in candidates] == [d.to_dict() for d in every if may_be_nic(d)]
    # besides the candidates, only what a conventional-PCI candidate's bus verdict needs:
    # the bridges above it (read in full), or on a root bus the host and ISA/LPC bridges
    # (their IDs and class); virtio needs none
    context = [d for d in maybe if not may_be_nic(d)]
    conventional = [d for d in candidates if not d.is_pcie and d.vendor != 0x1AF4]
    for d in context:
        full = next(e for e in every if e.slot == d.slot)
        if any(d.slot in c.upstream for c in conventional):
            assert d.to_dict() == full.to_dict()
        else:
            assert d.class_code >> 8 in (0x0600, 0x0601), d.slot
            assert any(not c.upstream and c.slot[:7] == d.slot[:7] for c in conventional), d.slot
            assert (d.vendor, d.device, d.class_code) == (full.vendor, full.device, full.class_code)
    assert len(every) > len(maybe)  # the other functions are left out
    # of the candidates, the NICs: the virtio NIC, not virtio's other functions (a balloon
    # or console of class ff00 is bound by virtio-pci too, a transport that makes no NIC)
    nics = select_nics(maybe, kb)
    assert nics == [d for d in every if d.is_nic] and all(d.interfaces for d in nics)


def test_libudev_is_found_without_ldconfig():
    # libudev by its soname; any other library still goes through ctypes' own search
    assert udev._find_library("udev") == "libudev.so.1"
    assert udev._find_library("c") == ctypes.util.find_library("c")

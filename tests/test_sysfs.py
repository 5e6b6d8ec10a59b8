"""The sysfs access method on sysfs-shaped fixture trees (tests/data/sysfs/*)."""

import os

import pytest

from nicdb.errors import InputError
from nicdb.inputs.sysfs import read_tree


def nics(tree):
    return [d for d in read_tree(tree) if d.is_nic]


def test_vt6122_board(shared_datadir):
    devs = read_tree(shared_datadir / "sysfs" / "vt6122-board")
    assert len(devs) == 4
    (nic,) = [d for d in devs if d.is_nic]
    assert (nic.slot, nic.vendor, nic.device, nic.revision) == ("0000:00:0a.0", 0x1106, 0x3119, 0x11)
    assert (nic.subsystem_vendor, nic.subsystem_device, nic.class_code) == (0x1106, 0x0110, 0x020000)
    assert nic.driver == "via-velocity"
    assert nic.link is None and nic.is_pcie is None  # conventional PCI: no link files
    assert [(i.name, i.driver, i.mtu, i.speed_mbps) for i in nic.interfaces] == [("eth0", "via-velocity", 1500, 1000)]


def test_vt6130_pcie_link(shared_datadir):
    (nic,) = nics(shared_datadir / "sysfs" / "vt6130-pcie")
    assert nic.revision == 0x82 and nic.is_pcie
    assert (nic.link.speed_gts, nic.link.width, nic.link.max_speed_gts, nic.link.max_width) == (2.5, 1, 2.5, 1)


def test_virtio_netdev_below_intermediate_device(shared_datadir):
    (nic,) = nics(shared_datadir / "sysfs" / "virtio")
    assert nic.slot == "0000:00:03.0" and nic.driver == "virtio-pci"
    (iface,) = nic.interfaces
    assert (iface.name, iface.driver, iface.mtu, iface.speed_mbps) == ("eth0", "virtio_net", 1400, None)


def test_multiport_card(shared_datadir):
    ports = nics(shared_datadir / "sysfs" / "multiport")
    assert [p.slot for p in ports] == ["0000:03:00.0", "0000:03:00.1"]
    assert [p.interfaces[0].name for p in ports] == ["enp3s0f0", "enp3s0f1"]
    assert all(p.link.speed_gts == 2.5 and p.link.max_speed_gts == 5.0 for p in ports)


def test_live_sys_tree_reads_symlinked_drivers():
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no /sys/bus/pci on this machine")
    devs = read_tree("/sys")
    assert devs, "a machine with /sys/bus/pci has PCI devices"
    bound = [d for d in devs if d.driver]
    assert all("/" not in d.driver for d in bound)


def test_garbage_vendor_is_one_line_error(shared_datadir):
    tree = shared_datadir / "sysfs" / "vt6122-board"
    (tree / "bus/pci/devices/0000:00:0a.0/vendor").write_bytes(b"\xff\xfegarbage")
    with pytest.raises(InputError, match=r"0000:00:0a.0/vendor: .* is not a hex number"):
        read_tree(tree)


def test_truncated_tree_names_the_device(shared_datadir):
    tree = shared_datadir / "sysfs" / "vt6122-board"
    os.unlink(tree / "bus/pci/devices/0000:00:0a.0/device")
    with pytest.raises(InputError, match="0000:00:0a.0: missing vendor or device"):
        read_tree(tree)


def test_not_a_sysfs_tree(tmp_path):
    with pytest.raises(InputError, match="not a sysfs tree"):
        read_tree(tmp_path)


def test_garbage_optional_attribute_is_tolerated(shared_datadir):
    tree = shared_datadir / "sysfs" / "vt6130-pcie"
    (tree / "bus/pci/devices/0000:02:00.0/current_link_width").write_text("wide\n")
    (nic,) = nics(tree)
    assert nic.link.width is None and nic.link.speed_gts == 2.5

"""The live access method: enumerate PCI functions and network interfaces with pyudev.

A NIC is a PCI function of class 0x02xx, or any PCI function with a network interface
below it: the netdev's parents are walked up to the nearest PCI device, because on
virtio (and some other buses) the netdev hangs under an intermediate device
(``0000:00:03.0/virtio2/net/eth0``), not under the PCI function itself.
"""

from __future__ import annotations

import pyudev

from nicdb.errors import InputError
from nicdb.inputs.sysfs_attrs import hex_attr, link_speed, small_int, text_attr
from nicdb.model import NetInterface, PciDevice, PciLink


def _attr(dev: pyudev.Device, name: str) -> bytes | None:
    try:
        return dev.attributes.get(name)
    except (OSError, UnicodeDecodeError):
        return None


def _pci_parent(dev: pyudev.Device) -> pyudev.Device | None:
    p = dev.parent
    while p is not None and p.subsystem != "pci":
        p = p.parent
    return p


def _interface(net: pyudev.Device) -> NetInterface:
    owner = net.parent  # the device the netdev belongs to (PCI function or virtioN)
    return NetInterface(
        name=net.sys_name,
        driver=owner.driver if owner is not None else None,
        mac=text_attr(_attr(net, "address")),
        mtu=small_int(_attr(net, "mtu")),
        speed_mbps=small_int(_attr(net, "speed")),
        operstate=text_attr(_attr(net, "operstate")),
        tx_queue_len=small_int(_attr(net, "tx_queue_len")),
    )


def _device(dev: pyudev.Device) -> PciDevice:
    where = dev.sys_path
    vendor = hex_attr(_attr(dev, "vendor"), "vendor", where)
    device = hex_attr(_attr(dev, "device"), "device", where)
    out = PciDevice(
        slot=dev.sys_name,
        vendor=vendor,
        device=device,
        subsystem_vendor=hex_attr(_attr(dev, "subsystem_vendor"), "subsystem_vendor", where),
        subsystem_device=hex_attr(_attr(dev, "subsystem_device"), "subsystem_device", where),
        revision=hex_attr(_attr(dev, "revision"), "revision", where, bits=8),
        class_code=hex_attr(_attr(dev, "class"), "class", where, bits=24),
        driver=dev.driver,
        origin="udev",
    )
    # hwdb names, when udevd has run (the third link of the name chain).
    props = dev.properties
    out.vendor_name = props.get("ID_VENDOR_FROM_DATABASE")
    out.device_name = props.get("ID_MODEL_FROM_DATABASE")
    cur_raw, max_raw = _attr(dev, "current_link_speed"), _attr(dev, "max_link_speed")
    if cur_raw is not None or max_raw is not None:
        out.is_pcie = True
        out.link = PciLink(link_speed(cur_raw), small_int(_attr(dev, "current_link_width")),
                           link_speed(max_raw), small_int(_attr(dev, "max_link_width")))
    return out


def live_devices(context: pyudev.Context | None = None) -> list[PciDevice]:
    """Every PCI function of the running system, with its network interfaces attached."""
    try:
        ctx = context or pyudev.Context()
        pci = list(ctx.list_devices(subsystem="pci"))
        nets = list(ctx.list_devices(subsystem="net"))
    except (OSError, ImportError) as e:
        raise InputError(f"cannot enumerate devices with udev: {e}") from None
    by_path = {d.sys_path: _device(d) for d in pci}
    for net in nets:
        parent = _pci_parent(net)
        if parent is not None and parent.sys_path in by_path:
            by_path[parent.sys_path].interfaces.append(_interface(net))
    return sorted(by_path.values(), key=lambda d: d.slot)

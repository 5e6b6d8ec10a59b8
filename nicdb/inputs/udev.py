"""The live access method: enumerate PCI functions and network interfaces with pyudev.

A NIC is a PCI function of class 0x02xx, or any PCI function with a network interface
below it: the netdev's parents are walked up to the nearest PCI device, because on
virtio (and some other buses) the netdev hangs under an intermediate device
(``0000:00:03.0/virtio2/net/eth0``), not under the PCI function itself.
"""

from __future__ import annotations

import os

import pyudev
import pyudev._ctypeslib.utils as _pyudev_loader

from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source
from nicdb.inputs.sysfs_attrs import hex_attr, link_speed, read_attr, small_int, text_attr
from nicdb.model import NetInterface, PciDevice, PciLink, may_hide_nic


# pyudev finds libudev with ctypes.util.find_library, which on Linux runs ``ldconfig -p`` in
# a subprocess: a few milliseconds on every run of a one-shot command. libudev's soname has
# been libudev.so.1 since systemd 183 (2012), so try that name with the dynamic loader
# first and fall back to pyudev's own search when it is not there.
_LIBUDEV_SONAME = "libudev.so.1"


def _find_library(name: str, _search=_pyudev_loader.find_library) -> str | None:
    if name == "udev":
        import ctypes

        try:
            ctypes.CDLL(_LIBUDEV_SONAME)
            return _LIBUDEV_SONAME
        except OSError:
            pass
    return _search(name)


if getattr(_pyudev_loader, "find_library", None) is not None:
    _pyudev_loader.find_library = _find_library


def _attr(dev: pyudev.Device, name: str, size: int = 4096) -> bytes | None:
    """A sysfs attribute of ``dev``, read from its file directly: pyudev's attribute access
    (libudev through ctypes) costs several times a plain read, on every attribute of every
    function."""
    return read_attr(f"{dev.sys_path}/{name}", size)


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


def _upstream(dev: pyudev.Device) -> list[str]:
    """The PCI bridges above ``dev``, nearest last."""
    out = []
    p = dev.parent
    while p is not None:
        if p.subsystem == "pci":
            out.append(p.sys_name)
        p = p.parent
    return out[::-1]


# Paravirtual NICs (virtio) sit on no physical bus: their bus verdict needs no bridges
_VIRTUAL_VENDORS = frozenset((0x1AF4,))


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
        upstream=_upstream(dev),
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
    elif vendor not in _VIRTUAL_VENDORS:  # conventional PCI: the 66 MHz and PCI-X bits, a bridge's secondary bus
        from nicdb.inputs.configspace import bus_bits

        # the standard header only: each config-space read goes to the device (or the
        # hypervisor), and the extended space holds nothing the bus verdict reads
        bus_bits(_attr(dev, "config", 256), out)
    return out


def _class_of(dev: pyudev.Device) -> int | None:
    try:
        return hex_attr(_attr(dev, "class"), "class", dev.sys_path, bits=24)
    except InputError:
        return None


def _chipset_function(dev: pyudev.Device, code: int) -> PciDevice:
    """What a bus verdict needs of a host or ISA/LPC bridge: its IDs and class."""
    where = dev.sys_path
    return PciDevice(dev.sys_name, hex_attr(_attr(dev, "vendor"), "vendor", where),
                     hex_attr(_attr(dev, "device"), "device", where), class_code=code, origin="udev")


def _bus_context(pci: list, by_path: dict) -> None:
    """For each conventional-PCI function read, also read what its bus verdict needs and
    ``nics_only`` left out: the bridges above it and, on a root bus, the host and ISA/LPC
    bridges that identify the chipset (PCIe NICs and virtio need none of this)."""
    roots: set[str] = set()
    for d in list(by_path.values()):
        if d.is_pcie or d.vendor in _VIRTUAL_VENDORS:
            continue
        if d.upstream:
            for p in pci:
                if p.sys_name in d.upstream and p.sys_path not in by_path:
                    by_path[p.sys_path] = _device(p)
        else:
            roots.add(d.slot.rsplit(":", 1)[0] + ":")
    if roots:
        for p in pci:
            if p.sys_path not in by_path and any(p.sys_name.startswith(r) for r in roots):
                code = _class_of(p)
                if code is not None and code >> 8 in (0x0600, 0x0601):
                    by_path[p.sys_path] = _chipset_function(p, code)


def _may_be_nic(dev: pyudev.Device) -> bool:
    try:
        code = hex_attr(_attr(dev, "class"), "class", dev.sys_path, bits=24)
    except InputError:
        return True  # garbage: read it fully, so the one-line error names the file
    return may_hide_nic(code)


def live_devices(context: pyudev.Context | None = None, nics_only: bool = False) -> list[PciDevice]:
    """Every PCI function of the running system, with its network interfaces attached.

    With ``nics_only``, only the functions that may be NICs (a network interface below
    them, or a class that may hide one: :func:`nicdb.model.may_hide_nic`) are read in full
    and returned: a server with a hundred PCI functions and two NICs costs a few devices'
    worth of attribute reads, not a hundred.
    """
    try:
        ctx = context or pyudev.Context()
        pci = list(ctx.list_devices(subsystem="pci"))
        nets = [(net, _pci_parent(net)) for net in ctx.list_devices(subsystem="net")]
    except (OSError, ImportError) as e:
        raise InputError(f"cannot enumerate devices with udev: {e}") from None
    if nics_only:
        owners = {parent.sys_path for _, parent in nets if parent is not None}
        every = pci
        pci = [d for d in pci if d.sys_path in owners or _may_be_nic(d)]
    by_path = {d.sys_path: _device(d) for d in pci}
    if nics_only:
        _bus_context(every, by_path)
    for net, parent in nets:
        if parent is not None and parent.sys_path in by_path:
            by_path[parent.sys_path].interfaces.append(_interface(net))
    return sorted(by_path.values(), key=lambda d: d.slot)


NAME = "udev"
SHAPE = "live"


def detect(src: Source) -> bool:
    return src.live


def read(src: Source, nics_only: bool = False) -> Reading:
    uname = os.uname()
    return Reading(live_devices(nics_only=nics_only), src.label, live=True, kernel=uname.release,
                   host=uname.nodename, method=NAME)

"""The sysfs access method: read PCI functions and their network interfaces from a
sysfs-shaped directory -- the live ``/sys``, a test fixture, or an unpacked snapshot.

Layout read (as in the kernel's sysfs):

    ROOT/bus/pci/devices/<slot>/{vendor,device,subsystem_vendor,subsystem_device,
                                 revision,class,driver,current_link_speed,...}
    ROOT/bus/pci/devices/<slot>/net/<iface>/{address,mtu,speed,operstate,tx_queue_len}
    ROOT/bus/pci/devices/<slot>/<child>/net/<iface>/...     (virtio: <slot>/virtioN/net/eth0)

``driver`` entries are symlinks in a live /sys (the driver is the link's last
component) and plain files holding the name in a nicdb snapshot; both are read.
"""

from __future__ import annotations

import os
import re

from nicdb.errors import InputError
from nicdb.inputs.configspace import bus_bits
from nicdb.inputs.source import Reading, Source
from nicdb.inputs.sysfs_attrs import hex_attr, link_speed, read_attr, small_int, text_attr
from nicdb.model import NetInterface, PciDevice, PciLink

SLOT_RE = re.compile(r"[0-9a-fA-F]{4,8}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\Z")

# The attributes nicdb reads: also the list a snapshot copies.
PCI_ATTRS = ("vendor", "device", "subsystem_vendor", "subsystem_device", "revision", "class",
             "current_link_speed", "current_link_width", "max_link_speed", "max_link_width", "modalias")
# Read as bytes, and kept in snapshots: config space (for conventional PCI's 66 MHz and
# PCI-X bits, and a bridge's secondary bus).
BINARY_ATTRS = ("config",)
# nicdb snapshots only: the bridges above the function, nearest last, one slot a line
# (in a live /sys that is the path the function's link points to)
UPSTREAM_FILE = "nicdb_upstream"
NET_ATTRS = ("address", "mtu", "speed", "operstate", "tx_queue_len")


def _read(path: str) -> str | None:
    # O_NONBLOCK: a FIFO (or a link to a terminal) in a hostile tree must not hang the read.
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def _listdir(path: str) -> list[str]:
    try:
        return sorted(os.listdir(path))
    except OSError:  # not a folder, a symlink loop, unreadable
        return []


def _driver(path: str) -> str | None:
    """The driver bound at ``path`` (a symlink in /sys, a file in snapshots)."""
    if os.path.islink(path):
        return os.path.basename(os.readlink(path)) or None
    if os.path.isfile(path):
        name = text_attr(_read(path))
        return name if name and "/" not in name else None
    return None


def net_dirs(func_dir: str) -> list[str]:
    """Network interface directories below one PCI function (not below child functions)."""
    out = []
    try:
        entries = os.listdir(func_dir)
    except OSError:
        return out
    for e in sorted(entries):
        if e == "net":
            for iface in _listdir(os.path.join(func_dir, "net")):
                out.append(os.path.join(func_dir, "net", iface))
        elif not SLOT_RE.match(e) and e not in ("driver", "subsystem", "firmware_node", "iommu_group",
                                                 "iommu", "physfn", "power", "msi_irqs", "link"):
            sub = os.path.join(func_dir, e, "net")
            if os.path.isdir(sub) and not os.path.islink(os.path.join(func_dir, e)):
                for iface in _listdir(sub):
                    out.append(os.path.join(sub, iface))
    return out


def read_interface(path: str) -> NetInterface:
    return NetInterface(
        name=os.path.basename(path),
        driver=_driver(os.path.join(path, "device", "driver")) or _driver(os.path.join(path, "driver")),
        mac=text_attr(_read(os.path.join(path, "address"))),
        mtu=small_int(_read(os.path.join(path, "mtu"))),
        speed_mbps=small_int(_read(os.path.join(path, "speed"))),
        operstate=text_attr(_read(os.path.join(path, "operstate"))),
        tx_queue_len=small_int(_read(os.path.join(path, "tx_queue_len"))),
    )


def read_function(func_dir: str, slot: str, origin: str) -> PciDevice:
    """Read one PCI function directory into a PciDevice."""
    where = f"{origin}/bus/pci/devices/{slot}"
    a = {name: _read(os.path.join(func_dir, name)) for name in PCI_ATTRS}
    if a["vendor"] is None or a["device"] is None:
        raise InputError(f"{where}: missing vendor or device file (truncated sysfs tree?)")
    dev = PciDevice(
        slot=slot,
        vendor=hex_attr(a["vendor"], "vendor", where),
        device=hex_attr(a["device"], "device", where),
        subsystem_vendor=hex_attr(a["subsystem_vendor"], "subsystem_vendor", where),
        subsystem_device=hex_attr(a["subsystem_device"], "subsystem_device", where),
        revision=hex_attr(a["revision"], "revision", where, bits=8),
        class_code=hex_attr(a["class"], "class", where, bits=24),
        driver=_driver(os.path.join(func_dir, "driver")),
        origin=origin,
    )
    cur, mx = link_speed(a["current_link_speed"]), link_speed(a["max_link_speed"])
    if a["current_link_speed"] is not None or a["max_link_speed"] is not None:
        dev.is_pcie = True
        dev.link = PciLink(cur, small_int(a["current_link_width"]), mx, small_int(a["max_link_width"]))
    dev.interfaces = [read_interface(p) for p in net_dirs(func_dir)]
    if not dev.is_pcie:  # conventional PCI: what the bus verdict needs from config space
        bus_bits(read_attr(os.path.join(func_dir, "config"), 256), dev)
    if os.path.islink(func_dir):  # a live /sys: the link's target is the path through the bridges
        dev.upstream = upstream_of(func_dir)
    else:  # a snapshot keeps that path in a file of its own
        up = text_attr(_read(os.path.join(func_dir, UPSTREAM_FILE)))
        if up:
            dev.upstream = [p for p in up.split() if SLOT_RE.match(p)]
    return dev


def upstream_of(func_dir: str) -> list[str]:
    """The bridges above a function of a live /sys, nearest last (from the link's target)."""
    parts = os.path.realpath(func_dir).split(os.sep)[:-1]
    return [p for p in parts if SLOT_RE.match(p)]


def read_tree(root: str | os.PathLike, origin: str | None = None) -> list[PciDevice]:
    """Every PCI function under ``root`` (a directory shaped like /sys)."""
    root = str(root)
    base = os.path.join(root, "bus", "pci", "devices")
    if not os.path.isdir(base):
        raise InputError(f"{root}: not a sysfs tree (no bus/pci/devices folder)")
    origin = origin or f"sysfs:{root}"
    out = []
    try:
        slots = sorted(os.listdir(base))
    except OSError as e:
        raise InputError(f"{origin}: cannot list bus/pci/devices: {e.strerror or e}") from None
    for slot in slots:
        if not SLOT_RE.match(slot):
            raise InputError(f"{origin}: {slot[:40]!r} in bus/pci/devices is not a PCI slot name")
        out.append(read_function(os.path.join(base, slot), slot, origin))
    return out


NAME = "sysfs"
SHAPE = "folder"


def is_tree(path: str) -> bool:
    """A folder shaped like /sys: it has ``bus/pci/devices``."""
    return os.path.isdir(os.path.join(path, "bus", "pci", "devices"))


def detect(src: Source) -> bool:
    return src.is_dir and is_tree(src.path)


def read(src: Source, nics_only: bool = False) -> Reading:
    return Reading(read_tree(src.path, origin=f"sysfs:{src.path}"), src.label, method=NAME)

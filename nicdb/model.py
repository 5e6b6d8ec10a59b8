"""The one device shape every input back end yields.

A :class:`PciDevice` is what nicdb knows about one PCI function, whichever way it was
read (live udev, a sysfs tree, lspci text, a config-space dump, nicdb JSON). Fields an
input cannot supply stay ``None``; nothing downstream may assume a live system.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class PciLink:
    """PCI Express link state, from sysfs link files or the PCIe capability."""

    speed_gts: float | None = None  # current link speed, GT/s
    width: int | None = None  # current link width, lanes
    max_speed_gts: float | None = None
    max_width: int | None = None


@dataclass(slots=True)
class NetInterface:
    """A network interface (netdev) that belongs to a PCI function."""

    name: str
    driver: str | None = None  # the netdev's own driver (virtio_net under virtio-pci)
    mac: str | None = None
    mtu: int | None = None
    speed_mbps: int | None = None
    operstate: str | None = None
    tx_queue_len: int | None = None


@dataclass(slots=True)
class PciDevice:
    """One PCI function. IDs are ints; ``class_code`` is the 24-bit class/subclass/prog-if."""

    slot: str  # domain-qualified when known: 0000:00:03.0
    vendor: int | None
    device: int | None
    subsystem_vendor: int | None = None
    subsystem_device: int | None = None
    revision: int | None = None
    class_code: int | None = None
    driver: str | None = None  # kernel driver in use
    modules: list[str] = field(default_factory=list)  # kernel modules able to drive it
    interfaces: list[NetInterface] = field(default_factory=list)
    link: PciLink | None = None
    is_pcie: bool | None = None  # has a PCI Express capability
    # Names as the input gave them (lspci prints them); pci.ids names are looked up later.
    vendor_name: str | None = None
    device_name: str | None = None
    subsystem_name: str | None = None
    class_name: str | None = None
    origin: str = ""  # where it came from: "udev", "sysfs:DIR", "lspci:FILE:LINE", ...
    notes: list[str] = field(default_factory=list)  # caveats the input wants shown

    @property
    def class_base(self) -> int | None:
        return None if self.class_code is None else self.class_code >> 16

    @property
    def is_network_class(self) -> bool:
        return self.class_base == 0x02

    @property
    def is_nic(self) -> bool:
        """A NIC is network class (0x02xx) or has a network interface below it."""
        return self.is_network_class or bool(self.interfaces)

    @property
    def id_text(self) -> str:
        v = "????" if self.vendor is None else f"{self.vendor:04x}"
        d = "????" if self.device is None else f"{self.device:04x}"
        return f"{v}:{d}"

    def to_dict(self) -> dict:
        return asdict(self)


def normalize_slot(slot: str) -> str:
    """Add the default domain to a bus:dev.fn slot: ``03:00.0`` -> ``0000:03:00.0``."""
    s = slot.strip()
    if s.count(":") == 1:
        return "0000:" + s
    return s

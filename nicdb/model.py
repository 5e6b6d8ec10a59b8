"""The one device shape every input back end yields.

A :class:`PciDevice` is what nicdb knows about one PCI function, whichever way it was
read (live udev, a sysfs tree, lspci text, a config-space dump, nicdb JSON). Fields an
input cannot supply stay ``None``; nothing downstream may assume a live system.
"""

from __future__ import annotations


class Record:
    """Plain slotted records with keyword defaults. (Not dataclasses: generating their
    methods at import costs milliseconds on every run of a one-shot CLI.)"""

    __slots__ = ()

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.__slots__)
        return f"{type(self).__name__}({body})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None  # mutable

    def to_dict(self) -> dict:
        def conv(v):
            if isinstance(v, Record):
                return v.to_dict()
            if isinstance(v, list):
                return [conv(x) for x in v]
            return v

        return {k: conv(getattr(self, k)) for k in self.__slots__}


class PciLink(Record):
    """PCI Express link state, from sysfs link files or the PCIe capability."""

    __slots__ = ("speed_gts", "width", "max_speed_gts", "max_width")

    def __init__(self, speed_gts: float | None = None, width: int | None = None,
                 max_speed_gts: float | None = None, max_width: int | None = None):
        self.speed_gts = speed_gts  # current link speed, GT/s
        self.width = width  # current link width, lanes
        self.max_speed_gts = max_speed_gts
        self.max_width = max_width


class NetInterface(Record):
    """A network interface (netdev) that belongs to a PCI function."""

    __slots__ = ("name", "driver", "mac", "mtu", "speed_mbps", "operstate", "tx_queue_len")

    def __init__(self, name: str, driver: str | None = None, mac: str | None = None, mtu: int | None = None,
                 speed_mbps: int | None = None, operstate: str | None = None, tx_queue_len: int | None = None):
        self.name = name
        self.driver = driver  # the netdev's own driver (virtio_net under virtio-pci)
        self.mac = mac
        self.mtu = mtu
        self.speed_mbps = speed_mbps
        self.operstate = operstate
        self.tx_queue_len = tx_queue_len


class PciX(Record):
    """What a PCI-X capability (id 0x07) says. A device: ``width_bits`` 64 or 32 and
    ``max_mhz`` (66, 133, 266 or 533) it can run at. A PCI-X bridge: the same of its
    secondary interface, and ``bus_mhz`` -- the mode its secondary bus runs in now
    (0: conventional PCI; 66, 100, 133: PCI-X at that clock; None: not said)."""

    __slots__ = ("bridge", "width_bits", "max_mhz", "bus_mhz")

    def __init__(self, bridge: bool = False, width_bits: int | None = None, max_mhz: int | None = None,
                 bus_mhz: int | None = None):
        self.bridge = bridge
        self.width_bits = width_bits
        self.max_mhz = max_mhz
        self.bus_mhz = bus_mhz


class LogFact(Record):
    """One fact a kernel-log line tells about a device: which ``driver`` said it, the
    ``kind`` of fact (``xid``, ``asic-rev``, ``chip``, ``bus``, ``firmware-missing``, ...:
    see :mod:`nicdb.kernellog`), its ``value`` as text, the ``line`` (without its
    timestamp) and its number in the log, and how the line was tied to the device
    (``tie``: slot, interface, driver or order)."""

    __slots__ = ("driver", "kind", "value", "line", "lineno", "tie")

    def __init__(self, driver: str, kind: str, value: str, line: str = "", lineno: int = 0, tie: str = "slot"):
        self.driver = driver
        self.kind = kind
        self.value = value
        self.line = line
        self.lineno = lineno
        self.tie = tie


class PciDevice(Record):
    """One PCI function. IDs are ints; ``class_code`` is the 24-bit class/subclass/prog-if."""

    __slots__ = ("slot", "vendor", "device", "subsystem_vendor", "subsystem_device", "revision", "class_code",
                 "driver", "modules", "interfaces", "link", "is_pcie", "vendor_name", "device_name",
                 "subsystem_name", "class_name", "origin", "notes", "upstream", "log", "cap_66mhz", "pcix",
                 "secondary_bus", "sec_66mhz", "candidate_ids")

    def __init__(self, slot: str, vendor: int | None, device: int | None,
                 subsystem_vendor: int | None = None, subsystem_device: int | None = None,
                 revision: int | None = None, class_code: int | None = None, driver: str | None = None,
                 modules: list[str] | None = None, interfaces: list[NetInterface] | None = None,
                 link: PciLink | None = None, is_pcie: bool | None = None, vendor_name: str | None = None,
                 device_name: str | None = None, subsystem_name: str | None = None,
                 class_name: str | None = None, origin: str = "", notes: list[str] | None = None,
                 upstream: list[str] | None = None):
        self.slot = slot  # domain-qualified when known: 0000:00:03.0
        self.vendor = vendor
        self.device = device
        self.subsystem_vendor = subsystem_vendor
        self.subsystem_device = subsystem_device
        self.revision = revision
        self.class_code = class_code
        self.driver = driver  # kernel driver in use
        self.modules = [] if modules is None else modules  # kernel modules able to drive it
        self.interfaces = [] if interfaces is None else interfaces
        self.link = link
        self.is_pcie = is_pcie  # has a PCI Express capability
        # Names as the input gave them (lspci prints them); pci.ids names are looked up later.
        self.vendor_name = vendor_name
        self.device_name = device_name
        self.subsystem_name = subsystem_name
        self.class_name = class_name
        self.origin = origin  # where it came from: "udev", "sysfs:DIR", "lspci:FILE:LINE", ...
        self.notes = [] if notes is None else notes  # caveats the input wants shown
        # the bridges above it, nearest last, when the input says (lspci -P/-PP paths, sysfs)
        self.upstream = [] if upstream is None else upstream
        self.log: list[LogFact] = []  # what the kernel log says of it (nicdb.kernellog)
        # Conventional PCI: the status register's 66 MHz Capable bit (config offset 0x06 bit 5),
        # the PCI-X capability, and for a bridge its secondary bus number and the secondary
        # status register's 66 MHz bit. None: the input does not say.
        self.cap_66mhz: bool | None = None
        self.pcix: PciX | None = None
        self.secondary_bus: int | None = None
        self.sec_66mhz: bool | None = None
        # Name-only input whose name matches several IDs: every (vendor, device) it may be
        self.candidate_ids: list[tuple[int, int]] = []

    @property
    def class_base(self) -> int | None:
        return None if self.class_code is None else self.class_code >> 16

    @property
    def is_network_class(self) -> bool:
        return self.class_base == 0x02

    @property
    def is_nic(self) -> bool:
        """Network class (0x02xx), or a network interface below it. (A function whose class
        may hide a NIC is one too when a network driver claims it: see
        :func:`nicdb.report.select_nics`, which knows the drivers.)"""
        return self.is_network_class or bool(self.interfaces)

    @property
    def id_text(self) -> str:
        v = "????" if self.vendor is None else f"{self.vendor:04x}"
        d = "????" if self.device is None else f"{self.device:04x}"
        return f"{v}:{d}"


def normalize_slot(slot: str) -> str:
    """Add the default domain to a bus:dev.fn slot: ``03:00.0`` -> ``0000:03:00.0``
    (also to the first element of an ``lspci -P`` path, ``00:1c.0/00.0``)."""
    s = slot.strip()
    if s.split("/", 1)[0].count(":") == 1:
        return "0000:" + s
    return s


def split_path(slot: str) -> tuple[str, list[str]]:
    """An ``lspci -P``/``-PP`` slot path -> (the device's slot, the bridges above it,
    nearest last), each with the domain. With ``-PP`` every element has its bus, so the
    device's slot is its own ``0000:02:00.0``; ``-P`` gives only ``dev.fn`` below the
    first bridge, so slots stay paths (``0000:00:1c.0/00.0``). A plain slot has none above."""
    slot = normalize_slot(slot)
    if "/" not in slot:
        return slot, []
    parts = slot.split("/")
    domain = parts[0][:parts[0].index(":") + 1]
    if all(":" in p for p in parts[1:]):  # -PP: bus:dev.fn at every level
        return domain + parts[-1], [parts[0]] + [domain + p for p in parts[1:-1]]
    return slot, ["/".join(parts[:i]) for i in range(1, len(parts))]


def may_hide_nic(class_code: int | None) -> bool:
    """Whether a function of this 24-bit class may be a NIC although its class does not say
    so: class 02xx itself, "other bridge" 0680 (NVIDIA nForce/MCP Ethernet reports it),
    wireless controllers 0dxx, unclassified 00xx, vendor-specific ffxx, or an unknown
    class. A function that says it is something else (a USB controller, a disk) is not."""
    if class_code is None:
        return True
    base = class_code >> 16
    return base in (0x02, 0x0D, 0x00, 0xFF) or class_code >> 8 == 0x0680


def may_be_nic(dev: PciDevice) -> bool:
    """What a reader with ``nics_only`` must keep: a network interface below it, or a class
    that may hide a NIC. (Which of these are NICs is :func:`nicdb.report.select_nics`'s call.)"""
    return bool(dev.interfaces) or may_hide_nic(dev.class_code)


def slot_bus(slot: str) -> tuple[str, int] | None:
    """The domain and bus number of a slot: ``0000:02:00.0`` -> ("0000", 2); None for an
    ``lspci -P`` path whose last element has no bus, or a slot of another shape."""
    parts = slot.rsplit("/", 1)[-1].split(":")
    if len(parts) != 3 or len(parts[1]) != 2:
        return None
    try:
        return parts[0].lower(), int(parts[1], 16)
    except ValueError:
        return None

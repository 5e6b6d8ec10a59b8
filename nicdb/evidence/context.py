"""What the live machine says about the NIC under test, for a measurement set's context:
the interface and its PCI function (vendor:device, revision, slot), the driver, its
module's version and the parameters in force (``/sys/module/MODULE/parameters``),
the kernel, the host, the MTU and link speed, the board and CPU.

Read-only. The parsers of the tools' output are elsewhere (:mod:`nicdb.evidence.runs`);
this reads the machine. A snapshot or sysfs folder (``sysfs``) gives the PCI side only:
module versions and parameters are the live machine's business.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from nicdb.errors import InputError
from nicdb.model import Record

class ModuleState(Record):
    """A kernel module as /sys/module shows it. ``state``: ``loaded`` (a loadable module,
    ``initstate`` live), ``builtin`` (no initstate: part of the kernel image, cannot be
    reloaded) or ``absent``; ``holders``: modules that use it; ``refcnt``: its use count
    (None: not shown); ``params``: readable parameters (name -> value text)."""

    __slots__ = ("name", "state", "version", "holders", "refcnt", "params")

    def __init__(self, name: str, state: str, version: str | None = None, holders: list[str] | None = None,
                 refcnt: int | None = None, params: dict | None = None):
        self.name, self.state, self.version = name, state, version
        self.holders = [] if holders is None else holders
        self.refcnt = refcnt
        self.params = {} if params is None else params


class Context(Record):
    """Where a measurement was made (everything optional but the host and kernel)."""

    __slots__ = ("host", "kernel", "iface", "slot", "vendor", "device", "revision", "driver", "module",
                 "driver_version", "params", "mtu", "speed_mbps", "board", "cpu", "device_record", "notes")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))
        if self.params is None:
            self.params = {}
        if self.notes is None:
            self.notes = []


def _read(path: str) -> str | None:
    """A sysfs attribute, stripped (None when it cannot be read)."""
    from nicdb.inputs.sysfs import _read as read_attr

    text = read_attr(path)
    return None if text is None else text.strip()


def module_state(module: str, sys_root: str = "/sys") -> ModuleState:
    """The module ``module`` (dashes or underscores) under ``sys_root``/module."""
    name = module.replace("-", "_")
    if not name or "/" in name or name in (".", ".."):
        raise InputError(f"{module!r} is not a module name")
    d = os.path.join(sys_root, "module", name)
    if not os.path.isdir(d):
        return ModuleState(name, "absent")
    init = _read(os.path.join(d, "initstate"))
    state = "loaded" if init == "live" else ("builtin" if init is None else init)
    params = {}
    pdir = os.path.join(d, "parameters")
    try:
        names = sorted(os.listdir(pdir))
    except OSError:
        names = []
    for p in names:
        v = _read(os.path.join(pdir, p))
        if v is not None and len(v) <= 200:
            params[p] = v
    try:
        holders = sorted(os.listdir(os.path.join(d, "holders")))
    except OSError:
        holders = []
    ref = _read(os.path.join(d, "refcnt"))
    return ModuleState(name, state, _read(os.path.join(d, "version")), holders,
                       int(ref) if ref and ref.lstrip("-").isdigit() else None, params)


def _tool(name: str) -> str | None:
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def _run(argv: list[str], timeout: float = 5.0) -> str | None:
    exe = _tool(argv[0])
    if exe is None:
        return None
    try:
        p = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, errors="replace", timeout=timeout,
                           env=dict(os.environ, LC_ALL="C"), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout if p.returncode == 0 else None


def ethtool_info(iface: str) -> dict:
    """``ethtool -i IFACE`` as a dict (driver, version, bus-info, ...); {} when it cannot tell."""
    out = _run(["ethtool", "-i", iface]) or ""
    info = {}
    for line in out.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            info[k.strip()] = v.strip()
    return info


def modinfo_version(module: str) -> str | None:
    out = _run(["modinfo", "-F", "version", module])
    return out.strip() or None if out else None


def iface_for_address(address: str) -> str | None:
    """The interface holding IP address ``address`` on this machine (``ip -j addr``)."""
    import json

    out = _run(["ip", "-j", "addr", "show"])
    try:
        links = json.loads(out) if out else []
    except ValueError:
        return None
    for link in links:
        for a in link.get("addr_info") or []:
            if a.get("local") == address:
                return link.get("ifname")
    return None


def _board() -> str:
    dmi = "/sys/class/dmi/id"
    vendor = _read(os.path.join(dmi, "board_vendor")) or _read(os.path.join(dmi, "sys_vendor")) or ""
    name = _read(os.path.join(dmi, "board_name")) or _read(os.path.join(dmi, "product_name")) or ""
    return " ".join(x for x in (vendor, name) if x)


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith(("model name", "cpu model", "hardware")):
                    model = line.partition(":")[2].strip()
                    return f"{model}, {os.cpu_count()} CPUs" if model else ""
    except OSError:
        pass
    return ""


def read_context(iface: str | None = None, slot: str | None = None, sysfs: str | None = None) -> Context:
    """The context of interface ``iface`` or PCI function ``slot`` on this machine (or in
    the sysfs folder or snapshot ``sysfs``: then only what it holds). InputError when
    neither names something there."""
    from nicdb import inputs
    from nicdb.model import normalize_slot

    if iface is not None and (not iface or "/" in iface or iface in (".", "..") or "\0" in iface):
        raise InputError(f"{iface!r} is not a network interface name")
    live = sysfs is None
    reading = inputs.read_live(True) if live else inputs.read_path(sysfs, True, sysfs_only=True)
    ctx = Context(host=(reading.host or os.uname().nodename) if live else reading.host,
                  kernel=os.uname().release if live else reading.kernel, iface=iface)
    want = normalize_slot(slot) if slot else None
    dev = next((d for d in reading.devices
                if (want and d.slot == want) or (iface and any(i.name == iface for i in d.interfaces))), None)
    if slot and dev is None:
        raise InputError(f"no PCI function {slot!r} {'on this machine' if live else f'in {sysfs}'}")
    if dev is not None:
        ctx.device_record = dev
        ctx.slot, ctx.vendor, ctx.device, ctx.revision = dev.slot, dev.vendor, dev.device, dev.revision
        ctx.driver = dev.driver
        net = next((i for i in dev.interfaces if i.name == iface), None) or (dev.interfaces[0] if dev.interfaces
                                                                             else None)
        if net is not None:
            ctx.iface, ctx.mtu, ctx.speed_mbps = net.name, net.mtu, net.speed_mbps
            ctx.driver = ctx.driver or net.driver
    if live and ctx.iface:
        base = os.path.join("/sys/class/net", ctx.iface)
        if not os.path.exists(base):
            raise InputError(f"no network interface named {ctx.iface!r} on this machine (see /sys/class/net)")
        ctx.mtu = ctx.mtu or _int(_read(os.path.join(base, "mtu")))
        speed = _int(_read(os.path.join(base, "speed")))
        ctx.speed_mbps = ctx.speed_mbps or (speed if speed and 0 < speed < 0xFFFFFFFF else None)
        info = ethtool_info(ctx.iface)
        # the netdev's own driver (virtio_net under virtio-pci), else the PCI function's
        ctx.driver = info.get("driver") or ctx.driver
        mod = os.path.join(base, "device", "driver", "module")
        ctx.module = (os.path.basename(os.readlink(mod)) if os.path.islink(mod) else None) or \
            (ctx.driver or "").replace("-", "_") or None
        if ctx.module:
            st = module_state(ctx.module)
            ctx.params = st.params
            ctx.driver_version = st.version or modinfo_version(ctx.module) or info.get("version") or None
        ctx.board, ctx.cpu = _board(), _cpu()
    elif ctx.iface is None and dev is None:
        raise InputError("say which NIC was measured: --iface IFACE or --slot SLOT")
    return ctx


def _int(text: str | None) -> int | None:
    if text is None or not text.lstrip("-").isdigit():
        return None
    return int(text)

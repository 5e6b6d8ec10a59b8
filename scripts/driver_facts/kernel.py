"""The network drivers of one Debian kernel series, read from its package(s).

Up to 6.12 one ``linux-image-<abi>-amd64-unsigned`` package holds the whole module tree;
from 7.x Debian splits it, and ``linux-modules-<abi>-amd64`` holds the modules while
``linux-base-<abi>-amd64`` holds ``modules.builtin`` and ``modules.builtin.modinfo``.
:func:`read_series` takes any such set of packages of one kernel release.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterable

from . import deb, modinfo

NET_PREFIX = "kernel/drivers/net/"
# virtio NICs (1af4:1000, 1af4:1041) are bound on the PCI bus by the virtio PCI transport,
# which lives in drivers/virtio/; virtio_net binds the virtio-bus device it creates.
EXTRA_MODULES = frozenset({"virtio_pci"})

RULE = (
    "modules (loadable .ko, .ko.xz, .ko.zst, and built-ins from modules.builtin.modinfo) whose path "
    "is under kernel/drivers/net/ and that declare at least one pci: alias, plus virtio_pci "
    "(kernel/drivers/virtio/, the PCI transport of virtio NICs); every other module is ignored"
)

_MEMBER = re.compile(r"^\.?/?(?:usr/)?lib/modules/([^/]+)/(.+)$")
_KO = re.compile(r"\.ko(?:\.(?:xz|zst|gz))?$")


class KernelError(ValueError):
    pass


@dataclass
class Series:
    """What one kernel release's packages say about its network drivers."""

    release: str  # lib/modules/<release>
    modules: dict[str, modinfo.ModuleInfo] = field(default_factory=dict)  # kept ones only
    read: int = 0  # module files and built-ins read, kept or not


def wanted(name: str, path: str) -> bool:
    """Whether a module file is read at all (before its aliases are known)."""
    return path.startswith(NET_PREFIX) or name in EXTRA_MODULES


def kept(info: modinfo.ModuleInfo) -> bool:
    """The rule in :data:`RULE`."""
    if info.name in EXTRA_MODULES:
        return True
    return info.path.startswith(NET_PREFIX) and bool(info.pci_aliases)


def read_series(debs: Iterable[str | os.PathLike], use_dpkg: bool | None = None) -> Series:
    releases: set[str] = set()
    loaded: dict[str, modinfo.ModuleInfo] = {}
    builtin_paths: dict[str, str] = {}
    builtin_blob = b""
    count = 0
    for path in debs:
        for info, reader in deb.iter_files(path, use_dpkg=use_dpkg):
            m = _MEMBER.match(info.name)
            if not m or reader is None:
                continue
            release, rel = m.groups()
            releases.add(release)
            if rel == "modules.builtin":
                for line in reader.read().decode("utf-8", "replace").splitlines():
                    if line.strip():
                        builtin_paths[modinfo.module_name(line.strip())] = _KO.sub(".ko", line.strip())
                continue
            if rel == "modules.builtin.modinfo":
                builtin_blob = reader.read()
                continue
            if not _KO.search(rel):
                continue
            count += 1
            name = modinfo.module_name(rel)
            plain = _KO.sub(".ko", rel)
            if not wanted(name, plain):
                continue
            try:
                elf = deb.decompress(rel, reader.read())
                mod = modinfo.from_elf(plain, elf)
            except (modinfo.ElfError, OSError, EOFError) as e:
                raise KernelError(f"{path}: {rel}: {e}") from None
            loaded[mod.name] = mod
    if not releases:
        raise KernelError(f"no lib/modules/<release>/ in {', '.join(map(str, debs))}")
    if len(releases) > 1:
        raise KernelError(f"several kernel releases in one series: {', '.join(sorted(releases))}")
    if not loaded:
        raise KernelError(f"no kernel modules in {', '.join(map(str, debs))}")
    builtins = modinfo.from_builtin(builtin_blob, builtin_paths)
    count += len(builtins)
    for name, info in builtins.items():
        loaded.setdefault(name, info)
    out = Series(release=releases.pop(), read=count)
    out.modules = {n: i for n, i in sorted(loaded.items()) if kept(i)}
    return out

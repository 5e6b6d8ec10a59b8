"""A kernel module's ``.modinfo`` section, read from the ELF file itself.

``modinfo(8)`` prints this section: NUL-separated ``key=value`` strings written by the
MODULE_* macros and modpost (``alias=pci:v...``, ``parmtype=debug:int``,
``firmware=rtl_nic/rtl8168d-1.fw``, ``name=r8169``, ...). Reading it here avoids one
modinfo process per module. Built-in modules have the same records, prefixed with the
module name, in ``modules.builtin.modinfo``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


class ElfError(ValueError):
    pass


def modinfo_section(elf: bytes) -> bytes:
    """The raw bytes of the ``.modinfo`` section of an ELF object (32/64-bit, either endianness)."""
    if elf[:4] != b"\x7fELF" or len(elf) < 52:
        raise ElfError("not an ELF file")
    cls, data = elf[4], elf[5]
    if cls not in (1, 2) or data not in (1, 2):
        raise ElfError("unknown ELF class or byte order")
    end = "<" if data == 1 else ">"
    if cls == 2:
        shoff, = struct.unpack_from(end + "Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", elf, 0x3A)
        sh = struct.Struct(end + "IIQQQQIIQQ")  # name type flags addr offset size link info align entsize
    else:
        shoff, = struct.unpack_from(end + "I", elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", elf, 0x2E)
        sh = struct.Struct(end + "IIIIIIIIII")
    if shoff == 0 or shnum == 0 or shentsize < sh.size or shoff + shnum * shentsize > len(elf):
        raise ElfError("no section header table")
    heads = [sh.unpack_from(elf, shoff + i * shentsize) for i in range(shnum)]
    if shstrndx >= shnum:
        raise ElfError("bad section name table index")
    names_off, names_size = heads[shstrndx][4], heads[shstrndx][5]
    names = elf[names_off : names_off + names_size]
    for h in heads:
        name_end = names.find(b"\0", h[0])
        if names[h[0] : name_end] == b".modinfo":
            off, size = h[4], h[5]
            if off + size > len(elf):
                raise ElfError(".modinfo runs past the end of the file")
            return elf[off : off + size]
    raise ElfError("no .modinfo section")


def records(blob: bytes) -> list[tuple[str, str]]:
    """``(key, value)`` pairs of a .modinfo blob, in order (NUL padding skipped)."""
    out = []
    for raw in blob.split(b"\0"):
        if not raw:
            continue
        key, sep, value = raw.decode("utf-8", "replace").partition("=")
        if sep:
            out.append((key, value))
    return out


@dataclass
class ModuleInfo:
    """The facts nicdb keeps of one module: PCI aliases, parameter types, firmware names."""

    name: str
    path: str  # relative to lib/modules/<release>/, compression suffix removed
    pci_aliases: set[str] = field(default_factory=set)
    params: dict[str, str] = field(default_factory=dict)  # name -> parmtype
    firmware: set[str] = field(default_factory=set)

    def add(self, key: str, value: str) -> None:
        if key == "alias" and value.startswith("pci:"):
            self.pci_aliases.add(value)
        elif key == "parmtype":
            pname, sep, ptype = value.partition(":")
            if sep and pname:
                self.params[pname] = ptype
        elif key == "firmware" and value:
            self.firmware.add(value)


def module_name(path: str) -> str:
    """Module name of a module file: ``.../via-velocity.ko.xz`` -> ``via_velocity``."""
    base = path.rsplit("/", 1)[-1]
    base = base.split(".ko", 1)[0]
    return base.replace("-", "_")


def from_elf(path: str, elf: bytes) -> ModuleInfo:
    recs = records(modinfo_section(elf))
    name = next((v for k, v in recs if k == "name"), "") or module_name(path)
    info = ModuleInfo(name=name.replace("-", "_"), path=path)
    for k, v in recs:
        info.add(k, v)
    return info


def from_builtin(blob: bytes, paths: dict[str, str]) -> dict[str, ModuleInfo]:
    """Built-in modules' facts from ``modules.builtin.modinfo`` (``module.key=value``
    records); ``paths`` maps module name -> path from ``modules.builtin``."""
    out: dict[str, ModuleInfo] = {}
    for key, value in records(blob):
        mod, sep, k = key.partition(".")
        if not sep or not mod:
            continue
        mod = mod.replace("-", "_")
        info = out.get(mod)
        if info is None:
            info = out[mod] = ModuleInfo(name=mod, path=paths.get(mod, ""))
        info.add(k, value)
    return out

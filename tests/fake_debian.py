"""Small Debian packages for the driver-facts generator's tests, built by the tests.

:func:`elf_module` writes a minimal ELF64 relocatable object whose only contents are a
``.modinfo`` section (NUL-terminated ``key=value`` strings, as modpost writes them) and
the section-name table; :func:`build_deb` makes a .deb of a file tree with
``dpkg-deb --build`` when it is installed, else writes the ar archive itself.
"""

from __future__ import annotations

import io
import lzma
import os
import shutil
import struct
import subprocess
import tarfile
from pathlib import Path


def elf_module(records: list[str]) -> bytes:
    """An x86-64 ELF object with a .modinfo section holding ``records``."""
    modinfo = b"".join(r.encode() + b"\0" for r in records)
    shstrtab = b"\0.modinfo\0.shstrtab\0"
    data_off = 64
    modinfo_off = data_off
    shstr_off = modinfo_off + len(modinfo)
    shoff = (shstr_off + len(shstrtab) + 7) & ~7
    header = struct.pack(
        "<4sBBBBB7sHHIQQQIHHHHHH",
        b"\x7fELF", 2, 1, 1, 0, 0, b"\0" * 7,  # ELF64, little-endian, version 1, SysV
        1, 62, 1, 0, 0, shoff, 0,  # ET_REL, EM_X86_64, version, entry, phoff, shoff, flags
        64, 0, 0, 64, 3, 2,  # ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    )
    sh = struct.Struct("<IIQQQQIIQQ")
    sections = (
        sh.pack(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        + sh.pack(1, 1, 2, 0, modinfo_off, len(modinfo), 0, 0, 1, 0)  # .modinfo: PROGBITS, ALLOC
        + sh.pack(10, 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0)  # .shstrtab: STRTAB
    )
    body = header + modinfo + shstrtab
    return body + b"\0" * (shoff - len(body)) + sections


def builtin_modinfo(records: dict[str, list[str]]) -> bytes:
    """modules.builtin.modinfo: ``module.key=value`` strings, NUL-terminated."""
    return b"".join(f"{mod}.{r}".encode() + b"\0" for mod, recs in records.items() for r in recs)


def build_deb(out_dir: Path, package: str, version: str, arch: str, files: dict[str, bytes | str],
              use_dpkg: bool | None = None) -> Path:
    """A .deb named as apt-get download names it. ``files``: path -> bytes (a file) or
    ``"->target"`` (a symbolic link)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{package}_{version}_{arch}.deb"
    control = (f"Package: {package}\nVersion: {version}\nArchitecture: {arch}\n"
               f"Maintainer: nicdb tests <tests@example.invalid>\nDescription: test package\n")
    if use_dpkg is None:
        use_dpkg = shutil.which("dpkg-deb") is not None
    if use_dpkg:
        root = out_dir / f".root-{package}-{version}"
        (root / "DEBIAN").mkdir(parents=True)
        (root / "DEBIAN" / "control").write_text(control)
        for rel, content in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                os.symlink(content[2:], p)
            else:
                p.write_bytes(content)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)],
                       check=True, capture_output=True)
        shutil.rmtree(root)
        return deb
    members = [
        ("debian-binary", b"2.0\n"),
        ("control.tar.gz", _tar({"control": control.encode()}, "w:gz")),
        ("data.tar.xz", lzma.compress(_tar(files, "w"))),
    ]
    ar = bytearray(b"!<arch>\n")
    for name, blob in members:
        ar += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(blob):<10}`\n".encode()
        ar += blob + (b"\n" if len(blob) % 2 else b"")
    deb.write_bytes(bytes(ar))
    return deb


def _tar(files: dict[str, bytes | str], mode: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as tf:
        dirs = sorted({str(Path(rel).parents[i]) for rel in files for i in range(len(Path(rel).parents) - 1)})
        for d in dirs:
            info = tarfile.TarInfo("./" + d)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tf.addfile(info)
        for rel, content in files.items():
            info = tarfile.TarInfo("./" + rel)
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tf.addfile(info)
            else:
                info.size, info.mode = len(content), 0o644
                tf.addfile(info, io.BytesIO(content))
    return buf.getvalue()

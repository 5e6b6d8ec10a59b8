"""Reading Debian binary packages (.deb) without installing them.

A .deb is an ar(1) archive holding ``control.tar.*`` and ``data.tar.*``. With
``dpkg-deb`` installed (every Debian machine) its ``-f`` and ``--fsys-tarfile`` do the
work; without it, the ar container is read here and the tar member decompressed with
Python's gzip/lzma or the ``zstd`` program. Either way the package's files are
*streamed* (:func:`iter_files`): nothing is unpacked to disk, so a 100 MB kernel package
is read in one pass.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import BinaryIO, Iterator


class DebError(Exception):
    """A .deb that cannot be read; the message names the file and what was wrong."""


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ar_members(path: str | os.PathLike) -> dict[str, bytes]:
    """The members of the ar container, by name (``debian-binary``, ``control.tar.xz``, ...)."""
    data = Path(path).read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise DebError(f"{path}: not a .deb (no ar archive signature)")
    out: dict[str, bytes] = {}
    pos = 8
    while pos + 60 <= len(data):
        head = data[pos : pos + 60]
        if head[58:60] != b"`\n":
            raise DebError(f"{path}: corrupt ar member header at byte {pos}")
        name = head[:16].decode("ascii", "replace").strip().rstrip("/")
        size = int(head[48:58].decode("ascii").strip() or 0)
        pos += 60
        out[name] = data[pos : pos + size]
        pos += size + (size & 1)
    return out


def decompress(name: str, blob: bytes) -> bytes:
    """``blob`` decompressed according to the suffix of ``name`` (.xz, .zst, .gz or none)."""
    if name.endswith(".xz"):
        import lzma

        return lzma.decompress(blob)
    if name.endswith(".gz"):
        import gzip

        return gzip.decompress(blob)
    if name.endswith(".zst"):
        zstd = shutil.which("zstd")
        if zstd is None:
            raise DebError(f"{name} is zstd-compressed and the zstd program is not installed")
        return subprocess.run([zstd, "-dcq"], input=blob, capture_output=True, check=True).stdout
    return blob


def _tar_member(path: str | os.PathLike, prefix: str) -> bytes:
    for name, blob in ar_members(path).items():
        if name.startswith(prefix):
            return decompress(name, blob)
    raise DebError(f"{path}: no {prefix}* member")


def parse_control(text: str) -> dict[str, str]:
    """deb822 fields of one paragraph (continuation lines joined with newlines)."""
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def control_fields(deb: str | os.PathLike, use_dpkg: bool | None = None) -> dict[str, str]:
    """The package's control fields (Package, Version, Architecture, ...)."""
    if _dpkg(use_dpkg):
        r = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True)
        if r.returncode != 0:
            raise DebError(f"{deb}: dpkg-deb -f failed: {r.stderr.strip()}")
        return parse_control(r.stdout)
    with tarfile.open(fileobj=io.BytesIO(_tar_member(deb, "control.tar")), mode="r:") as tf:
        for m in tf:
            if m.name.lstrip("./") == "control":
                f = tf.extractfile(m)
                assert f is not None
                return parse_control(f.read().decode("utf-8", "replace"))
    raise DebError(f"{deb}: control.tar has no control file")


def _dpkg(use_dpkg: bool | None) -> bool:
    return shutil.which("dpkg-deb") is not None if use_dpkg is None else use_dpkg


def iter_files(deb: str | os.PathLike, use_dpkg: bool | None = None) -> Iterator[tuple[tarfile.TarInfo, BinaryIO | None]]:
    """Every member of the package's data archive in archive order, as ``(info, reader)``.

    ``reader`` reads a regular file's bytes and is valid only until the next member;
    it is None for directories and links (``info.linkname`` holds a link's target).
    Names are as in the archive (``./usr/lib/...``).
    """
    if _dpkg(use_dpkg):
        proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        assert proc.stdout is not None
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tf:
                for m in tf:
                    yield m, tf.extractfile(m) if m.isfile() else None
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
            if proc.wait() != 0 and err and "Broken pipe" not in err:
                raise DebError(f"{deb}: dpkg-deb --fsys-tarfile failed: {err}")
        return
    with tarfile.open(fileobj=io.BytesIO(_tar_member(deb, "data.tar")), mode="r|") as tf:
        for m in tf:
            yield m, tf.extractfile(m) if m.isfile() else None

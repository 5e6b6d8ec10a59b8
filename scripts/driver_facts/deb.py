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
import re
import shutil
import subprocess
import tarfile
from typing import BinaryIO, Iterator


class DebError(Exception):
    """A .deb that cannot be read; the message names the file and what was wrong."""


def sha256_file(path: str | os.PathLike) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def ar_member(path: str | os.PathLike, prefix: str) -> tuple[str, bytes]:
    """The first member of the .deb's ar container whose name starts with ``prefix``
    (``control.tar``, ``data.tar``), read by seeking from header to header."""
    with open(path, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise DebError(f"{path}: not a .deb (no ar archive signature)")
        while len(head := f.read(60)) == 60:
            if head[58:60] != b"`\n":
                raise DebError(f"{path}: corrupt ar member header at byte {f.tell() - 60}")
            name = head[:16].rstrip(b" ").rstrip(b"/").decode("ascii", "replace")
            size = int(head[48:58] or b"0")
            if name.startswith(prefix):
                return name, f.read(size)
            f.seek(size + size % 2, os.SEEK_CUR)
    raise DebError(f"{path}: no {prefix}* member")


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
    return decompress(*ar_member(path, prefix))


# deb822: "Field: value", continuation lines start with a blank
_FIELD = re.compile(r"^([^\s:#][^:\n]*):[ \t]*(.*(?:\n[ \t].*)*)", re.M)


def parse_control(text: str) -> dict[str, str]:
    """The fields of one deb822 paragraph (continuation lines kept as they are)."""
    return {m.group(1): m.group(2).rstrip() for m in _FIELD.finditer(text)}


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
            yield from _members(tarfile.open(fileobj=proc.stdout, mode="r|"), deb)
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
            if proc.wait() != 0 and err and "Broken pipe" not in err:
                raise DebError(f"{deb}: dpkg-deb --fsys-tarfile failed: {err}")
        return
    try:
        tf = tarfile.open(fileobj=io.BytesIO(_tar_member(deb, "data.tar")), mode="r|")
    except tarfile.TarError as e:
        raise DebError(f"{deb}: data archive unreadable: {e}") from None
    yield from _members(tf, deb)


def _members(tf: tarfile.TarFile, deb: str | os.PathLike) -> Iterator[tuple[tarfile.TarInfo, BinaryIO | None]]:
    try:
        with tf:
            for m in tf:
                yield m, tf.extractfile(m) if m.isfile() else None
    except tarfile.TarError as e:
        raise DebError(f"{deb}: data archive unreadable: {e}") from None

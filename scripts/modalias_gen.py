"""Building nicdb's shipped modules.alias table from a distribution kernel package.

Used by ``scripts/gen_modules_alias.py``; a module of its own so the filtering step can be
tested on a small fake module tree without a .deb. Only the standard library. (A build
tool, not part of the installed package.)

The steps:

1. :func:`extract_deb` unpacks the .deb (``dpkg-deb -x`` if installed, else Python's own
   ar + tar reader) and :func:`deb_fields` reads its control fields.
2. :func:`run_depmod` runs ``depmod -b ROOT KVER``, which writes ``modules.alias`` (every
   alias the modules declare) and ``modules.dep`` (every module's path) for that tree.
3. :func:`network_pci_aliases` keeps the ``pci:`` aliases of network drivers -- see
   :data:`RULE` -- and :func:`render_table` writes them sorted, under a header that says
   where they came from, so that the same .deb always yields the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Iterable

NET_PREFIX = "kernel/drivers/net/"

# virtio NICs are PCI devices (1af4:1000 legacy, 1af4:1041 modern) bound by the virtio
# PCI transport, which lives in drivers/virtio/; virtio_net then binds the virtio-bus
# device it creates. ``lspci -k`` shows virtio_pci for a virtio NIC, so we keep it.
EXTRA_MODULES = {"virtio_pci": "PCI transport of virtio NICs; virtio_net binds on the virtio bus"}

RULE = (
    "pci aliases of modules whose .ko is under kernel/drivers/net/ (path per modules.dep, "
    "or modules.builtin for built-ins; ethernet, wireless and every other subdirectory), "
    "plus virtio_pci (kernel/drivers/virtio/, the PCI driver of virtio NICs)"
)

_KO = re.compile(r"\.ko(?:\.(?:xz|zst|gz))?\Z")


def module_name(path: str) -> str:
    """Kernel module name of a module file path: ``.../via-velocity.ko.xz`` -> ``via_velocity``."""
    base = path.rsplit("/", 1)[-1]
    return _KO.sub("", base).replace("-", "_")


def is_network_module(name: str, relpath: str | None) -> bool:
    """The filter :data:`RULE` describes."""
    if name in EXTRA_MODULES:
        return True
    return relpath is not None and relpath.startswith(NET_PREFIX)


def module_paths(moddir: str | os.PathLike) -> dict[str, str]:
    """Module name -> path relative to ``moddir`` (``kernel/drivers/...ko``).

    From modules.dep (what depmod wrote) and modules.builtin, else by walking the tree.
    """
    d = Path(moddir)
    out: dict[str, str] = {}
    dep = d / "modules.dep"
    if dep.is_file():
        for line in dep.read_text(encoding="utf-8", errors="replace").splitlines():
            rel = line.split(":", 1)[0].strip()
            if rel:
                out.setdefault(module_name(rel), rel)
    else:
        for root, dirs, files in os.walk(d / "kernel"):
            dirs.sort()
            for f in sorted(files):
                if _KO.search(f):
                    rel = os.path.relpath(os.path.join(root, f), d).replace(os.sep, "/")
                    out.setdefault(module_name(rel), rel)
    builtin = d / "modules.builtin"
    if builtin.is_file():
        for line in builtin.read_text(encoding="utf-8", errors="replace").splitlines():
            rel = line.strip()
            if rel:
                out.setdefault(module_name(rel), rel)
    return out


def read_pci_aliases(moddir: str | os.PathLike) -> list[tuple[str, str]]:
    """``(pattern, module)`` for every ``pci:`` alias: modules.alias, plus built-ins' aliases
    from modules.builtin.modinfo (depmod does not put those in modules.alias)."""
    d = Path(moddir)
    out: list[tuple[str, str]] = []
    alias = d / "modules.alias"
    if alias.is_file():
        for line in alias.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "alias" and parts[1].startswith("pci:"):
                out.append((parts[1], parts[2]))
    modinfo = d / "modules.builtin.modinfo"
    if modinfo.is_file():
        for rec in modinfo.read_bytes().split(b"\0"):
            text = rec.decode("utf-8", errors="replace")
            name, sep, value = text.partition(".alias=")
            if sep and value.startswith("pci:") and "." not in name:
                out.append((value, name.replace("-", "_")))
    return out


def network_pci_aliases(moddir: str | os.PathLike) -> list[tuple[str, str]]:
    """The filter step: the network drivers' PCI aliases of a module tree, deduplicated and
    sorted by (pattern, module)."""
    paths = module_paths(moddir)
    keep = {(p, m) for p, m in read_pci_aliases(moddir) if is_network_module(m, paths.get(m))}
    return sorted(keep)


def render_table(aliases: Iterable[tuple[str, str]], meta: dict[str, str]) -> str:
    """The table file: ``# key: value`` header lines, then ``alias PATTERN MODULE`` lines."""
    rows = sorted(set(aliases))
    lines = ["# nicdb shipped table -- PCI aliases of Linux network drivers (modules.alias format)"]
    for k in ("distribution", "package", "version", "architecture", "file", "sha256",
              "kernel-release", "rule", "command"):
        if meta.get(k):
            lines.append(f"# {k}: {meta[k]}")
    lines.append(f"# aliases: {len(rows)}")
    lines.append(f"# modules: {len({m for _, m in rows})}")
    lines.extend(f"alias {p} {m}" for p, m in rows)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- .deb handling


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ar_members(path: str | os.PathLike) -> dict[str, bytes]:
    """The members of an ar(1) archive (the .deb container), by name."""
    data = Path(path).read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise ValueError(f"{path}: not an ar archive (.deb)")
    out: dict[str, bytes] = {}
    pos = 8
    while pos + 60 <= len(data):
        head = data[pos : pos + 60]
        if head[58:60] != b"`\n":
            raise ValueError(f"{path}: corrupt ar member header at byte {pos}")
        name = head[:16].decode("ascii", "replace").strip().rstrip("/")
        size = int(head[48:58].decode("ascii").strip())
        pos += 60
        out[name] = data[pos : pos + size]
        pos += size + (size & 1)
    return out


def _open_tar(name: str, blob: bytes) -> tarfile.TarFile:
    if name.endswith(".zst"):
        zstd = shutil.which("zstd")
        if zstd is None:
            raise RuntimeError(f"{name} is zstd-compressed and no zstd program is installed")
        blob = subprocess.run([zstd, "-dc"], input=blob, capture_output=True, check=True).stdout
        return tarfile.open(fileobj=io.BytesIO(blob), mode="r:")
    return tarfile.open(fileobj=io.BytesIO(blob), mode="r:*")


def _member(members: dict[str, bytes], prefix: str) -> tuple[str, bytes]:
    for name, blob in members.items():
        if name.startswith(prefix):
            return name, blob
    raise ValueError(f"no {prefix}* member in the .deb")


def parse_control(text: str) -> dict[str, str]:
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


def deb_fields(deb: str | os.PathLike, use_dpkg: bool | None = None) -> dict[str, str]:
    """The control fields (Package, Version, Architecture, Maintainer, ...) of a .deb."""
    if use_dpkg is None:
        use_dpkg = shutil.which("dpkg-deb") is not None
    if use_dpkg:
        r = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True)
        return parse_control(r.stdout)
    name, blob = _member(ar_members(deb), "control.tar")
    with _open_tar(name, blob) as tf:
        for m in tf.getmembers():
            if m.name.lstrip("./") == "control":
                f = tf.extractfile(m)
                assert f is not None
                return parse_control(f.read().decode("utf-8", "replace"))
    raise ValueError(f"{deb}: control.tar has no control file")


def extract_deb(deb: str | os.PathLike, dest: str | os.PathLike, use_dpkg: bool | None = None) -> None:
    """Unpack the .deb's files into ``dest``. Without dpkg-deb only lib/modules is unpacked."""
    if use_dpkg is None:
        use_dpkg = shutil.which("dpkg-deb") is not None
    if use_dpkg:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
        return
    name, blob = _member(ar_members(deb), "data.tar")
    with _open_tar(name, blob) as tf:
        wanted = [
            m for m in tf.getmembers()
            if re.match(r"(\./)?(usr/)?lib/modules/", m.name) and (m.isfile() or m.isdir())
        ]
        if hasattr(tarfile, "data_filter"):
            tf.extractall(dest, members=wanted, filter="data")
        else:  # pragma: no cover - Python < 3.11.4
            for m in wanted:
                if m.name.startswith("/") or ".." in m.name.split("/"):
                    raise ValueError(f"unsafe path in .deb: {m.name}")
            tf.extractall(dest, members=wanted)


def modules_base(root: str | os.PathLike) -> tuple[Path, str]:
    """``(base, kernel_release)`` such that ``base/lib/modules/<release>`` holds the modules.

    Handles both /lib/modules and merged-/usr /usr/lib/modules packages; exactly one
    kernel release must be present.
    """
    r = Path(root)
    for base in (r, r / "usr"):
        md = base / "lib" / "modules"
        if md.is_dir():
            releases = sorted(p.name for p in md.iterdir() if p.is_dir() and (p / "kernel").is_dir())
            if len(releases) == 1:
                return base, releases[0]
            if len(releases) > 1:
                raise ValueError(f"several kernel releases in the package: {', '.join(releases)}")
    raise ValueError(f"no lib/modules/<release>/kernel in {root}")


def run_depmod(base: str | os.PathLike, release: str) -> None:
    depmod = shutil.which("depmod") or next(
        (p for p in ("/usr/sbin/depmod", "/sbin/depmod") if os.path.exists(p)), None
    )
    if depmod is None:
        raise RuntimeError("depmod (kmod) is not installed")
    r = subprocess.run([depmod, "-b", str(base), release], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"depmod -b {base} {release} failed: {r.stderr.strip()}")

"""What nicdb reads of a host besides its PCI devices: which firmware files it has, which
distribution it runs, and the live module parameters.

A :class:`HostSystem` answers :meth:`~HostSystem.find` (is this firmware file there, and
where) and carries ``/etc/os-release``. :func:`live_system` reads the machine it runs on
(or a root folder a test builds: every path is taken below ``root``); a snapshot carries
the answers recorded on its host (:func:`recorded_system`). Inputs that say nothing of
the host (lspci text, config-space dumps) have none, and presence is then unknown.

The firmware search path is the kernel's (drivers/base/firmware_loader/main.c,
``fw_path``): the ``firmware_class.path`` module parameter when set, then
``/lib/firmware/updates/<release>``, ``/lib/firmware/updates``,
``/lib/firmware/<release>`` and ``/lib/firmware``; a file compressed with xz or zstd
(``NAME.xz``, ``NAME.zst``) counts, as the kernel loads those too.

Only the standard library is imported here (``subprocess`` only for ``modinfo``).
"""

from __future__ import annotations

import os

FIRMWARE_SUFFIXES = ("", ".xz", ".zst")


def _is_glob(name: str) -> bool:
    return "*" in name or "?" in name or "[" in name


def firmware_dirs(root: str = "/", release: str | None = None) -> list[str]:
    """The kernel's firmware search path below ``root``, in the order it tries them."""
    release = release or os.uname().release
    fw = os.path.join(root, "lib", "firmware")
    out = []
    custom = _read(os.path.join(root, "sys", "module", "firmware_class", "parameters", "path"))
    if custom and custom.strip():
        out.append(os.path.join(root, custom.strip().lstrip("/")))
    out += [os.path.join(fw, "updates", release), os.path.join(fw, "updates"), os.path.join(fw, release), fw]
    return out


def _read(path: str, limit: int = 65536) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(limit)
    except OSError:
        return None


def parse_os_release(text: str) -> dict[str, str]:
    """``KEY=value`` lines of os-release(5): quotes removed, backslash escapes undone."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] == "#" or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if not key.isidentifier():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = _unescape(value[1:-1])
        out[key] = value
    return out


def _unescape(text: str) -> str:
    """Undo os-release's shell-style backslash escapes (\\" \\$ \\` \\\\)."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            i += 1
            c = text[i]
        out.append(c)
        i += 1
    return "".join(out)


def os_release(root: str = "/") -> dict[str, str] | None:
    """``/etc/os-release`` (else ``/usr/lib/os-release``) below ``root``; None when absent."""
    for rel in ("etc/os-release", "usr/lib/os-release"):
        text = _read(os.path.join(root, rel))
        if text is not None:
            return parse_os_release(text)
    return None


class HostSystem:
    """The firmware files and the distribution of one host.

    ``find(name)`` is the path of the firmware file ``name`` (relative to /lib/firmware)
    as the kernel would find it, or None; a name with wildcards (``brcm/brcmfmac*-pcie.*.bin``,
    each matching within one path component) gives the first file that matches.
    ``os_release`` is the host's /etc/os-release, None when unknown. ``where`` says how
    nicdb knows (``live`` or the snapshot it was recorded in); ``root`` is the live
    system's root folder (None for a recorded host).
    """

    __slots__ = ("os_release", "where", "_find", "_cache", "dirs", "_known", "root")

    def __init__(self, os_release: dict | None, where: str, find, dirs: list[str], known=None,
                 root: str | None = None):
        self.os_release = os_release
        self.where = where
        self.dirs = dirs
        self.root = root  # the live system's root folder ("/"); None for a recorded host
        self._find = find
        self._known = known
        self._cache: dict[str, str | None] = {}

    def knows(self, name: str) -> bool:
        """Whether presence of ``name`` is known (a snapshot knows only what it looked up)."""
        return self._known is None or name in self._known

    def find(self, name: str) -> str | None:
        hit = self._cache.get(name, 0)
        if hit == 0:
            hit = self._cache[name] = self._find(name)
        return hit

    def record(self, names) -> dict:
        """What a snapshot stores: the search path, and the path found for each name (None: absent)."""
        return {"search_path": self.dirs, "files": {n: self.find(n) for n in sorted(set(names))}}


def _find_in(dirs: list[str]):
    def find(name: str) -> str | None:
        if not name or name.startswith("/") or ".." in name.split("/"):
            return None
        wild = _is_glob(name)
        for d in dirs:
            if wild:
                got = _glob_one(d, name)
                if got:
                    return got
                continue
            base = os.path.join(d, name)
            for suffix in FIRMWARE_SUFFIXES:
                if os.path.isfile(base + suffix):  # follows links: a dangling link is no file
                    return base + suffix
        return None

    return find


def _glob_one(top: str, pattern: str) -> str | None:
    """The first file below ``top`` whose path matches ``pattern`` component by component
    (a wildcard never crosses ``/``), with or without a compression suffix."""
    from fnmatch import fnmatchcase

    parts = pattern.split("/")
    level = [top]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        nxt = []
        for d in level:
            if not _is_glob(part):
                cands = [part] + ([part + s for s in FIRMWARE_SUFFIXES[1:]] if last else [])
                names = [c for c in cands if os.path.lexists(os.path.join(d, c))]
            else:
                try:
                    entries = sorted(os.listdir(d))
                except OSError:
                    continue
                names = [e for e in entries if fnmatchcase(e, part)
                         or (last and any(e.endswith(s) and fnmatchcase(e[:-len(s)], part)
                                          for s in FIRMWARE_SUFFIXES[1:]))]
            for n in names:
                p = os.path.join(d, n)
                if last:
                    if os.path.isfile(p):
                        return p
                elif os.path.isdir(p):
                    nxt.append(p)
        level = nxt
    return None


def live_system(root: str = "/", release: str | None = None) -> HostSystem:
    """The host nicdb runs on (or the tree below ``root``, e.g. a test's folder)."""
    dirs = firmware_dirs(root, release)
    where = "live" if root == "/" else f"live:{root}"
    return HostSystem(os_release(root), where, _find_in(dirs), dirs, root=root)


def recorded_system(meta: dict, where: str) -> HostSystem | None:
    """The host as a snapshot recorded it (``meta.json``'s ``firmware`` and ``os_release``),
    or None when the snapshot recorded neither (one written by an older nicdb). A name
    the snapshot did not look up is not known (:meth:`HostSystem.knows`)."""
    fw = meta.get("firmware")
    osr = meta.get("os_release")
    if not isinstance(fw, dict) and not isinstance(osr, dict):
        return None
    fw = fw if isinstance(fw, dict) else {}
    files = fw.get("files")
    files = {k: v for k, v in files.items() if isinstance(k, str) and (v is None or isinstance(v, str))} \
        if isinstance(files, dict) else {}
    dirs = fw.get("search_path")
    dirs = [d for d in dirs if isinstance(d, str)] if isinstance(dirs, list) else []
    osr = {k: v for k, v in osr.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(osr, dict) \
        else None
    return HostSystem(osr, where, files.get, dirs, known=frozenset(files))


# ------------------------------------------------------------------ live module parameters


def module_param_values(module: str, root: str = "/") -> dict[str, str]:
    """``/sys/module/<module>/parameters/``: each parameter's current value (a loaded
    module exposes the parameters that have a sysfs mode); {} when not loaded."""
    d = os.path.join(root, "sys", "module", module, "parameters")
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return {}
    out = {}
    for n in names:
        v = _read(os.path.join(d, n), 4096)
        if v is not None:
            out[n] = v.strip()
    return out


def parse_modinfo_parm(text: str) -> dict[str, str]:
    """``modinfo -F parm`` output: ``name:description (type)`` per parameter (a description
    may continue on following lines) -> {name: description}."""
    out: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        name, sep, desc = line.partition(":")
        if sep and name.isidentifier():
            last = name
            out[last] = desc.strip()
        elif last is not None and line.strip():
            out[last] = (out[last] + " " + line.strip()).strip()
    return out


def module_param_descriptions(module: str) -> dict[str, str]:
    """The parameters' descriptions from ``modinfo -F parm`` when kmod and the module are
    installed; {} otherwise. Shown live, never stored."""
    import shutil
    import subprocess

    exe = shutil.which("modinfo") or next((p for p in ("/usr/sbin/modinfo", "/sbin/modinfo")
                                           if os.access(p, os.X_OK)), None)
    if exe is None:
        return {}
    try:
        p = subprocess.run([exe, "-F", "parm", module], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return {}
    return parse_modinfo_parm(p.stdout) if p.returncode == 0 else {}

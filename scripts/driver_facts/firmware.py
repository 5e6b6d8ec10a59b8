"""Which firmware package ships each firmware file that a network module declares.

A firmware package's files live under ``lib/firmware/`` (``usr/lib/firmware/`` from
trixie on); paths here are relative to that folder, as modules declare them. Symbolic
links are kept with their target, resolved to a path in the same folder.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from . import deb

_MEMBER = re.compile(r"^\.?/?(?:usr/)?lib/firmware/(.+)$")
_COMPRESSED = re.compile(r"\.(?:xz|zst)$")  # the kernel loader also finds NAME.xz / NAME.zst
_GLOB = re.compile(r"[*?\[]")

RULE = (
    "a firmware file is listed when its path under lib/firmware/ equals a name some kept module "
    "declares (firmware=), or matches a declared name with wildcards (* ? [..] within one path "
    "component), in any series; a symbolic link is followed to its final target, and the target "
    "is listed too"
)


@dataclass(frozen=True)
class Shipped:
    package: str
    version: str
    link: str | None  # the link's target (one step, resolved to a firmware path), None for a file


def read_files(path: str | os.PathLike, use_dpkg: bool | None = None) -> dict[str, str | None]:
    """Firmware path -> link target (a firmware path) or None, for one package."""
    out: dict[str, str | None] = {}
    for info, _reader in deb.iter_files(path, use_dpkg=use_dpkg):
        m = _MEMBER.match(info.name)
        if not m or info.isdir():
            continue
        rel = m.group(1)
        if info.issym():
            target = info.linkname
            if target.startswith("/"):
                tm = _MEMBER.match("." + target)
                target = tm.group(1) if tm else target
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            out[rel] = target
        elif info.isfile() or info.islnk():
            out[rel] = None
    return out


def is_glob(name: str) -> bool:
    return bool(_GLOB.search(name))


def glob_match(path: str, pattern: str) -> bool:
    """Shell-style match where wildcards do not cross '/'."""
    parts, pats = path.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatchcase(a, p) for a, p in zip(parts, pats))


def declared_match(path: str, names: set[str], globs: list[str]) -> bool:
    plain = _COMPRESSED.sub("", path)
    return plain in names or any(glob_match(plain, g) for g in globs)


def final_target(path: str, files: dict[str, Shipped]) -> str | None:
    """Where a chain of links starting at ``path`` ends (None if ``path`` is no link)."""
    seen = {path}
    cur = files[path].link
    if cur is None:
        return None
    while cur in files and files[cur].link is not None and cur not in seen and len(seen) < 40:
        seen.add(cur)
        cur = files[cur].link  # type: ignore[assignment]
    return cur


def shipped_rows(release: str, files: dict[str, Shipped], declared: set[str]) -> set[tuple[str, str, str, str, str]]:
    """``(file, release, package, version, final target or "")`` for the declared files of one
    release (``files``: every firmware path of the release's packages), and for the targets
    of the declared ones that are links."""
    names = {d for d in declared if not is_glob(d)}
    globs = sorted(d for d in declared if is_glob(d))
    rows = set()
    for path in files:
        if not declared_match(path, names, globs):
            continue
        target = final_target(path, files)
        s = files[path]
        rows.add((path, release, s.package, s.version, target or ""))
        if target is not None and target in files:
            t = files[target]
            rows.add((target, release, t.package, t.version, ""))
    return rows

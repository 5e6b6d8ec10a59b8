"""Which module each source file of a kernel tree's drivers/net belongs to (from the
Makefiles), and the PCI IDs each module's pci_device_id tables list."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from .csource import Constants, Source, blank, function_macros

SCOPE = "drivers/net"
OBJ = re.compile(r"^obj-[^:+]*[:+]?=\s*(.*)$")
COMPOSITE = re.compile(r"^([\w-]+?)-(?:objs|y|\$\([^)]*\))\s*[:+]?=\s*(.*)$")


def _logical_lines(text: str):
    buf = ""
    for raw in text.splitlines():
        raw = raw.split("#", 1)[0]
        if raw.rstrip().endswith("\\"):
            buf += raw.rstrip()[:-1] + " "
            continue
        yield (buf + raw).strip()
        buf = ""


def module_map(root: Path) -> dict[str, str]:
    """Source path (relative to the tree) -> module name, for .c and .h files under
    drivers/net. Composite modules (NAME-y / NAME-objs) claim their objects; a file
    named by obj-... alone is its own module; headers go with a module of the same stem,
    else with the commonest module of their folder."""
    base = root / SCOPE
    owner: dict[str, str] = {}
    single: set[str] = set()
    for mk in sorted(list(base.rglob("Makefile")) + list(base.rglob("Kbuild"))):
        d = mk.parent
        for line in _logical_lines(mk.read_text(errors="replace")):
            m = COMPOSITE.match(line)
            if m and not line.startswith(("obj-", "ccflags", "subdir", "CFLAGS", "EXTRA", "asflags", "ldflags")):
                mod = m.group(1).replace("-", "_")
                for obj in m.group(2).split():
                    if obj.endswith(".o"):
                        rel = str((d / obj[:-2]).relative_to(root)) + ".c"
                        owner.setdefault(rel, mod)
                continue
            m = OBJ.match(line)
            if m:
                for obj in m.group(1).split():
                    if obj.endswith(".o"):
                        single.add(str((d / obj[:-2]).relative_to(root)) + ".c")
    for rel in single:
        owner.setdefault(rel, Path(rel).stem.replace("-", "_"))
    files: dict[str, str] = {}
    for p in sorted(base.rglob("*.c")):
        rel = str(p.relative_to(root))
        files[rel] = owner.get(rel, p.stem.replace("-", "_"))
    by_dir: dict[str, Counter] = defaultdict(Counter)
    for rel, mod in files.items():
        by_dir[str(Path(rel).parent)][mod] += 1
    modules = set(files.values())
    for p in sorted(base.rglob("*.h")):
        rel = str(p.relative_to(root))
        stem = p.stem.replace("-", "_")
        d = str(p.parent.relative_to(root))
        if stem in modules and any(m == stem for m in by_dir.get(d, {})):
            files[rel] = stem
        elif by_dir.get(d):
            files[rel] = by_dir[d].most_common(1)[0][0]
        else:
            parent = str(p.parent.parent.relative_to(root))
            files[rel] = by_dir[parent].most_common(1)[0][0] if by_dir.get(parent) else p.parent.name
    return files


def pci_constants(root: Path) -> Constants:
    c = Constants()
    ids = root / "include/linux/pci_ids.h"
    if ids.exists():
        c.add_text(blank(ids.read_text(errors="replace")))
    return c


TABLE = re.compile(r"\bstruct\s+pci_device_id\s+\w+\s*\[\s*\w*\s*\]\s*(?:__\w+\s*)*=\s*\{", re.S)


def _split_entries(body: str) -> list[str]:
    """Top-level brace groups and macro calls of a table body."""
    out, depth, cur = [], 0, ""
    for ch in body:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def _expand(entry: str, macros: dict, depth: int = 0) -> str:
    m = re.match(r"\s*(\w+)\s*\((.*)\)\s*$", entry, re.S)
    if depth > 3 or not m or m.group(1) not in macros:
        return entry
    params, body = macros[m.group(1)]
    args = _split_entries(m.group(2))
    for p, a in zip(params, args):
        body = re.sub(rf"(?<!#)##\s*{re.escape(p)}\b|\b{re.escape(p)}\s*##|\b{re.escape(p)}\b",
                      lambda mm, a=a: a if "##" not in mm.group() else "\x00" + a + "\x00", body)
    body = re.sub(r"\s*\x00\s*", "", body)
    return _expand(body.strip(), macros, depth + 1)


def pci_ids(sources: list[Source], consts: Constants) -> list[tuple[str, str, str]]:
    """(vendor, device, device-macro-or-'') of every entry of the pci_device_id tables."""
    macros: dict = {}
    for s in sources:
        macros.update(function_macros(s.code))
    out = []
    for s in sources:
        for m in TABLE.finditer(s.code):
            depth, j = 0, m.end() - 1
            for j in range(m.end() - 1, len(s.code)):
                if s.code[j] == "{":
                    depth += 1
                elif s.code[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
            for entry in _split_entries(s.code[m.end():j]):
                e = _expand(entry.strip().strip("{}").strip(), macros)
                e = e.strip().strip("{}").strip()
                e = _expand(e, macros).strip().strip("{}").strip()
                got = _entry_ids(e, consts)
                if got:
                    out.append(got)
    seen, uniq = set(), []
    for x in out:
        if x[:2] not in seen:
            seen.add(x[:2])
            uniq.append(x)
    return uniq


def _entry_ids(e: str, consts: Constants):
    dv = re.search(r"\.vendor\s*=\s*\(?\s*(\w+)", e), re.search(r"\.device\s*=\s*\(?\s*(\w+)", e)
    if dv[0] and dv[1]:
        e = f"{dv[0].group(1)}, {dv[1].group(1)}"
    m = re.match(r"PCI_VDEVICE\s*\(\s*(\w+)\s*,\s*([^,)]+)", e)
    if m:
        v, d = consts.value("PCI_VENDOR_ID_" + m.group(1)), m.group(2).strip()
    else:
        m = re.match(r"PCI_DEVICE_DATA\s*\(\s*(\w+)\s*,\s*(\w+)", e)
        if m:
            v, d = consts.value("PCI_VENDOR_ID_" + m.group(1)), f"PCI_DEVICE_ID_{m.group(1)}_{m.group(2)}"
        else:
            m = re.match(r"(?:PCI_DEVICE(?:_SUB)?\s*\()?\s*([^,(){}]+)\s*,\s*([^,(){}]+)", e)
            if not m:
                return None
            v, d = consts.value(m.group(1)), m.group(2).strip()
    dv = consts.value(d)
    if v is None or dv is None or v in (0, 0xFFFF) or dv > 0xFFFF:
        return None
    return f"{v:04x}", f"{dv:04x}", d if not re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", d) else ""

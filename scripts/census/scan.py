"""Find the places where a driver depends on a PCI revision, in one kernel tree.

Seeds: reads of ``->revision`` on a pci_dev, PCI_REVISION_ID / PCI_CLASS_REVISION config
reads, and (in PCI drivers) a field whose name says "rev" filled from a register read
that names a revision. Each seed's clause is classified; a value stored in a field, a
local or returned by a small accessor is followed to where it is used (two hops).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .csource import Constants, Source, blank, function_macros
from .modules import SCOPE, module_map, pci_constants, pci_ids

PRINT = re.compile(r"^(?:printk|pr_\w+|dev_(?:info|err|warn|dbg|notice|printk|emerg|crit|alert|info_once|warn_once)"
                   r"|netdev_\w+|netif_\w+|\w*(?:DPRINTK|PRINTK|printk|_dbg|_info|_warn|_err|_notice|_msg|_print|_log)"
                   r"|seq_printf|DBG\w*|DP_\w+|D_[A-Z]+|IWL_\w+|ath\w*_dbg|ath\w*_info|ath\w*_warn|wiphy_\w+|rtw\w*_dbg|rtw\w*_info)$")
ETHTOOL_FUNC = re.compile(r"drvinfo|get_regs|ethtool", re.I)
ETHTOOL_TEXT = re.compile(r"regs\s*->\s*version|drvinfo|->\s*fw_version|->\s*bus_info|info\s*->\s*version")
PROBE_FUNC = re.compile(r"probe|init_one|init_board|_attach|found_device|_init_pci|check_hw|sw_init|_identify", re.I)
FAIL = re.compile(r"\breturn\s+(?:-\s*\w+|\(?\s*-\s*E\w+|\w*ERR\w*|-?E\w+\b)|\bgoto\s+\w*(?:err|fail|out|disable|release|"
                  r"free|abort|unmap|cleanup|bail)\w*")
OTHER_DEV = r"pci_get_\w+|pci_upstream_bridge|bus\s*->\s*self|pci_find_\w+|pci_dev_get|for_each_pci_dev"
CMP = r"(==|!=|<=|>=|<|>)"
OPERAND = r"(-?\(?\s*(?:0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*)(?:\s*\(\s*\w*\s*\))?[uUlL]*\s*\)?)"
TABLE_OPERAND = re.compile(r"^[\w\[\]]+(?:\s*(?:->|\.)\s*\w+)+$")
MAX_IDS = 6


@dataclass
class Hit:
    """One place: a clause that touches a revision value."""

    version: str
    module: str
    file: str
    line: int
    function: str
    kind: str
    read_from: str            # pci | register | other
    range: str
    ids: str
    key: str                  # normalised clause, used only to merge versions (never written)
    auto_note: str = ""


@dataclass
class Value:
    """A revision value being followed: how to find it and how it was transformed."""

    pattern: re.Pattern
    read_from: str
    transform: str = ""       # '', '>>N' or '&M'
    scope: tuple | None = None  # (Source, start, end) for locals; None for module-wide
    origin: tuple = ()        # (file, line) of the store it came from, to skip itself


@dataclass
class Module:
    name: str
    sources: list[Source]
    consts: Constants
    ids: list[tuple[str, str, str]]
    pci_names: set[str] = field(default_factory=set)
    other_types: dict[str, str] = field(default_factory=dict)


def _module(name: str, files: list[Path], root: Path, pci: Constants) -> Module:
    sources = [Source(p, str(p.relative_to(root))) for p in files]
    consts = Constants(dict(pci.raw), dict(pci.values))
    for s in sorted(sources, key=lambda s: not s.rel.endswith(".h")):
        consts.add_text(s.code)
    # constants of headers in the module's folders and their parents (hns3/hnae3.h and the like)
    dirs = {p.parent for p in files} | {p.parent.parent for p in files}
    for d in sorted(dirs):
        if str(d.relative_to(root)).startswith(SCOPE + "/"):
            for h in sorted(d.glob("*.h")):
                if h not in files:
                    consts.add_text(blank(h.read_text(errors="replace")))
    mod = Module(name, sources, consts, pci_ids(sources, consts))
    for s in sources:
        mod.pci_names |= set(re.findall(r"\bstruct\s+pci_dev\s*\*\s*(?:const\s+)?(\w+)", s.code))
        for t, n in re.findall(r"\bstruct\s+(\w+)\s*\*\s*(?:const\s+)?(\w+)\s*[;,)=]", s.code):
            if t != "pci_dev":
                mod.other_types.setdefault(n, t)
    return mod


SEED_TRIGGER = re.compile(r"->\s*revision\b|PCI_REVISION_ID|PCI_CLASS_REVISION|rev", re.I)


def scan_tree(root: Path, version: str) -> list[Hit]:
    files = module_map(root)
    pci = pci_constants(root)
    by_mod: dict[str, list[Path]] = defaultdict(list)
    for rel, mod in files.items():
        by_mod[mod].append(root / rel)
    hits: list[Hit] = []
    for name in sorted(by_mod):
        paths = sorted(by_mod[name])
        texts = [p.read_text(errors="replace") for p in paths]
        if not any(re.search(r"->\s*revision\b|PCI_REVISION_ID|PCI_CLASS_REVISION", t) for t in texts) and \
                not any(re.search(r"rev\w*\s*=[^=;]*(?:read|rd|in[bwl]?)\w*\s*\([^;]*(?:rev|REV)", t) for t in texts):
            continue
        mod = _module(name, paths, root, pci)
        hits.extend(Scanner(mod, version).run())
    return hits


class Scanner:
    def __init__(self, mod: Module, version: str):
        self.mod, self.version = mod, version
        self.hits: dict[tuple, Hit] = {}
        self.followed: set[tuple] = set()
        self.macros: dict | None = None

    # ---------------------------------------------------------------- seeds
    def run(self) -> list[Hit]:
        queue: list[tuple[Value, int]] = []
        for s in self.mod.sources:
            code = s.code
            for m in re.finditer(r"((?:\w+|\))\s*(?:\[[^\]]*\])?)\s*->\s*revision\b", code):
                base = re.sub(r"\[.*", "", m.group(1)).strip()
                if base == ")":
                    pre = code[max(0, m.start() - 80):m.end()]
                    if not re.search(r"to_pci_dev\s*\([^()]*\)\s*->\s*revision$|\(\s*\w*pdev\w*\s*\)\s*->\s*revision$"
                                     r"|\(\s*pci_dev\s*\)\s*->\s*revision$", pre):
                        continue
                    base = "pdev"
                elif base not in self.mod.pci_names and base not in ("pdev", "pci_dev", "pcidev", "pci_device"):
                    continue  # rule 1: ->revision of something not declared a pci_dev is not a PCI revision
                frm = "other" if self._is_other(s, m.start(), base) else "pci"
                queue += self._classify(s, m.start(), m.end(), frm, "")
            for m in re.finditer(r"\b(PCI_REVISION_ID|PCI_CLASS_REVISION)\b|(?<=pci_read_config_byte)\s*\(\s*\w+\s*,"
                                 r"\s*(?:0x0?8|8)\s*,", code):
                ls = code.rfind("\n", 0, m.start()) + 1
                if re.match(r"[ \t]*#", code[ls:]):
                    continue
                cs, ce = s.clause(m.start())
                call = re.search(r"(\w*read_config\w*|\w+)\s*\(\s*([^,()]+(?:\([^()]*\))?)\s*,", code[cs:ce])
                base = call.group(2).strip() if call else ""
                base = re.sub(r".*(?:->|\.)\s*", "", base)
                frm = "other" if base and self._is_other(s, m.start(), base) else "pci"
                tr = "&ff" if m.group(1) == "PCI_CLASS_REVISION" else ""
                if m.group(1) is None and base not in self.mod.pci_names and base not in ("pdev", "pci_dev"):
                    continue  # a raw offset 8 read on something not known to be a pci_dev
                queue += self._classify(s, m.start(), m.end(), frm, tr, config_read=True)
            if self.mod.ids:
                for m in re.finditer(r"([\w>.\-\[\]]*rev\w*)\s*=\s*(?:\(\s*u\d+\s*\)\s*)?\(?\s*(\w*(?:read|rd|_in|^in)\w*)"
                                     r"\s*\(([^;]*)\)", code, re.I):
                    if not re.search(r"rev|ver", m.group(3), re.I) or "config" in m.group(2):
                        continue
                    cs, ce = s.clause(m.start())
                    # the read is the row; its uses are not followed (a chip register is the
                    # chip's own numbering, seldom the PCI revision byte -- the review says which)
                    self._add(s, m.start(), "chip-register", "register", "-", "", cs, ce)
        for _ in range(3):
            nxt = []
            for val, _depth in queue:
                nxt += self._follow(val)
            queue = nxt
            if not queue:
                break
        return list(self.hits.values())

    def _is_other(self, s: Source, pos: int, base: str) -> bool:
        fs, fe, _ = s.function_at(pos)
        body = s.code[fs:fe]
        if re.search(rf"\b{re.escape(base)}\s*=\s*[^;]*(?:{OTHER_DEV})", body) or \
                re.search(rf"for_each_pci_dev\s*\(\s*{re.escape(base)}\s*\)", body):
            return True
        return bool(re.search(r"bridge|host|amd_?\d|isa|root|north|south|parent|peer", base, re.I)) and \
            base not in ("pdev", "pci_dev")

    # ---------------------------------------------------------------- following
    def _targets(self, s: Source, cs: int, ce: int, pos: int, frm: str, tr: str) -> list[tuple[Value, int]]:
        """What the clause stores the value into: a field, a local, an accessor's return."""
        text = s.code[cs:ce]
        out = []
        rel = pos - cs
        shift = re.search(r"^[^;]*?>>\s*(\w+)", text[rel:])
        mask = re.search(r"^[^;,)]*?&\s*(0[xX][0-9a-fA-F]+|\w+)", text[rel:])
        ntr = tr
        if shift and self.mod.consts.value(shift.group(1)) is not None:
            ntr = f">>{self.mod.consts.value(shift.group(1))}"
        elif mask and self.mod.consts.value(mask.group(1)) is not None and not tr:
            ntr = f"&{self.mod.consts.value(mask.group(1)):x}"
        m = re.match(r"\s*(?:(?:const|static|unsigned|signed|u8|u16|u32|int|char|long|__u8|__u16|__u32)\s+)*"
                     r"([\w\[\]]+(?:\s*(?:->|\.)\s*\w+)*)\s*(\|)?=[^=]", text)
        amp = re.search(r"&\s*([\w\[\]]+(?:\s*(?:->|\.)\s*\w+)*)\s*\)\s*$", text.rstrip(" ;\n\t)") + ")")
        target = None
        if m and text.index("=") < rel:
            target = m.group(1)
        elif amp and re.search(r"read_config|PCI_REVISION_ID|PCI_CLASS_REVISION", text):
            target = amp.group(1)
        if target:
            target = re.sub(r"\[[^\]]*\]", "", target)
            parts = re.split(r"\s*(?:->|\.)\s*", target)
            name = parts[-1]
            line = s.line(pos)
            if len(parts) > 1:
                pat = re.compile(rf"(?:->|\.)\s*{re.escape(name)}\b")
                out.append((Value(pat, frm, ntr, None, (s.rel, line)), 0))
            else:
                fs, fe, _ = s.function_at(pos)
                pat = re.compile(rf"(?<![\w>.]){re.escape(name)}\b")
                out.append((Value(pat, frm, ntr, (s, ce, fe), (s.rel, line)), 0))
        ret = re.match(r"\s*return\b", text)
        if ret:
            fs, fe, fname = s.function_at(pos)
            if fname and fe - fs < 600:
                pat = re.compile(rf"\b{re.escape(fname)}\s*\([^()]*(?:\([^()]*\))?[^()]*\)")
                out.append((Value(pat, frm, ntr, None, (s.rel, s.line(pos))), 0))
        return out

    def _follow(self, val: Value) -> list[tuple[Value, int]]:
        key = (val.pattern.pattern, val.scope[0].rel if val.scope else "", val.scope[1] if val.scope else 0)
        if key in self.followed:
            return []
        self.followed.add(key)
        out = []
        sources = [val.scope[0]] if val.scope else self.mod.sources
        for s in sources:
            lo, hi = (val.scope[1], val.scope[2]) if val.scope else (0, len(s.code))
            for m in val.pattern.finditer(s.code, lo, hi):
                after = s.code[m.end():m.end() + 3]
                if re.match(r"\s*=[^=]|\s*[|&+-]=|\s*\+\+|\s*--", after):
                    continue  # a write, not a use
                ls = s.code.rfind("\n", 0, m.start()) + 1
                if re.match(r"[ \t]*#[ \t]*define[ \t]+\w+[ \t]", s.code[ls:]) and val.scope is None and \
                        "(" not in s.code[ls:m.start()]:
                    continue
                if (s.rel, s.line(m.start())) == val.origin:
                    continue
                out += self._classify(s, m.start(), m.end(), val.read_from, val.transform)
        return out

    # ---------------------------------------------------------------- classification
    def _classify(self, s: Source, a: int, b: int, frm: str, tr: str, config_read: bool = False):
        a = _chain_start(s.code, a)
        cs, ce = s.clause(a)
        text = s.code[cs:ce]
        fs, fe, fname = s.function_at(a)
        label = re.match(r"(?:\s*(?:case\s+[^:;]+|default)\s*:(?!:))+", text)
        if label:  # 'case X:' labels before a statement belong to the switch above
            cs += label.end()
            text = s.code[cs:ce]
        first = re.match(r"\s*(?:else\s+)?(\w+)\s*\(", text)
        call = first.group(1) if first else ""
        if call and PRINT.match(call) and call not in ("switch", "if", "while", "return"):
            self._add(s, a, "log" if not (ETHTOOL_FUNC.search(fname)) else "ethtool", frm, "-", tr, cs, ce)
            return []
        if ETHTOOL_FUNC.search(fname) or ETHTOOL_TEXT.search(text):
            self._add(s, a, "ethtool", frm, "-", tr, cs, ce)
            return []
        if call == "switch":
            cases = self._cases(s, ce)
            kind = "match"
            blk = s.block_after(ce)
            dflt = re.search(r"\bdefault\s*:(.*)", blk, re.S)
            if dflt and FAIL.search(dflt.group(1)[:200]) and PROBE_FUNC.search(fname or ""):
                kind = "refuse"
            rng = "rev in {" + ",".join(self._fmt(v, tr) for v in cases) + "}" if cases else "switch"
            self._add(s, a, kind, frm, rng, tr, cs, ce)
            return []
        cmps = self._macro_predicate(s, a, b, tr) or self._comparisons(s, cs, ce, a, b, tr)
        if cmps is not None:
            kind, rng = cmps
            if kind in ("threshold", "match") and re.match(r"\s*(?:else\s+)?(?:if|while)\b", text):
                body = s.block_after(ce) if s.code[ce:ce + 1] == "{" else text[text.find(")") + 1:]
                if s.code[ce:ce + 1] == "{":
                    body = s.block_after(ce)
                if FAIL.search(body[:400]) and PROBE_FUNC.search(fname or "") and len(body) < 600:
                    kind = "refuse"
            self._add(s, a, kind, frm if kind != "refuse" or frm != "other" else "other", rng, tr, cs, ce)
            if kind == "table" or re.match(r"\s*return\b", text) is None:
                return []
            return []
        if re.search(r"\[[^\]]*$", s.code[cs:a]) and re.match(r"[^\[]*\]", s.code[b:ce]):
            self._add(s, a, "table", frm, "-", tr, cs, ce)
            return []
        self._add(s, a, "store", frm, "-", tr, cs, ce)
        return self._targets(s, cs, ce, a, frm, tr)

    def _macro_predicate(self, s: Source, a: int, b: int, tr: str):
        """The value as the only argument of a one-parameter macro that compares it
        (NX_IS_REVISION_P3(x) and the like): (kind, range) from the macro's body."""
        lm = re.search(r"(\w+)\s*\(\s*$", s.code[max(0, a - 60):a])
        if not lm or not re.match(r"\s*\)", s.code[b:b + 5]):
            return None
        if self.macros is None:
            self.macros = {}
            for src in self.mod.sources:
                self.macros.update(function_macros(src.code))
        mac = self.macros.get(lm.group(1))
        if not mac or len(mac[0]) != 1:
            return None
        p = re.escape(mac[0][0])
        body = re.sub(r"[()]", " ", mac[1])
        m = re.fullmatch(rf"\s*{p}\s*{CMP}\s*(\w+)\s*", body)
        if m:
            v = self.mod.consts.value(m.group(2))
            if v is not None:
                return ("match" if m.group(1) in ("==", "!=") else "threshold"), self._range(m.group(1), v, tr, "")
        m = re.fullmatch(rf"\s*{p}\s*>=\s*(\w+)\s*&&\s*{p}\s*<=\s*(\w+)\s*", body)
        if m:
            lo, hi = self.mod.consts.value(m.group(1)), self.mod.consts.value(m.group(2))
            if lo is not None and hi is not None:
                return "threshold", f"rev in {lo:02x}-{hi:02x}"
        return None

    def _cases(self, s: Source, ce: int) -> list[int]:
        blk = s.block_after(ce)
        vals, depth = [], 0
        for m in re.finditer(r"[{}]|\bcase\s+([^:]+?)\s*(?:\.\.\.\s*([^:]+?))?\s*:", blk):
            if m.group() == "{":
                depth += 1
            elif m.group() == "}":
                depth -= 1
            elif depth == 1:
                lo = self.mod.consts.value(m.group(1))
                hi = self.mod.consts.value(m.group(2)) if m.group(2) else lo
                if lo is not None and hi is not None and hi - lo < 256:
                    vals += range(lo, hi + 1)
        return sorted(set(vals))

    def _comparisons(self, s: Source, cs: int, ce: int, a: int, b: int, tr: str):
        """(kind, range) when the value at [a, b) is compared in its clause, else None."""
        code = s.code
        right = code[b:ce]
        left = code[cs:a]
        rm = re.match(r"\s*(\)\s*)?(?:(>>)\s*(\w+)\s*\)?\s*)?(?:(&)\s*(\w+)\s*\)?\s*)?" + CMP + r"\s*" + OPERAND,
                      right)
        lm = re.search(OPERAND + r"\s*" + CMP + r"\s*\(?\s*$", left)
        if rm:
            op, operand = rm.group(6), rm.group(7)
            if rm.group(2):
                tr = f">>{self.mod.consts.value(rm.group(3))}"
            elif rm.group(4) and self.mod.consts.value(rm.group(5)) is not None:
                tr = f"&{self.mod.consts.value(rm.group(5)):x}"
        elif lm:
            flip = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
            op, operand = flip[lm.group(2)], lm.group(1)
        else:
            return None
        operand = operand.strip()
        if "(" in operand and not re.fullmatch(r"\(?\s*[\w]+\s*\)?", operand):
            return None
        rest = code[b + (rm.end() if rm else 0): b + (rm.end() if rm else 0) + 40]
        if rm and re.match(r"\s*(?:->|\.|\[)", rest) or TABLE_OPERAND.match(operand.strip("()")):
            return "table", "per table entry"
        operand = operand.strip("() ")
        v = self.mod.consts.value(operand)
        text = code[cs:ce]
        kind = "match" if op in ("==", "!=") else "threshold"
        if v is None:
            if re.fullmatch(r"[A-Za-z_]\w*", operand.strip("() ")) and operand.strip("() ").islower():
                return "table", "per table entry"
            return kind, f"rev {op} {operand.strip('() ')} (unresolved)"
        return kind, self._range(op, v, tr, text)

    def _fmt(self, v: int, tr: str) -> str:
        return f"{v:02x}"

    def _range(self, op: str, v: int, tr: str, text: str) -> str:
        if tr.startswith(">>"):
            n = int(tr[2:])
            lo, hi = v << n, ((v + 1) << n) - 1
            conv = {"==": ("in", lo, hi), ">": (">=", hi + 1, None), ">=": (">=", lo, None),
                    "<": ("<", lo, None), "<=": ("<", hi + 1, None), "!=": ("not in", lo, hi)}[op]
            if conv[0] in ("in", "not in"):
                return f"rev {conv[0]} {conv[1]:02x}-{conv[2]:02x}"
            return f"rev {conv[0]} 0x{conv[1]:02x}"
        if tr.startswith("&"):
            m = int(tr[1:], 16)
            low = (~m) & 0xFF
            if op == "==" and m & 0xFF and ((m & 0xFF) + (low & -low if low else 0)) and \
                    (m & 0xFF) == (0xFF ^ low) and (low & (low + 1)) == 0:
                return f"rev in {v:02x}-{v | low:02x}" if low else f"rev == 0x{v:02x}"
            if m == 0xFF:
                return f"rev {op} 0x{v:02x}"
            return f"rev & 0x{m:02x} {op} 0x{v:02x}"
        return f"rev {op} 0x{v:02x}"

    def _ids(self, s: Source, cs: int, ce: int) -> str:
        ids = self.mod.ids
        if not ids:
            return ""
        lo = s.code.rfind("\n", 0, max(0, cs - 1))
        lo = s.code.rfind("\n", 0, max(0, lo - 1))
        window = s.code[max(0, lo):ce]
        named = [f"{v}:{d}" for v, d, mac in ids if (mac and re.search(rf"\b{re.escape(mac)}\b", window))
                 or re.search(rf"\b0x{d}\b", window, re.I)]
        if named:
            return " ".join(sorted(set(named)))
        if len(ids) <= MAX_IDS:
            return " ".join(f"{v}:{d}" for v, d, _ in ids)
        return f"* ({len(ids)} IDs)"

    def _add(self, s: Source, pos: int, kind: str, frm: str, rng: str, tr: str, cs: int, ce: int) -> None:
        line = s.line(pos)
        clause_key = re.sub(r"\s+", " ", s.code[cs:ce]).strip()
        _, _, fname = s.function_at(pos)
        if kind == "refuse" or frm == "other" and kind not in ("log", "ethtool"):
            pass
        if frm == "other" and kind in ("threshold", "match", "table", "store", "refuse"):
            kind_out = "other-device"
        else:
            kind_out = kind
        key = (s.rel, clause_key, fname)
        prev = self.hits.get(key)
        if prev:
            # several revision reads in one clause: one row, the ranges joined
            if rng != "-" and rng not in prev.range.split("; "):
                prev.range = rng if prev.range in ("-", "") else self._join(prev.range, rng, clause_key)
            order = ["refuse", "other-device", "chip-register", "table", "match", "threshold", "store", "ethtool", "log"]
            if order.index(kind_out) < order.index(prev.kind):
                prev.kind = kind_out
            return
        note = ""
        if frm == "register":
            note = "revision from a chip register, not PCI config space"
        self.hits[key] = Hit(self.version, self.mod.name, s.rel, line, fname, kind_out, frm, rng,
                             self._ids(s, cs, ce), clause_key, note)

    @staticmethod
    def _join(a: str, b: str, clause: str) -> str:
        ma = re.fullmatch(r"rev (>=|>) 0x(\w+)", a)
        mb = re.fullmatch(r"rev (<=|<) 0x(\w+)", b)
        if ma and mb and "&&" in clause:
            lo = int(ma.group(2), 16) + (ma.group(1) == ">")
            hi = int(mb.group(2), 16) - (mb.group(1) == "<")
            return f"rev in {lo:02x}-{hi:02x}"
        ea = re.fullmatch(r"rev (?:== 0x(\w+)|in \{([\w,]+)\})", a)
        eb = re.fullmatch(r"rev == 0x(\w+)", b)
        if ea and eb and "||" in clause:
            vals = (ea.group(2) or ea.group(1)).split(",") + [eb.group(1)]
            return "rev in {" + ",".join(sorted(set(vals))) + "}"
        return f"{a}; {b}"


def _chain_start(code: str, a: int) -> int:
    """Start of the member chain ending at a ('priv->hw.rev' from the '.rev' match)."""
    while a > 0:
        c = code[a - 1]
        if c.isalnum() or c in "_.":
            a -= 1
        elif c == ">" and a > 1 and code[a - 2] == "-":
            a -= 2
        elif c in " \t" and a > 1 and (code[a - 2:a] == "->" or code[a - 2] == "."):
            a -= 1
        elif c == "]":
            j = code.rfind("[", 0, a)
            if j < 0 or a - j > 40:
                break
            a = j
        else:
            break
    return a


def scope_files(root: Path) -> Path:
    return root / SCOPE

"""Which kernel modules could drive a PCI device: modaliases matched against modules.alias.

This is what ``lspci -k`` prints as "Kernel modules:", done from the device's IDs alone,
so it also works for a device read from a dump, on another machine, or for another kernel.

The device side
    The kernel announces a PCI function as a *modalias* string
    ``pci:v0000VVVVd0000DDDDsv0000SSSSsd0000ssssbcBBscSSiII`` (uppercase hex, exactly what
    ``/sys/bus/pci/devices/*/modalias`` shows). nicdb often knows less than sysfs does:
    plain ``lspci`` has no subsystem IDs, some inputs have no class code. A string cannot
    say "unknown" without lying (``sv00000000`` is a real value: "no subsystem"), so
    matching uses a structured :class:`ModaliasKey` -- seven fields, each a fixed-width
    uppercase hex string or ``None`` -- and **a ``None`` field matches every pattern
    value**. :func:`modalias_for` renders the key as text for display only, writing ``*``
    for an unknown field (the meaning modules.alias gives ``*``).

    One guard keeps unknown fields from matching on no evidence: when a field a pattern
    constrains is unknown, the match must also rest on a known constrained field other
    than the vendor (see :func:`pattern_matches`). Otherwise a device of unknown class
    would "match" every class-based driver (xhci_pci, ahci, nvme, ...).

The module side
    A modules.alias line is ``alias PATTERN MODULE``; PATTERN is an fnmatch(3)-style glob
    (``*``, ``?``, ``[...]``, ``[!...]``) over the modalias string. Kernel-generated PCI
    patterns always have the seven fields in order (``pci:v...d...sv...sd...bc...sc...i...``)
    with fixed-width hex or ``*`` in each, so a pattern is split at its lowercase field
    markers and each field's glob is matched against the device's field: for such
    patterns that equals matching the whole string, and it is what lets an unknown field
    be skipped. Hex is compared case-insensitively (the kernel compares case-sensitively,
    but writes uppercase hex on both sides). A pattern that does not split into the seven
    fields (a hand-written ``MODULE_ALIAS``) is matched as one whole-string glob in which
    each digit of an unknown field matches any hex-digit atom of the pattern.

Speed
    Loading finds the ``alias pci:`` lines with one regex pass and neither parses nor
    compiles globs: each alias is filed under its literal vendor and device when the
    pattern starts with them; aliases with a wildcard vendor or device are split by
    literal base class. A lookup visits one device bucket plus the few wildcard aliases
    of its vendor and class, and compiles a pattern the first time it is needed (cached
    per process). Measured on Debian's full 6.1 modules.alias (26,223 lines, 8,968 PCI
    aliases): load ~15-19 ms, lookup ~6-12 us. The shipped table (data/driver-facts/
    aliases.tsv) is not parsed here: the database holds it, keyed by literal vendor and
    device (:func:`literal_ids`), and :func:`finder` asks only for the rows of one ID.

Only the standard library is imported here.
"""

from __future__ import annotations

import os
import re
from operator import itemgetter as _itemgetter

from nicdb.errors import DataError, InputError
from nicdb.model import PciDevice

# Field markers of a PCI modalias and the width of each field in hex digits.
FIELDS = ("v", "d", "sv", "sd", "bc", "sc", "i")
WIDTHS = (8, 8, 8, 8, 2, 2, 2)


_HEX = frozenset("0123456789abcdefABCDEF")
_GLOB_CHARS = frozenset("*?[\\")


class ModaliasKey(tuple):
    """A device's PCI modalias, field by field: uppercase fixed-width hex, or ``None`` if unknown.

    A plain tuple of seven fields in :data:`FIELDS` order, with names for them. (Written
    out rather than a ``typing.NamedTuple``, whose class creation compiles code on every
    run of the command.)
    """

    __slots__ = ()

    def __new__(cls, vendor: str | None, device: str | None, subvendor: str | None, subdevice: str | None,
                base_class: str | None, sub_class: str | None, prog_if: str | None) -> "ModaliasKey":
        return tuple.__new__(cls, (vendor, device, subvendor, subdevice, base_class, sub_class, prog_if))

    def __repr__(self) -> str:
        names = ("vendor", "device", "subvendor", "subdevice", "base_class", "sub_class", "prog_if")
        return "ModaliasKey(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self)) + ")"

    vendor = property(_itemgetter(0))
    device = property(_itemgetter(1))
    subvendor = property(_itemgetter(2))
    subdevice = property(_itemgetter(3))
    base_class = property(_itemgetter(4))
    sub_class = property(_itemgetter(5))
    prog_if = property(_itemgetter(6))

def modalias_key(device: PciDevice) -> ModaliasKey:
    """The structured modalias of ``device``; fields the input did not supply are ``None``."""
    v, d, sv, sd, cc = (
        device.vendor, device.device, device.subsystem_vendor, device.subsystem_device, device.class_code
    )
    return _new_key(
        ModaliasKey,
        (
            None if v is None else "%08X" % v,
            None if d is None else "%08X" % d,
            None if sv is None else "%08X" % sv,
            None if sd is None else "%08X" % sd,
            None if cc is None else "%02X" % ((cc >> 16) & 0xFF),
            None if cc is None else "%02X" % ((cc >> 8) & 0xFF),
            None if cc is None else "%02X" % (cc & 0xFF),
        ),
    )


_new_key = tuple.__new__


# --------------------------------------------------------------------------- globs


def _glob_regex(glob: str, unknown_ok: bool = False) -> str:
    """Translate an fnmatch(3) glob (no FNM_ flags) to a regular expression.

    With ``unknown_ok``, every single-character atom that could match a hex digit also
    matches ``\\0``, the stand-in for a digit of an unknown field.
    """
    out: list[str] = []
    i, n = 0, len(glob)

    def atom(rx: str, hexish: bool) -> None:
        out.append(f"(?:{rx}|\\x00)" if unknown_ok and hexish else rx)

    while i < n:
        c = glob[i]
        i += 1
        if c == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            atom(".", True)
        elif c == "\\" and i < n:
            atom(re.escape(glob[i]), glob[i] in _HEX)
            i += 1
        elif c == "[":
            j = i
            if j < n and glob[j] in "!^":
                j += 1
            if j < n and glob[j] == "]":  # a leading ']' is a member, not the end
                j += 1
            while j < n and glob[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal '[', as fnmatch(3) does
                atom(re.escape(c), False)
                continue
            body, i = glob[i:j], j + 1
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            members = "".join("\\" + ch if ch in "\\^[]" else ch for ch in body)
            atom("[" + ("^" if negate else "") + members + "]", True)
        else:
            atom(re.escape(c), c in _HEX)
    return "".join(out)


_MATCH_ALL = None  # a field test meaning "anything"
_field_tests: dict[tuple[str, int], object] = {}


_NEVER_MATCH = r"(?!)"


def _compile_glob(rx: str) -> re.Pattern:
    """Compile a translated glob; a malformed one (``[z-a]``) matches nothing, as in fnmatch(3)."""
    import warnings

    try:
        with warnings.catch_warnings():  # "possible set difference" for [--x] and the like: the
            warnings.simplefilter("ignore", FutureWarning)  # meaning is today's; no Python warning on stderr
            return re.compile(rx, re.IGNORECASE | re.DOTALL)
    except re.error:
        return re.compile(_NEVER_MATCH)


def _field_test(glob: str, width: int):
    """A field glob as a test: None (any), an uppercase literal, or a compiled regex.

    The device's field is exactly ``width`` hex digits, so a literal of that width
    followed by ``*`` (``i00*``, as the kernel writes the last field) is that literal.
    """
    t = _field_tests.get((glob, width), 0)
    if t == 0:
        head = glob.rstrip("*")
        if glob and not head:
            t = _MATCH_ALL
        elif not (_GLOB_CHARS & set(glob)):
            t = glob.upper()
        elif len(head) == width and not (_GLOB_CHARS & set(head)):
            t = head.upper()
        else:
            t = _compile_glob(_glob_regex(glob))
        _field_tests[(glob, width)] = t
    return t


_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")


def _split_kernel_shaped(pattern: str) -> tuple[str, ...] | None:
    """Kernel-generated patterns: lowercase markers, uppercase hex -- split without ambiguity
    (what ``pci:v([^a-z]*)d([^a-z]*)...i([^a-z]*)`` matches, without compiling a regex on
    every run)."""
    if not pattern.startswith("pci:"):
        return None
    out = []
    pos, n = 4, len(pattern)
    lower = _LOWER
    for marker in FIELDS:
        if not pattern.startswith(marker, pos):
            return None
        pos = end = pos + len(marker)
        while end < n and pattern[end] not in lower:
            end += 1
        out.append(pattern[pos:end])
        pos = end
    return tuple(out) if pos == n else None

# Lowercase hex: prefer a field of exactly its width in single-character atoms, else the
# shortest run of glob characters.
_ATOM = r"(?:[0-9A-Fa-f?]|\[\]?[^\]]*\])"
_RUN = r"[0-9A-Fa-f?*\[\]!^\\-]*?"


def _f(width: int) -> str:
    return rf"({_ATOM}{{{width}}}|{_RUN})"


def split_pattern(pattern: str) -> tuple[str, ...] | None:
    """The seven field globs of a PCI alias pattern, or None if it does not have that shape."""
    fields = _split_kernel_shaped(pattern)
    if fields is not None:
        return fields
    m = re.match(rf"pci:v{_f(8)}d{_f(8)}sv{_f(8)}sd{_f(8)}bc{_f(2)}sc{_f(2)}i{_f(2)}\Z", pattern)
    return None if m is None else m.groups()


_tests_cache: dict[str, object] = {}


def _tests_for(pattern: str):
    """Compile a pattern once: a tuple of ``(field index, test)`` for its constraining
    (non-``*``) fields, or one regex when it does not split into the seven fields."""
    t = _tests_cache.get(pattern)
    if t is None:
        fields = split_pattern(pattern)
        if fields is not None:
            t = tuple(
                (i, ft) for i, (g, w) in enumerate(zip(fields, WIDTHS))
                if (ft := _field_test(g, w)) is not None
            )
        else:
            t = _compile_glob(_glob_regex(pattern, unknown_ok=True))
        _tests_cache[pattern] = t
    return t


def pattern_matches(pattern: str, key: ModaliasKey) -> bool:
    """Does one modules.alias PCI pattern match the (possibly partial) key?

    Every field the device knows must match the pattern's glob for that field; a field it
    does not know matches any value. One guard keeps unknown fields from matching on no
    evidence: if some field the pattern constrains (is not ``*``) is unknown, the match
    must also rest on a known constrained field other than the vendor. So e1000e's
    ``v00008086d000010D3...`` matches with class and subsystem unknown, but ahci's
    ``v00008086d*sv*sd*bc01sc06i*`` or xhci_pci's ``v*d*sv*sd*bc0Csc03i30*`` do not match a
    device whose class is unknown, and virtio_pci's vendor-only ``v00001AF4d*...`` matches
    every 1af4 device. A pattern constraining nothing matches every device.
    """
    tests = _tests_for(pattern)
    if tests.__class__ is not tuple:  # whole-string glob
        if None not in key:
            subject = "pci:" + "".join(m + v for m, v in zip(FIELDS, key))
        else:
            subject = "pci:" + "".join(
                m + ("\0" * w if v is None else v) for m, v, w in zip(FIELDS, key, WIDTHS)
            )
        return tests.fullmatch(subject) is not None  # type: ignore[union-attr]
    unknown = evidence = False
    for i, t in tests:  # type: ignore[union-attr]
        v = key[i]
        if v is None:
            unknown = True
            continue
        if t.__class__ is str:
            if t != v:
                return False
        elif t.fullmatch(v) is None:
            return False
        if i:
            evidence = True
    return evidence or not unknown


def literal_ids(pattern: str) -> tuple[str | None, str | None]:
    """The vendor and device a pattern names literally (8 uppercase hex digits each), or
    ``None`` where it does not: such a pattern can only match devices with those IDs, so
    it can be filed under them -- as :class:`AliasTable` files it (``_KEYS``)."""
    m = re.match(_KEYS, pattern)
    if m is None:
        return None, None
    vendor, device = m.groups()
    return vendor.upper(), device.upper() if device else None


def candidates_among(rows: list[tuple[str, str]], key: ModaliasKey) -> list[str]:
    """Modules whose ``(pattern, module)`` row matches ``key``: deduplicated, in the
    rows' order -- :meth:`AliasTable.candidates` over rows already narrowed to the ones
    that could match (as the database stores them, see :func:`literal_ids`)."""
    if key.vendor is None or key.device is None:
        return []
    out: list[str] = []
    for pattern, module in rows:
        if module not in out and pattern_matches(pattern, key):
            out.append(module)
    return out


# Scanning the text with a newline put in front. _PCI_GOOD: a regular PCI alias line,
# capturing (pattern, literal vendor, literal device, module). _PCI_ANY: any line starting
# "alias pci:". _ODD_LINE: the start of any line that is not blank, not a comment and does
# not start with "alias " (non-PCI aliases are ignored without further checks).
# (Pattern texts; re.compile's own cache makes compiling them again per file free.)
_PCI_GOOD = r"\nalias (pci:(?:v([0-9A-Fa-f]{8})d(?:([0-9A-Fa-f]{8})sv)?)?\S*)[ \t]+(\S+)[ \t\r]*(?=\n|\Z)"
_PCI_ANY = r"\nalias (pci:[^\n]*)"
_ODD_LINE = r"\n(?!alias [^\n]|#|[ \t\r]*(?:\n|\Z))"
# The literal vendor and device a pattern starts with, if any: they key the index.
_KEYS = r"pci:v([0-9A-Fa-f]{8})d(?:([0-9A-Fa-f]{8})sv)?"


# --------------------------------------------------------------------------- table

class _ClassSplit:
    """Entries whose vendor or device is a wildcard, split by their literal base class:
    mostly class-based drivers (xhci_pci, ahci, nvme), which a device of another class
    need not look at."""

    __slots__ = ("by_class", "other", "all")

    def __init__(self) -> None:
        self.by_class: dict[str, list] = {}
        self.other: list = []  # base class not a literal
        self.all: list = []

    def add(self, e: tuple) -> None:
        self.all.append(e)
        fields = split_pattern(e[1])
        bc = fields[4] if fields is not None else ""
        if len(bc) == 2 and bc[0] in _HEX and bc[1] in _HEX:
            self.by_class.setdefault(bc.upper(), []).append(e)
        else:
            self.other.append(e)

    def lists(self, base_class: str | None) -> list[list]:
        if base_class is None or not self.by_class:
            return [self.all]
        return [self.by_class.get(base_class, []), self.other]


_Entry = tuple[int, str, str]  # (position in file, pattern, module)


class AliasTable:
    """The PCI aliases of one modules.alias file, indexed for fast lookup.

    ``header`` holds the ``# key: value`` lines of the file's leading comment block (the
    shipped tables name their package and kernel there). Non-PCI ``alias`` lines are
    skipped unchecked. ``malformed`` counts the other lines that are neither blank, a
    comment, nor ``alias PATTERN MODULE``; ``malformed_lines`` holds the first five line
    numbers. A file without any PCI alias raises InputError.
    """

    __slots__ = ("path", "header", "malformed", "malformed_lines", "count", "_by_vendor", "_wild", "_all")

    def __init__(self, path: str):
        self.path = path
        self.header: dict[str, str] = {}
        self.malformed = 0
        self.malformed_lines: list[int] = []
        self.count = 0
        # vendor (8 uppercase hex) -> ({device: [entries]}, entries with a wildcard device)
        self._by_vendor: dict[str, tuple[dict[str, list[_Entry]], _ClassSplit]] = {}
        self._wild = _ClassSplit()  # wildcard vendor
        self._all: list[_Entry] = []

    def __repr__(self) -> str:
        return f"AliasTable({self.path!r}, {self.count} aliases)"

    # -- loading

    @classmethod
    def load(cls, path: str | os.PathLike) -> "AliasTable":
        """Read a modules.alias file. InputError if unreadable or without any PCI alias."""
        from pathlib import Path

        p = Path(path)
        try:
            with open(p, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except IsADirectoryError:
            raise InputError(f"{p}: is a directory, not a modules.alias file") from None
        except OSError as e:
            raise InputError(f"cannot read modules.alias file {p}: {e.strerror or e}") from None
        return cls.from_text(text, str(p))

    @classmethod
    def from_text(cls, text: str, name: str = "<modules.alias>") -> "AliasTable":
        """Parse modules.alias text; ``name`` is used in error messages."""
        t = cls(path=name)
        t._read_header(text)
        text = "\n" + text  # every line now starts after a newline
        # Fast path: regular "alias pci:PATTERN MODULE" lines, found by the regex engine
        # (vendor and device literal captured for the index). Entries are numbered in
        # file order.
        rows = re.findall(_PCI_GOOD, text)
        odd = [m.start() for m in re.finditer(_ODD_LINE, text)]
        if len(rows) == text.count("\nalias pci:") and not odd:
            found = [(i, p, m) for i, (p, _, _, m) in enumerate(rows)]
            keys = [(v, d) for _, v, d, _ in rows]
        else:
            found, keys = t._scan_slowly(text, odd)

        by_vendor = t._by_vendor
        wild = t._wild
        for e, (vendor, device) in zip(found, keys):
            if not vendor:
                wild.add(e)
                continue
            vendor = vendor.upper()
            bucket = by_vendor.get(vendor)
            if bucket is None:
                bucket = by_vendor[vendor] = ({}, _ClassSplit())
            if device:
                device = device.upper()
                lst = bucket[0].get(device)
                if lst is None:
                    bucket[0][device] = [e]
                else:
                    lst.append(e)
            else:
                bucket[1].add(e)
        t._all = found
        index = len(found)
        t.count = index
        if index == 0:
            if t.malformed_lines:
                n = t.malformed_lines[0]
                raise InputError(
                    f"{name}:{n}: not a modules.alias file: line {n} is not 'alias PATTERN MODULE' "
                    f"and no line is an 'alias pci:...' alias"
                )
            why = "it is empty" if not text.strip() else "it has no 'alias pci:...' line"
            raise InputError(f"{name}: not a usable modules.alias file: {why}")
        return t

    def _read_header(self, text: str) -> None:
        """``# key: value`` lines of the leading comment block into :attr:`header`."""
        pos = 0
        while pos < len(text):
            end = text.find("\n", pos)
            if end < 0:
                end = len(text)
            line = text[pos:end].strip()
            pos = end + 1
            if not line:
                continue
            if line[0] != "#":
                break
            k, sep, v = line[1:].partition(":")
            k = k.strip()
            if sep and k and " " not in k:
                self.header.setdefault(k.lower(), v.strip())

    def _scan_slowly(self, text: str, odd: list[int]) -> tuple[list[_Entry], list[tuple[str, str]]]:
        """Malformed, indented or otherwise irregular files: every PCI line and every odd
        line looked at in Python, entries numbered by their offset in the text."""
        found: list[_Entry] = []
        for m in re.finditer(_PCI_ANY, text):
            parts = m.group(1).split()
            if len(parts) == 2:
                found.append((m.start(), parts[0], parts[1]))
            else:
                self._bad(text, m.start())
        for pos in odd:
            end = text.find("\n", pos + 1)
            line = text[pos + 1 : end if end >= 0 else None].strip()
            if not line or line[0] == "#":
                continue
            parts = line.split()
            if len(parts) == 3 and parts[0] == "alias":
                if parts[1].startswith("pci:"):
                    found.append((pos, parts[1], parts[2]))
            else:
                self._bad(text, pos)
        found.sort()
        self.malformed_lines.sort()
        del self.malformed_lines[5:]
        keys = []
        key_rx = re.compile(_KEYS)
        for e in found:
            m = key_rx.match(e[1])
            keys.append(("", "") if m is None else (m.group(1), m.group(2) or ""))
        return found, keys

    def _bad(self, text: str, pos: int) -> None:
        """Count a malformed line starting after the newline at ``pos`` of ``text``."""
        self.malformed += 1
        if len(self.malformed_lines) < 1000:
            self.malformed_lines.append(text.count("\n", 0, pos + 1))

    def __len__(self) -> int:
        return self.count

    # -- lookup

    def _pool(self, key: ModaliasKey) -> list[_Entry]:
        """The entries that could match ``key``, in file order."""
        bucket = self._by_vendor.get(key.vendor)  # type: ignore[arg-type]
        lists = self._wild.lists(key.base_class)
        if bucket is not None:
            lists = [bucket[0].get(key.device, ()), *bucket[1].lists(key.base_class), *lists]  # type: ignore[arg-type]
        lists = [x for x in lists if x]
        if len(lists) == 1:
            return lists[0]  # type: ignore[return-value]
        return sorted([e for x in lists for e in x])

    def _matches(self, key: ModaliasKey) -> list[_Entry]:
        """The entries matching ``key``, in file order (:func:`pattern_matches`, inlined)."""
        if key.vendor is None or key.device is None:
            return []
        out = []
        cache = _tests_cache
        for e in self._pool(key):
            tests = cache.get(e[1])
            if tests is None:
                tests = _tests_for(e[1])
            if tests.__class__ is not tuple:
                if pattern_matches(e[1], key):
                    out.append(e)
                continue
            unknown = evidence = False
            for i, t in tests:  # type: ignore[union-attr]
                v = key[i]
                if v is None:
                    unknown = True
                elif t.__class__ is str:
                    if t != v:
                        break
                    evidence = evidence or i > 0
                elif t.fullmatch(v) is None:
                    break
                else:
                    evidence = evidence or i > 0
            else:
                if evidence or not unknown:
                    out.append(e)
        return out

    def candidates(self, device: PciDevice | ModaliasKey) -> list[str]:
        """Module names whose alias matches ``device``: deduplicated, in file order.

        Unknown fields of the device match any pattern value (see :func:`pattern_matches`).
        A device without vendor or device ID gets ``[]``: it would match every driver.
        """
        key = device if isinstance(device, ModaliasKey) else modalias_key(device)
        out: list[str] = []
        for _, _, mod in self._matches(key):
            if mod not in out:
                out.append(mod)
        return out

    def aliases(self) -> list[tuple[str, str]]:
        """All ``(pattern, module)`` pairs in file order."""
        return [(p, mod) for _, p, mod in self._all]


# --------------------------------------------------------------------------- the shipped table


def shipped_alias_path() -> str:
    """The shipped table of network-driver aliases: ``data/driver-facts/aliases.tsv``
    (Debian kernels of several series, written by scripts/gen_driver_facts.py). DataError
    if it is missing."""
    from nicdb.kb import paths

    path = os.path.join(paths.facts_dir(), "aliases.tsv")
    if not os.path.isfile(path):
        raise DataError(f"no shipped alias table at {path}; regenerate it with scripts/gen_driver_facts.py")
    return path


def describe_shipped(provenance: dict) -> str:
    """How the shipped table is named to the user, from the driver facts' PROVENANCE.toml,
    e.g. ``shipped driver facts from Debian kernels 5.10.262-1, 6.1.192-3, 6.12.118-1,
    7.2.13-1``."""
    versions: dict[str, str] = {}
    for i in provenance.get("inputs", []):
        if i.get("kind") == "kernel" and i.get("series"):
            versions.setdefault(i["series"], i.get("version", ""))
    order = provenance.get("series") or sorted(versions)
    kernels = ", ".join(versions.get(s) or s for s in order)
    return "shipped driver facts" + (f" from Debian kernels {kernels}" if kernels else "")


# --------------------------------------------------------------------------- candidates of a device


def load_table(path: str) -> tuple[AliasTable, str]:
    """``--modules-alias FILE``: the table and how it is named to the user."""
    return AliasTable.load(path), f"modules.alias file {path}"


def finder(kb, alias_file: str | None, live: bool):
    """``device -> (candidate modules, where from)`` for a run: the input's own "Kernel
    modules" line when it has one, else modules.alias -- ``alias_file`` (``--modules-alias``),
    or the knowledge base's cached copy of the running kernel's table (``live``) or of
    nicdb's shipped driver facts (the aliases of Debian kernels of several series). Lookups are remembered per modalias key, and the database is
    asked only for the aliases that can match a device's vendor:device, once per ID: a
    fleet repeats a few chips in many hosts."""
    if alias_file:
        table, desc = load_table(alias_file)
        return lambda dev: (list(dev.modules), "the input's Kernel modules line") if dev.modules \
            else (table.candidates(dev), desc)
    source, desc = kb.alias_source(prefer_running=live)
    rows: dict[tuple[int, int], list] = {}  # the aliases that can match a vendor:device
    found: dict[tuple, list[str]] = {}  # modalias key -> candidates

    def find(dev):
        if dev.modules:
            return list(dev.modules), "the input's Kernel modules line"
        if source is None or dev.vendor is None:
            return None, desc
        key = modalias_key(dev)
        mods = found.get(key)
        if mods is None:
            if dev.device is None:
                cands = []
            else:
                ids = (dev.vendor, dev.device)
                if ids not in rows:
                    rows[ids] = kb.alias_rows(source, dev.vendor, dev.device)
                cands = candidates_among(rows[ids], key)
            mods = found[key] = cands
        return list(mods), desc

    return find

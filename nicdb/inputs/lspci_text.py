"""Pasted ``lspci`` output, in every shape people paste, read into :class:`PciDevice`.

Three families of line shapes are recognised, and may be mixed in one text (a log of
several commands):

- header lines ``[DOMAIN:]BB:DD.F BODY`` -- plain ``lspci``, ``-nn``, numeric ``-n``
  (``0200: 1af4:1041``), ``-mm`` quoted columns -- each followed by indented detail lines
  (``-v``/``-vv``/``-vvv``/``-k``: ``Subsystem:``, ``Kernel driver in use:``,
  ``Kernel modules:``, ``Capabilities:``, ``LnkCap:``, ``LnkSta:``) and, with ``-x``,
  config-space hex lines (``00: 86 80 ...``, ignored here, read by
  :mod:`nicdb.inputs.lspci_hex`);
- ``-vmm`` records, ``Key:<TAB>value`` lines separated by blank lines (``Slot:``,
  ``Class:``, ``Vendor:``, ...); hw-probe's single ``-m`` form starts a record with
  ``Device:<TAB>SLOT`` instead of ``Slot:``;
- anything else (shell prompts, other commands' output) is skipped.

A paste indented as a whole (a mail, a forum's code block) is read as if it were not,
even after a prompt at the margin: the indentation of the first record is taken off.

A header line prints the vendor and device names run together ("Red Hat, Inc. Virtio
1.0 network device"); they cannot be split without the ID database, so such a device
gets ``vendor_name=None`` and the joined text in ``device_name``;
:func:`nicdb.inputs.resolve_names.resolve_ids` splits it. ``-vmm`` and ``-mm`` name the
vendor and device separately. lspci prints a revision only when it is not 00, so a
record without one has revision 0. IDs come only from ``[xxxx]`` brackets (``-nn``) or the
numeric forms; name-only output leaves them None.

The same slot printed twice (a log with ``lspci -nn`` and then ``lspci -k``) is merged
into one device when the two agree.
"""

from __future__ import annotations

import operator
import re

from nicdb.errors import InputError
from nicdb.inputs.source import Reading, Source
from nicdb.model import PciDevice, PciLink, PciX, may_hide_nic, normalize_slot, split_path

# A slot at the start of a line, and a whole slot (plus the -vmmnn record shape, compiled
# on first use by _vmm_nn_re).
# A slot may be an lspci -P/-PP path through the bridges: 00:1c.0/00.0, 00:1c.0/02:00.0.
_PATH = r"(?:/(?:[0-9a-fA-F]{2}:)?[01][0-9a-fA-F]\.[0-7])*"
_HEADER = re.compile(r"((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7]" + _PATH + r")(?:[ \t]+(.*))?\Z")
_SLOT = re.compile(r"(?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7]" + _PATH + r"\Z")

_HEXDIGITS = "0123456789abcdefABCDEF"
_VMM_KEYS = frozenset(("Slot", "Class", "Vendor", "Device", "SVendor", "SDevice", "Rev", "ProgIf", "Driver",
                       "Module", "NUMANode", "PhySlot", "IOMMUGroup"))
_VMM_CORE = ("Class", "Vendor", "Device", "SVendor", "SDevice", "Rev", "ProgIf")
_OLD_UNKNOWN = ": Unknown device "


def _is_hex(s: str) -> bool:
    """All ASCII hex digits (``int(s, 16)`` alone would accept ``+1``, ``1_0``, `` 1``)."""
    return bool(s) and not s.strip(_HEXDIGITS)


def _show(s: str) -> str:
    """Text for an error message: as it is when printable, else quoted (one line always)."""
    return s if s.isprintable() else repr(s)


def hex_prefix(line: str) -> int:
    """Length of a config-space offset prefix (``00: `` or ``100: ``), or 0."""
    if len(line) > 3 and line[2] == ":" and line[3] == " " and _is_hex(line[:2]):
        return 4
    if len(line) > 4 and line[3] == ":" and line[4] == " " and _is_hex(line[:3]):
        return 5
    return 0


class _Ctx:
    """Where an error is: origin and line number."""

    __slots__ = ("origin", "lineno")

    def __init__(self, origin: str, lineno: int):
        self.origin = origin
        self.lineno = lineno

    def error(self, why: str, text: str | None = None) -> InputError:
        tail = "" if text is None else f": {text[:80]!r}"
        if not why.isprintable():  # a piece of the input (an ID with \v in it) must not break the line
            why = repr(why)[1:-1]
        return InputError(f"{self.origin} line {self.lineno}: {why}{tail}")


def _bracket_id(value: str, digits: int, ctx: _Ctx, what: str, strict: bool) -> tuple[str | None, int | None] | None:
    """Split ``Name [1af4]`` -> ("Name", 0x1af4); None when there is no ``[xxxx]`` field.

    A bracket of the right width holding non-hex is an error when ``strict`` (the input
    is in -nn form, so the bracket must be the ID)."""
    n = digits + 2
    if len(value) >= n and value[-1] == "]" and value[-n] == "[":
        inner = value[-n + 1:-1]
        if _is_hex(inner):
            return value[:-n].rstrip() or None, int(inner, 16)
        if strict:
            raise ctx.error(f"{what} ID [{_show(inner)}] is not hex", value)
    return None


def _value(value: str, numeric: bool, nn: bool, ctx: _Ctx, what: str) -> tuple[str | None, int | None]:
    """A -vmm/-mm name field: ``Name [1af4]`` (-nn), ``1af4`` (-n) or ``Name``."""
    if not value:
        return None, None
    if numeric:
        if len(value) <= 4 and _is_hex(value):
            return None, int(value, 16)
        raise ctx.error(f"{what} is not a hex ID", value)
    got = _bracket_id(value, 4, ctx, what, nn)
    if got is not None:
        return got
    return value, None


def _rev(text: str, ctx: _Ctx, what: str = "revision") -> int:
    t = text.strip()
    if len(t) <= 2 and _is_hex(t):
        return int(t, 16)
    raise ctx.error(f"{what} {text[:20]!r} is not a hex byte")


def _speed(text: str) -> float | None:
    """``Speed 8GT/s (downgraded), Width x4`` -> 8.0; ``Speed unknown`` -> None."""
    i = text.find("Speed ")
    if i < 0:
        return None
    tok = text[i + 6:].split(",", 1)[0].split(None, 1)
    if not tok:
        return None
    tok = tok[0]
    for unit in ("GT/s", "Gb/s"):
        if tok.endswith(unit):
            num = tok[:-4]
            if num and num.isascii() and num.replace(".", "", 1).isdigit() and len(num) < 8:
                return float(num)
    return None


def _width(text: str) -> int | None:
    i = text.find("Width x")
    if i < 0:
        return None
    j = i + 7
    k = j
    while k < len(text) and k - j < 3 and "0" <= text[k] <= "9":
        k += 1
    return int(text[j:k]) or None if k > j else None  # "Width x0": no link


def _flag(text: str, name: str) -> bool | None:
    """lspci's ``name+`` / ``name-`` flag in a line: True, False, or None when absent."""
    i = text.find(name)
    while i >= 0:
        j = i + len(name)
        if (i == 0 or text[i - 1] == " ") and text[j:j + 1] in ("+", "-"):
            return text[j] == "+"
        i = text.find(name, j)
    return None


def _link(dev: PciDevice) -> PciLink:
    if dev.link is None:
        dev.link = PciLink()
    return dev.link


def _ids_tail(rest: str, ctx: _Ctx, what: str) -> tuple[str | None, int | None, int | None]:
    """Names and IDs of a header line's or Subsystem line's vendor+device text."""
    n = len(rest)
    if n >= 11 and rest[-1] == "]" and rest[-11] == "[" and rest[-6] == ":":
        a, b = rest[-10:-6], rest[-5:-1]
        if _is_hex(a) and _is_hex(b):
            return rest[:-11].rstrip() or None, int(a, 16), int(b, 16)
        raise ctx.error(f"{what} ID [{_show(a + ':' + b)}] is not hex", rest)
    # Numeric -n form, or lspci's own text for a vendor pci.ids does not know.
    body = rest
    for prefix in ("Unknown device ", "Device "):
        if rest.startswith(prefix):
            body = rest[len(prefix):]
            break
    if len(body) == 9 and body[4] == ":" and _is_hex(body[:4]) and _is_hex(body[5:]):
        return (None if body is rest else rest), int(body[:4], 16), int(body[5:], 16)
    return rest or None, None, None


def _strip_tail(rest: str, ctx: _Ctx) -> tuple[str, int | None, int | None]:
    """Remove `` (prog-if 00 [Normal decode])`` and `` (rev 11)`` from a header body."""
    progif = rev = None
    i = rest.rfind(" (prog-if ")
    if i >= 0 and rest.endswith(")"):
        progif = _rev(rest[i + 10:i + 12], ctx, "prog-if")
        if rest[i + 12:i + 13] not in (")", " "):
            raise ctx.error("malformed prog-if", rest[i:])
        rest = rest[:i]
    i = rest.rfind(" (rev ")
    if i >= 0:
        j = rest.find(")", i)
        if j < 0:
            raise ctx.error("truncated revision", rest[i:])
        if j == len(rest) - 1 and j - i <= 8:
            rev = _rev(rest[i + 6:j], ctx)
            rest = rest[:i]
        # else a name that has "(rev ...)" in it, as some pci.ids names do
    elif rest.endswith(" (rev") or rest.endswith(" (prog-if"):
        raise ctx.error("truncated header line", rest)
    return rest.rstrip(), rev, progif


def _class(text: str, ctx: _Ctx) -> tuple[str | None, int | None]:
    """``Ethernet controller [0200]`` / ``Ethernet controller`` / ``Class 0200`` -> (name, 16-bit code)."""
    got = _bracket_id(text, 4, ctx, "class", False)
    if got is not None:
        name, code = got
        return (None if name in (None, "Class") else name), code
    if text.startswith("Class ") and len(text) == 10 and _is_hex(text[6:]):
        return None, int(text[6:], 16)
    return text or None, None


def _mm_tokens(body: str, ctx: _Ctx) -> tuple[list[str], list[str]]:
    """Quoted columns and bare options of an ``lspci -mm`` line."""
    quoted: list[str] = []
    opts: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == " " or c == "\t":
            i += 1
        elif c == '"':
            j = body.find('"', i + 1)
            if j < 0:
                raise ctx.error("unterminated quoted column in lspci -mm line", body)
            quoted.append(body[i + 1:j])
            i = j + 1
        else:
            j = body.find(" ", i)
            j = n if j < 0 else j
            opts.append(body[i:j])
            i = j
    return quoted, opts


# BusyBox's lspci reads uevent files, which carry no revision: its devices get none (not
# 00, as pciutils output without "(rev ...)" means) and this note.
BUSYBOX_NOTE = ("BusyBox lspci prints no revision ID: revision-specific notes need pciutils' lspci -n, "
                "a config-space dump (lspci -x) or a nicdb snapshot")


def _busybox_device(slot: str, body: str, ctx: _Ctx, where: str) -> PciDevice:
    """BusyBox ``lspci`` and ``lspci -k``: ``Class 0200: 1af4:1041 [driver]``."""
    ids, _, driver = body[12:].partition(" ")
    if len(ids) != 9 or ids[4] != ":" or not (_is_hex(ids[:4]) and _is_hex(ids[5:])):
        raise ctx.error("malformed vendor:device in BusyBox lspci line", body)
    return PciDevice(slot, int(ids[:4], 16), int(ids[5:], 16), class_code=int(body[6:10], 16) << 8,
                     driver=driver.strip() or None, origin=where, notes=[BUSYBOX_NOTE])


def _is_busybox_mm(quoted: list[str], opts: list[str]) -> bool:
    """BusyBox ``lspci -m [-k]``: ``"Class 0200" "1af4" "1041" "1af4" "1041" ["driver"]`` --
    a numeric class with the word Class, four bare 4-digit IDs, no options."""
    return (not opts and len(quoted) in (5, 6) and quoted[0][:6] == "Class " and len(quoted[0]) == 10
            and _is_hex(quoted[0][6:]) and all(len(q) == 4 and _is_hex(q) for q in quoted[1:5]))


def _mm_device(slot: str, body: str, ctx: _Ctx, where: str) -> PciDevice:
    quoted, opts = _mm_tokens(body, ctx)
    if len(quoted) < 3:
        raise ctx.error("lspci -mm line has fewer than 3 quoted columns", body)
    if _is_busybox_mm(quoted, opts):
        v, d, sv, sd = (int(q, 16) for q in quoted[1:5])
        return PciDevice(slot, v, d, sv, sd, None, int(quoted[0][6:], 16) << 8,
                         driver=quoted[5] if len(quoted) == 6 and quoted[5] else None, origin=where,
                         notes=[BUSYBOX_NOTE])
    cls = quoted[0]
    numeric = len(cls) == 4 and _is_hex(cls)
    if numeric:
        cname, ccode = None, int(cls, 16)
    else:
        cname, ccode = _class(cls, ctx)
    nn = not numeric and ccode is not None and cls.endswith("]")
    vname, vid = _value(quoted[1], numeric, nn, ctx, "vendor")
    dname, did = _value(quoted[2], numeric, nn, ctx, "device")
    sv = _value(quoted[3], numeric, nn, ctx, "subsystem vendor") if len(quoted) > 3 else (None, None)
    sd = _value(quoted[4], numeric, nn, ctx, "subsystem device") if len(quoted) > 4 else (None, None)
    rev = 0  # lspci leaves out -r00
    progif = None
    for o in opts:
        if o.startswith("-r"):
            rev = _rev(o[2:], ctx)
        elif o.startswith("-p"):
            progif = _rev(o[2:], ctx, "prog-if")
    dev = PciDevice(slot, vid, did, sv[1], sd[1], rev, _code(ccode, progif), vendor_name=vname,
                    device_name=dname, class_name=cname, origin=where)
    dev.subsystem_name = _join(sv[0], sd[0])
    return dev


def _join(a: str | None, b: str | None) -> str | None:
    return " ".join(x for x in (a, b) if x) or None


def _code(code16: int | None, progif: int | None) -> int | None:
    if code16 is None:
        return None
    return (code16 << 8) | (progif or 0)


def parse_header(slot: str, body: str, ctx: _Ctx, where: str) -> PciDevice:
    """One header line (everything after the slot) -> a device."""
    slot, upstream = split_path(slot.lower())
    dev = _header_device(slot, body, ctx, where)
    dev.upstream = upstream
    return dev


def _header_device(slot: str, body: str, ctx: _Ctx, where: str) -> PciDevice:
    if body[:1] == '"':
        return _mm_device(slot, body, ctx, where)
    if body[:6] == "Class " and body[10:12] == ": " and _is_hex(body[6:10]):
        return _busybox_device(slot, body, ctx, where)
    # Numeric -n: "0200: 1af4:1041 (rev 01)"
    if len(body) >= 15 and body[4:6] == ": " and body[10] == ":" and _is_hex(body[:4]):
        rest, rev, progif = _strip_tail(body[6:], ctx)
        if len(rest) != 9 or not (_is_hex(rest[:4]) and _is_hex(rest[5:])):
            raise ctx.error("malformed numeric ID in lspci -n line", body)
        return PciDevice(slot, int(rest[:4], 16), int(rest[5:], 16), revision=rev or 0,
                         class_code=_code(int(body[:4], 16), progif), origin=where)
    cls, sep, rest = body.partition(": ")
    if not sep:
        if body.endswith(":"):
            cls, rest = body[:-1], ""
        else:
            raise ctx.error("truncated or garbled lspci header line", body)
    cname, ccode = _class(cls, ctx)
    rest, rev, progif = _strip_tail(rest, ctx)
    name, vid, did = _ids_tail(rest, ctx, "vendor:device")
    if not name and vid is None:
        raise ctx.error("lspci header line names no device", body)
    vname = None
    if name and vid is None:
        # pciutils 2.x: "ServerWorks: Unknown device 0000"
        i = name.find(_OLD_UNKNOWN)
        if i > 0:
            vname, name = name[:i], name[i + 2:]
    return PciDevice(slot, vid, did, revision=rev or 0, class_code=_code(ccode, progif), vendor_name=vname,
                     device_name=name, class_name=cname, origin=where)


def _detail(dev: PciDevice, s: str, ctx: _Ctx, caps: list) -> None:
    """One indented line below a header (``s`` is stripped on the left)."""
    c = s[:1]
    if c == "S":
        if s.startswith("Subsystem:"):
            name, sv, sd = _ids_tail(s[10:].strip(), ctx, "subsystem")
            dev.subsystem_name, dev.subsystem_vendor, dev.subsystem_device = name, sv, sd
        elif s.startswith("Status:"):
            if "Dev=" in s:  # the PCI-X capability's status (lspci -vv); a bridge's is of its primary side
                if dev.pcix is not None and not dev.pcix.bridge:
                    dev.pcix.width_bits = 64 if "64bit+" in s else 32 if "64bit-" in s else None
                    dev.pcix.max_mhz = (533 if "533MHz+" in s else 266 if "266MHz+" in s else
                                        133 if "133MHz+" in s else 66) if "133MHz" in s else None
            else:  # the status register: "Status: Cap+ 66MHz- UDF- ..."
                flag = _flag(s, "66MHz")
                if flag is not None:
                    dev.cap_66mhz = flag
        elif s.startswith("Secondary status:"):  # a bridge's secondary status register
            dev.sec_66mhz = _flag(s, "66MHz")
        elif s.startswith("Secondary Status:") and dev.pcix is not None:  # PCI-X bridge capability
            dev.pcix.width_bits = 64 if "64bit+" in s else 32 if "64bit-" in s else None
            dev.pcix.max_mhz = 133 if "133MHz+" in s else 66 if "133MHz-" in s else None
            i = s.find("Freq=")
            if i >= 0:
                freq = s[i + 5:].split(None, 1)[0] if s[i + 5:].strip() else ""
                dev.pcix.bus_mhz = {"conv": 0, "66MHz": 66, "100MHz": 100, "133MHz": 133}.get(freq)
    elif c == "B":
        if s.startswith("Bus: ") and "secondary=" in s:  # "Bus: primary=00, secondary=05, ..."
            v = s[s.find("secondary=") + 10:][:2]
            if len(v) == 2 and _is_hex(v):
                dev.secondary_bus = int(v, 16)
    elif c == "K":
        if s.startswith("Kernel driver in use:"):
            dev.driver = s[21:].strip() or None
        elif s.startswith("Kernel modules:"):
            dev.modules = [m.strip() for m in s[15:].split(",") if m.strip()]
    elif c == "C":
        if s.startswith("Capabilities:"):
            i = s.find("]", 13)
            if i >= 0 and s[13:].lstrip().startswith("["):
                caps[0] = True
                what = s[i + 1:].lstrip()
                if what.startswith("Express"):
                    dev.is_pcie = True
                elif what.startswith("PCI-X "):
                    dev.pcix = PciX(bridge=what.startswith("PCI-X bridge"))
    elif c == "L":
        if s.startswith("LnkCap:"):
            link = _link(dev)
            link.max_speed_gts, link.max_width = _speed(s), _width(s)
            dev.is_pcie = True
        elif s.startswith("LnkSta:"):
            link = _link(dev)
            link.speed_gts, link.width = _speed(s), _width(s)
            dev.is_pcie = True
        elif s.startswith("Link: Supported"):  # pciutils 2.2
            link = _link(dev)
            link.max_speed_gts, link.max_width = _speed(s), _width(s)
        elif s.startswith("Link: Speed"):
            link = _link(dev)
            link.speed_gts, link.width = _speed(s), _width(s)


def _nv(value: str | None, numeric: bool, nn: bool, ctx: _Ctx, what: str) -> tuple[str | None, int | None]:
    """_value with the common -nn case first (this runs four times per -vmm record)."""
    if not value:
        return None, None
    if nn and value[-1] == "]" and value[-6:-5] == "[":
        inner = value[-5:-1]
        if not inner.strip(_HEXDIGITS):
            return value[:-6].rstrip() or None, int(inner, 16)
    return _value(value, numeric, nn, ctx, what)


def _vmm_device(rec: dict, mods: list[str], start: int, origin: str) -> PciDevice | None:
    ctx = _Ctx(origin, start)
    get = rec.get
    slot = get("Slot")
    if slot is None:
        if sum(1 for k in _VMM_CORE if k in rec) >= 2:
            raise ctx.error("lspci -vmm record without a Slot line")
        return None  # a stray "Driver: x" line of some other tool
    if _SLOT.match(slot) is None:
        raise ctx.error("malformed Slot:", slot)
    cls = get("Class")
    numeric = False
    if not cls:
        cname = ccode = None
    elif len(cls) == 4 and not cls.strip(_HEXDIGITS):
        numeric, cname, ccode = True, None, int(cls, 16)
    else:
        cname, ccode = _class(cls, ctx)
    nn = ccode is not None and not numeric
    vname, vid = _nv(get("Vendor"), numeric, nn, ctx, "Vendor:")
    dname, did = _nv(get("Device"), numeric, nn, ctx, "Device:")
    if vname is None and vid is None or dname is None and did is None:
        raise ctx.error(f"lspci -vmm record for {slot} has no Vendor: or Device: (truncated?)")
    svname, svid = _nv(get("SVendor"), numeric, nn, ctx, "SVendor:")
    sdname, sdid = _nv(get("SDevice"), numeric, nn, ctx, "SDevice:")
    r = get("Rev")
    p = get("ProgIf")
    if ccode is not None:
        ccode <<= 8
        if p is not None:
            ccode |= _rev(p, ctx, "ProgIf")
    if svname and sdname:
        sname = svname + " " + sdname
    else:
        sname = svname or sdname
    if len(slot) == 7:
        slot = "0000:" + slot
    return PciDevice(slot.lower(), vid, did, svid, sdid, 0 if r is None else _rev(r, ctx, "Rev"), ccode,
                     get("Driver") or None, mods, None, None, None, vname, dname, sname, cname,
                     f"{origin}:{start}")


_VMM_NN_RE = None
_VMM_NN_REST_RE = None
_VMM_NN_SLOT = r"Slot:\t((?:[0-9a-fA-F]{4,8}:)?[0-9a-fA-F]{2}:[01][0-9a-fA-F]\.[0-7])\n"


def _vmm_nn_rest() -> str:
    """A ``-vmmnn`` record's lines after the Slot: line, each ending in a newline."""
    h4 = r" \[([0-9a-fA-F]{4})\]\n"
    return (r"Class:\t([^\n]*)" + h4 + r"Vendor:\t([^\n]*)" + h4 + r"Device:\t([^\n]*)" + h4
            + r"(?:SVendor:\t([^\n]*)" + h4 + r")?(?:SDevice:\t([^\n]*)" + h4 + r")?"
            r"(?:PhySlot:\t[^\n]*\n)?(?:Rev:\t([0-9a-fA-F]{2})\n)?(?:ProgIf:\t([0-9a-fA-F]{2})\n)?"
            r"(?:Driver:\t([^\n]*)\n)?((?:Module:\t[^\n]*\n)*)(?:NUMANode:\t[^\n]*\n)?(?:IOMMUGroup:\t[^\n]*\n)?")


def _vmm_nn_re():
    """The exact shape of an ``lspci -vmmnn[k][D]`` record, for the fast path (compiled on
    first use; anything else goes the general way)."""
    global _VMM_NN_RE
    if _VMM_NN_RE is None:
        _VMM_NN_RE = re.compile(_VMM_NN_SLOT + _vmm_nn_rest())
    return _VMM_NN_RE


def _vmm_nn_device(g: tuple, start: int, origin: str) -> PciDevice:
    slot, cname, cls, vname, vid, dname, did, svname, svid, sdname, sdid, rev, progif, driver, mods = g
    if len(slot) == 7:
        slot = "0000:" + slot
    if svname and sdname:
        sname = svname + " " + sdname
    else:
        sname = svname or sdname or None
    return PciDevice(
        slot.lower(), int(vid, 16), int(did, 16), None if svid is None else int(svid, 16),
        None if sdid is None else int(sdid, 16), 0 if rev is None else int(rev, 16),
        (int(cls, 16) << 8) | (0 if progif is None else int(progif, 16)), driver or None,
        [m[8:] for m in mods.split("\n") if m[8:]] if mods else [], None, None, None, vname or None,
        dname or None, sname, None if cname in ("", "Class") else cname, f"{origin}:{start}")


_split_tab = operator.methodcaller("split", ":\t", 1)


def _fast_vmm(body: str, start: int, origin: str) -> PciDevice | None | bool:
    """One blank-line-separated block that is a clean ``-vmm`` record (``Key:<TAB>value``
    lines only), built without the line-by-line scanner; False when it is not one."""
    lines = body.split("\n")
    try:
        rec = dict(map(_split_tab, lines))
    except ValueError:
        return False
    if not rec.keys() <= _VMM_KEYS:
        return False
    mods: list[str] = []
    if "Module" in rec:
        mods = [ln[8:] for ln in lines if ln[:8] == "Module:\t"]
        del rec["Module"]
        if len(rec) + len(mods) != len(lines):
            return False
    elif len(rec) != len(lines):
        return False  # a repeated key: two records without a blank line between
    return _vmm_device(rec, [m for m in mods if m], start, origin)


# What is known of the -vmmnn record bodies (a record less its Slot: line) met so far:
# body -> (its fields when it is a network-class record, else None; lines it takes up).
# A fleet's hosts repeat the same few bodies, each in many slots, so each is matched
# against the record shape once. Bounded; a pure function of the body, so never stale.
_BODIES: dict[str, tuple[tuple | None, int]] = {}
_SLOT_LINES: set[str] = set()  # "Slot:\t..." lines known to hold a well-formed slot
_KNOWN_MAX = 4096


def _learn_body(body: str) -> tuple[tuple | None, int] | None:
    """(fields if network class, lines) of a record body of the -vmmnn shape, else None."""
    global _VMM_NN_REST_RE
    if _VMM_NN_REST_RE is None:
        _VMM_NN_REST_RE = re.compile(_vmm_nn_rest())
    m = _VMM_NN_REST_RE.fullmatch(body + "\n")
    if m is None:
        return None
    groups = m.groups()
    info = (groups if may_hide_nic(int(groups[1], 16) << 8) else None, body.count("\n") + 3)
    if len(_BODIES) >= _KNOWN_MAX:
        _BODIES.clear()
    _BODIES[body] = info
    return info


def vmm_nn_nics(text: str, origin: str) -> list[PciDevice] | None:
    """The devices that may be NICs (:func:`nicdb.model.may_hide_nic`) of a text made only
    of clean ``lspci -vmmnn[k]`` records, one blank line between them, each in its own
    slot -- exactly those that :func:`parse_lspci_text` gives for it, built without
    building the other devices.

    None when the text is anything else (another shape, a garbled or truncated record, a
    slot repeated, CR line ends): then :func:`parse_lspci_text` must read it, and says
    what is wrong with it, if anything. A fleet is mostly of this shape, and mostly not
    NICs, so this is the fleet's fast path.
    """
    if text[:6] != "Slot:\t" or "\r" in text:
        return None
    # As scan() reads it: blocks between blank lines, each a Slot: line and a body.
    blocks = text.split("\n\n")
    while blocks and not blocks[-1].strip("\n"):
        blocks.pop()  # blank lines at the end
    if not blocks:
        return None
    blocks[-1] = blocks[-1].rstrip("\n")
    heads: list[str] = []
    nics: list[tuple[int, str, tuple]] = []
    lineno = 1
    known = _BODIES.get
    for block in blocks:
        head, _, body = block.partition("\n")
        info = known(body) or _learn_body(body)
        if info is None:
            return None
        heads.append(head)
        if info[0] is not None:
            nics.append((lineno, head, info[0]))
        lineno += info[1]
    if not _SLOT_LINES.issuperset(heads):
        slot_line = re.compile(_VMM_NN_SLOT).fullmatch
        for head in heads:
            if head not in _SLOT_LINES:
                if slot_line(head + "\n") is None:
                    return None
                if len(_SLOT_LINES) >= _KNOWN_MAX:
                    _SLOT_LINES.clear()
                _SLOT_LINES.add(head)
    # merge_same_slot would fold records of one slot together: the general reader does that.
    if len(set(heads)) != len(heads):
        return None
    every = "".join(heads).replace("Slot:\t", "\n")
    if every != every.lower() or min(map(len, heads)) == 13:  # normalize_slot could make two slots one
        if len({normalize_slot(h[6:].lower()) for h in heads}) != len(heads):
            return None
    return [_vmm_nn_device((head[6:],) + fields, start, origin) for start, head, fields in nics]


def _record_indent(text: str) -> str:
    """The whitespace before the first line that starts a record ("" when there is none)."""
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        line = text[pos:end]
        t = line.strip()
        if t and _starts_record(t):
            return line[:len(line) - len(line.lstrip())]
        pos = end + 1
    return ""


def scan(text: str, origin: str, want_hex: bool = False) -> list[tuple[PciDevice, list | None]]:
    """Every device record of ``text`` in order, unmerged.

    Each entry is (device, hex lines): for header-line devices with ``want_hex`` the
    config-space lines below it as (line number, text after the offset prefix, offset
    text); else None.
    """
    if not isinstance(text, str):
        raise InputError(f"{origin}: not text")
    out: list[tuple[PciDevice, list | None]] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    first = text.lstrip("\n")[:1]
    indent = _record_indent(text)
    if "\r" in text or indent or first in (" ", "\t", "\f", "\v"):
        lines = text.splitlines()
        if indent:  # a paste indented as a whole (mail, a forum's code block), perhaps after a prompt
            n = len(indent)
            lines = [ln[n:] if ln[:n] == indent else ln for ln in lines]
        _scan_lines(lines, 1, origin, want_hex, out)
        return out
    # Every record ends at a blank line, so the text can be read block by block; a block
    # that is a clean -vmm record takes the fast path.
    lineno = 1
    fullmatch = None
    append, build = out.append, _vmm_nn_device
    for block in text.split("\n\n"):
        start = lineno
        lineno += block.count("\n") + 2
        if block[:6] == "Slot:\t":
            if fullmatch is None:
                fullmatch = (_VMM_NN_RE or _vmm_nn_re()).fullmatch
            m = fullmatch(block + "\n")
            if m is None and block[-1:] == "\n":  # the last record of a text ending in one newline
                m = fullmatch(block.rstrip("\n") + "\n")
            if m is not None:
                append((build(m.groups(), start, origin), None))
                continue
        if "Slot:\t" in block[:8]:
            body = block.lstrip("\n")
            dev = _fast_vmm(body.rstrip("\n"), start + len(block) - len(body), origin)
            if dev is not False:
                if dev is not None:
                    out.append((dev, None))
                continue
        _scan_lines(block.split("\n"), start, origin, want_hex, out)
    return out


def _scan_lines(lines: list[str], first: int, origin: str, want_hex: bool, out: list) -> None:
    """The line-by-line reader (every shape; ``first`` is the number of ``lines[0]``)."""
    cur: PciDevice | None = None  # header-line device whose detail lines follow
    caps = [False]
    hexl: list | None = None
    rec: dict | None = None  # open -vmm record
    mods: list[str] = []
    rec_start = 0
    header_match = _HEADER.match
    vmm_keys = _VMM_KEYS
    ctx = _Ctx(origin, 0)

    def close_cur() -> None:
        if cur is not None and caps[0] and cur.is_pcie is None:
            cur.is_pcie = False

    for lineno, line in enumerate(lines, first):
        if not line or line.isspace():
            if rec is not None:
                dev = _vmm_device(rec, mods, rec_start, origin)
                if dev is not None:
                    out.append((dev, None))
                rec = None
            close_cur()
            cur = None
            continue
        c = line[0]
        if c == "\t" or c == " ":
            if cur is not None:
                ctx.lineno = lineno
                _detail(cur, line.lstrip(), ctx, caps)
            continue
        key, sep, val = line.partition(":")
        if sep and key in vmm_keys:
            val = val.strip()
            close_cur()
            cur = None
            if rec is None:
                rec, mods, rec_start = {}, [], lineno
                if key == "Device" and _SLOT.match(val):  # hw-probe's single -m: first Device: is the slot
                    key = "Slot"
            elif key == "Slot" or (key == "Device" and _SLOT.match(val)):
                if rec:  # a new record without a blank line between
                    dev = _vmm_device(rec, mods, rec_start, origin)
                    if dev is not None:
                        out.append((dev, None))
                    rec, mods, rec_start = {}, [], lineno
                key = "Slot"
            if key == "Module":
                if val:
                    mods.append(val)
            elif key not in rec:
                rec[key] = val
            continue
        n = hex_prefix(line)
        if n and ((cur is not None and hexl) or _is_hex(line[n:n + 2])):
            if want_hex:
                if cur is None or hexl is None:
                    ctx.lineno = lineno
                    raise ctx.error("config-space hex line without a device header line before it", line)
                hexl.append((lineno, line[n:], line[:n - 2]))
            continue
        line = line.rstrip()
        m = header_match(line)
        if m is not None and m.group(2):
            if rec is not None:
                dev = _vmm_device(rec, mods, rec_start, origin)
                if dev is not None:
                    out.append((dev, None))
                rec = None
            close_cur()
            ctx.lineno = lineno
            cur = parse_header(m.group(1), m.group(2), ctx, f"{origin}:{lineno}")
            caps = [False]
            hexl = [] if want_hex else None
            out.append((cur, hexl))
            continue
        # Anything else: a prompt, another command's output, a note. lspci's own warnings
        # ("lspci: Unable to load libkmod resources") may interleave with its output.
        if not line.startswith("lspci: "):
            close_cur()
            cur = None
    if rec is not None:
        dev = _vmm_device(rec, mods, rec_start, origin)
        if dev is not None:
            out.append((dev, None))
    close_cur()


_MERGE_FIELDS = ("vendor", "device", "subsystem_vendor", "subsystem_device", "revision", "class_code", "driver",
                 "link", "is_pcie", "vendor_name", "device_name", "subsystem_name", "class_name", "cap_66mhz",
                 "pcix", "secondary_bus", "sec_66mhz")
_KEY_FIELDS = ("vendor", "device", "subsystem_vendor", "subsystem_device", "revision")


def _compatible(a: PciDevice, b: PciDevice) -> bool:
    for k in _KEY_FIELDS:
        x, y = getattr(a, k), getattr(b, k)
        if x is not None and y is not None and x != y:
            return False
    if a.vendor is None and b.vendor is None:
        na, nb = _join(a.vendor_name, a.device_name), _join(b.vendor_name, b.device_name)
        if na and nb and na != nb:
            return False
    return True


def merge_same_slot(devices: list[PciDevice]) -> list[PciDevice]:
    """Fold repeated records of one slot (a log of several lspci runs) into the first."""
    if len({d.slot for d in devices}) == len(devices):
        return devices
    by_slot: dict[str, PciDevice] = {}
    out: list[PciDevice] = []
    for d in devices:
        first = by_slot.get(d.slot)
        if first is None:
            by_slot[d.slot] = d
            out.append(d)
            continue
        if not _compatible(first, d):
            out.append(d)
            continue
        for k in _MERGE_FIELDS:
            if getattr(first, k) is None and getattr(d, k) is not None:
                setattr(first, k, getattr(d, k))
        if first.link is not None and d.link is not None and first.link is not d.link:
            for k in first.link.__slots__:
                if getattr(first.link, k) is None:
                    setattr(first.link, k, getattr(d.link, k))
        if first.is_pcie is False and d.is_pcie:
            first.is_pcie = True
        if not first.modules and d.modules:
            first.modules = d.modules
        if first.vendor_name is None and d.vendor_name is not None and first.device_name != d.device_name:
            first.device_name = d.device_name  # the split names of -vmm beat a joined header name
        for note in d.notes:
            if note not in first.notes:
                first.notes.append(note)
    return out


def _starts_record(t: str) -> bool:
    """Whether a stripped line is an lspci header line or starts a -vmm record."""
    if t[:5] == "Slot:" or t[:7] == "Device:":
        return _SLOT.match(t.partition(":")[2].strip()) is not None
    m = _HEADER.match(t)
    return m is not None and bool(m.group(2))


# Line breaks str.splitlines knows besides "\n": a text with none of them has the same
# lines split at "\n" alone.
_OTHER_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def looks_like_lspci(text: str) -> bool:
    """Whether any line is an lspci header line or starts a -vmm record.

    Lines are looked at one by one until one is (not split all at once first: a fleet's
    file answers on its first line)."""
    if any(b in text for b in _OTHER_BREAKS):
        lines = text.splitlines()
    else:
        lines = _lines(text)
    for line in lines:
        t = line.strip()
        if t and _starts_record(t):
            return True
    return False


def _lines(text: str):
    """The lines of a text split at "\n", one at a time."""
    pos, n = 0, len(text)
    while pos < n:
        end = text.find("\n", pos)
        if end < 0:
            end = n
        yield text[pos:end]
        pos = end + 1


def parse_lspci_text(text: str, origin: str) -> list[PciDevice]:
    """All PCI devices in pasted lspci output (any common option set)."""
    devices = merge_same_slot([d for d, _ in scan(text, origin)])
    if not devices:
        raise InputError(f"{origin}: no PCI devices found (not lspci output?)")
    return devices


NAME = "lspci_text"
SHAPE = "text"


def detect(src: Source) -> bool:
    return looks_like_lspci(src.text)


def read(src: Source, nics_only: bool = False) -> Reading:
    text = src.text
    if nics_only and text[:6] == "Slot:\t":
        nics = vmm_nn_nics(text, src.label)  # the fleet's fast path; None: not that clean shape
        if nics is not None:
            return Reading(nics, src.label, method=NAME)
    return Reading(parse_lspci_text(text, src.label), src.label, method=NAME)

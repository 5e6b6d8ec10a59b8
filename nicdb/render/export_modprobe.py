"""modprobe.d presenter: a machine's driver and parameter advice as a file that kmod
reads (``/etc/modprobe.d/*.conf``, see modprobe.d(5)).

It only formats what :func:`nicdb.report.identify` decided, with a comment above every
line saying why and on what evidence:

- ``options MODULE PARAM=VALUE`` for the recommended driver's parameters whose advised
  value differs from the driver's default on that kernel (action "set"); an array
  parameter gets one value per card of the module, in slot order (the order PCI probes);
- ``blacklist B`` when another module B would be loaded for a NIC by its alias (the
  kernel's modules.alias matches, or it drives the NIC now) but nicdb recommends A, and
  no other NIC here needs B; ``softdep B pre: A`` when another NIC needs B and A drives
  none of those, so that A is loaded first and takes its NIC. Where neither can choose
  (A would take the other NICs too), a comment says so and nothing is written.
"""

from __future__ import annotations

from nicdb import __version__
from nicdb.advice.params import value_text
from nicdb.render.export_text import comment, header
from nicdb.render.views import cite

_USABLE = ("supported", "partial", "candidate")


def _token(s: str | None) -> bool:
    """A module, parameter or value modprobe.d reads as one word."""
    return bool(s) and all(c.isprintable() and not c.isspace() and c != "#" for c in s)


def _rev(d) -> str:
    return "??" if d.revision is None else f"{d.revision:02x}"


def _label(rep) -> str:
    d = rep.device
    chip = rep.chip
    what = (f"{chip['chip']} ({'/'.join(chip['products'])})" if chip and chip["products"]
            else chip["chip"] if chip else rep.device_name or "unknown chip")
    return f"{d.slot} {d.id_text} rev {_rev(d)}: {what}"


def _option(rep, module: str):
    adv = rep.drivers
    if adv is None:
        return None
    return next((o for o in adv.options if o.module == module), None)


def _recommended(rep):
    adv = rep.drivers
    if adv is None or not adv.recommended:
        return None
    return next((o for o in adv.options if o.name == adv.recommended), None)


def _binds(rep, module: str) -> bool:
    """Would ``module`` take this NIC when it is loaded (as far as nicdb knows)?"""
    o = _option(rep, module)
    return o is not None and o.status in _USABLE and o.score > -1000


def _needs(rep, module: str) -> bool:
    """Does this NIC need ``module``: recommended for it, or (no recommendation) in use?"""
    rec = _recommended(rep)
    if rec is not None:
        return rec.module == module
    return (rep.device.driver or "").replace("-", "_") == module


class _Lines:
    """Configuration lines in order of first appearance, each with the comments of every
    NIC that wants it (a blacklist wanted by two NICs is written once)."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.why: dict[str, list[str]] = {}

    def add(self, line: str | None, comments: list[str]) -> None:
        key = line or f"#{len(self.order)}"  # a comment alone
        if key not in self.why:
            self.order.append(key)
            self.why[key] = []
        for c in comments:
            if c not in self.why[key]:
                self.why[key].append(c)

    def text(self) -> str:
        out = []
        for key in self.order:
            out.append("")
            out += self.why[key]
            if not key.startswith("#"):
                out.append(key)
        return "\n".join(out) + "\n"


def _driver_lines(doc, lines: _Lines) -> None:
    for rep in doc.nics:
        rec = _recommended(rep)
        d = rep.device
        if rec is None:
            lines.add(None, comment(f"{_label(rep)}: nicdb has no driver to recommend; nothing to write"))
            continue
        head = comment(f"{_label(rep)}: use {rec.name}")
        if rep.drivers.why:
            head += comment("why: " + "; ".join(rep.drivers.why), "  ")
        if rec.kind == "vendor":
            where = f"package {rec.package}" if rec.package else "from the chip vendor; nicdb knows no package for it"
            head += comment(f"{rec.name} is not part of the kernel: install it first ({where}), or this NIC is "
                             "left without a driver", "  ")
        for name, (_, line) in rep.alternatives.items():
            if line:
                head += comment(f"if you use {name} instead, it wants: {line}", "  ")
        others = {m.replace("-", "_") for m in (rep.candidate_modules or [])}
        in_use = _option(rep, (d.driver or "").replace("-", "_"))
        if in_use is not None:
            others.add(in_use.module)
        elif d.driver:
            others.add(d.driver.replace("-", "_"))
        others.discard(rec.module)
        wrote = False
        for b in sorted(others):
            opt = _option(rep, b)
            if opt is not None and opt.status in ("refused", "unavailable"):
                lines.add(None, head + comment(f"{b} refuses this NIC by itself here ({opt.reason}); "
                                                "nothing to write for it", "  "))
                wrote = True
                continue
            if not (_token(b) and _token(rec.module)):
                lines.add(None, head + comment(f"{b!r} or {rec.module!r} is no module name modprobe.d can "
                                                "hold; nothing written", "  "))
                wrote = True
                continue
            needs_b = [o for o in doc.nics if o is not rep and _needs(o, b)]
            if not needs_b:
                lines.add(f"blacklist {b}", head + comment(
                    f"{b} would also be loaded for it (its alias matches, or it drives it now) and no other NIC "
                    f"here needs {b}: blacklisted, so that {rec.module} takes the NIC (blacklist stops loading "
                    f"by alias only; 'modprobe {b}' still loads it)", "  "))
            elif not any(_binds(o, rec.module) for o in needs_b):
                slots = ", ".join(o.device.slot for o in needs_b)
                lines.add(f"softdep {b} pre: {rec.module}", head + comment(
                    f"{b} would also be loaded for it, and {slots} need{'s' if len(needs_b) == 1 else ''} {b}: "
                    f"{rec.module} is loaded before {b}, takes this NIC first, and leaves {slots} to {b}", "  "))
            else:
                slots = ", ".join(o.device.slot for o in needs_b)
                lines.add(None, head + comment(
                    f"{b} would also be loaded for it, but {slots} need{'s' if len(needs_b) == 1 else ''} {b} and "
                    f"{rec.module} would take {'it' if len(needs_b) == 1 else 'them'} too: modprobe.d cannot choose "
                    f"per device, so nothing is written (bind {d.slot} by hand: echo {rec.module} > "
                    f"/sys/bus/pci/devices/{d.slot}/driver_override)", "  "))
            wrote = True
        if not wrote:
            lines.add(None, head + comment("no other module is loaded for it: nothing to choose", "  "))


def _wanted(rep, param: str):
    """What this card wants for ``param``: ("set", value), ("default", value or None)."""
    p = next((p for p in rep.params if p.param == param), None)
    if p is None:
        return "default", None
    if p.action == "set":
        return "set", p.recommended
    return "default", p.default


def _param_lines(doc, lines: _Lines) -> None:
    by_module: dict[str, list] = {}
    for rep in doc.nics:
        rec = _recommended(rep)
        if rec is not None:
            by_module.setdefault(rec.module, []).append(rep)
    for module, cards in by_module.items():
        cards.sort(key=lambda r: r.device.slot)
        params: dict[str, object] = {}
        for rep in cards:
            for p in rep.params:
                if p.action == "set":
                    params.setdefault(p.param, p)
        for name, p in params.items():
            _one_param(doc, lines, module, cards, p)


def _one_param(doc, lines: _Lines, module: str, cards: list, p) -> None:
    wants = [_wanted(r, p.param) for r in cards]
    slots = [r.device.slot for r in cards]
    setters = [r for r, w in zip(cards, wants) if w[0] == "set"]
    why = []
    for r in setters:
        q = next(q for q in r.params if q.param == p.param)
        default = "unknown" if q.default is None else value_text(q.default)
        kernel = f"kernel {doc.kernel}" if doc.kernel else "a current kernel (kernel unknown)"
        why += comment(f"{q.driver} {q.param} for {r.device.slot} ({_label(r).split(': ', 1)[1]}): "
                        f"{value_text(q.recommended)} instead of the default ({default}) on {kernel}")
        meaning = (q.value_names or {}).get(str(q.recommended))
        if meaning:
            why += comment(f"{value_text(q.recommended)} means: {meaning}", "  ")
        why += comment(f"why: {q.why}", "  ")
        for set_id in q.evidence:
            ms = r.evidence.get(set_id)
            title = f"{ms['title']} ({ms['confidence']}; {cite(ms['source'])})" if ms else "(not in the database)"
            why += comment(f"evidence: {set_id}: {title}", "  ")
        why += comment(f"confidence: {q.confidence or '?'}; source: {cite(q.source)}", "  ")
    if not (_token(module) and _token(p.param)):
        lines.add(None, why + comment(f"{module!r} {p.param!r} cannot be written as modprobe.d words; nothing "
                                       "written"))
        return
    if p.array:
        values = [None if v is None else value_text(v) for _, v in wants]
        while values and values[-1] is None:
            values.pop()  # cards past the last value keep the driver's default
        if None in values:
            gap = slots[values.index(None)]
            lines.add(None, why + comment(f"{module} {p.param} takes one value per card in probe order, and nicdb "
                                           f"does not know the default for {gap}, which comes before a card that "
                                           "needs a value: nothing written"))
            return
        if len(set(values)) > 1:
            why += comment("one value per card in probe order (PCI slot order): "
                            + ", ".join(f"{s}={v}" for s, v in zip(slots, values)))
        text = ",".join(values)
    else:
        values = {value_text(v) for _, v in wants if v is not None}
        if len(values) > 1:
            lines.add(None, why + comment(f"{module} {p.param} takes one value for every card, and the cards "
                                           f"({', '.join(slots)}) want different ones: nothing written"))
            return
        text = values.pop()
        unknown = [s for s, w in zip(slots, wants) if w[1] is None]
        if unknown:
            why += comment(f"this also applies to {', '.join(unknown)} (nicdb has no advice on {p.param} there)")
    if not all(_token(v) for v in text.split(",")):
        lines.add(None, why + comment(f"the value {text!r} cannot be written as a modprobe.d word; nothing written"))
        return
    lines.add(f"options {module} {p.param}={text}", why)


def modprobe_conf(doc) -> str:
    """The modprobe.d file for the NICs of one :class:`nicdb.report.Document`."""
    who = f"{doc.host} (read from {doc.source})" if doc.host else doc.source
    kernel = doc.kernel or "unknown (advice for a current kernel)"
    head = header(f"modprobe.d configuration for the network cards of {who}, written by nicdb {__version__}; "
                  f"advice for kernel {kernel}.",
                  "Install it as /etc/modprobe.d/nicdb.conf (modprobe reads only *.conf files there). It takes "
                  "effect when the modules are next loaded: reboot, or unload and load them again; update the "
                  "initramfs if they load from it (update-initramfs -u). Check what kmod reads with "
                  "'modprobe --showconfig'.")
    lines = _Lines()
    if not doc.nics:
        lines.add(None, comment("no network cards found: nothing to write"))
    _driver_lines(doc, lines)
    _param_lines(doc, lines)
    return "\n".join(head) + "\n" + lines.text()

"""Which driver to use among the alternatives -- a pure function of knowledge-base rows.

Inputs are the rows :class:`nicdb.kb.store.KnowledgeBase` returns (``supports`` joined
with driver facts, and each driver's ``issues``), the kernel version the advice is for,
and the modules the kernel itself would consider (from modules.alias). Nothing here
touches the system or the database.
"""

from __future__ import annotations

from nicdb.model import Record
from nicdb.errors import InputError
from nicdb.versions import in_range, parse_version

SEVERITY_WEIGHT = {"minor": 1, "major": 10, "critical": 100}
ASSUMED_KERNEL = "99"  # "a current kernel" when the kernel version is unknown


class DriverOption(Record):
    """One driver for one chip: its status here (supported | partial | refused |
    unavailable | candidate), why, the known issues affecting this kernel, and its score;
    ``package``: the distribution package that provides a vendor driver, when known."""

    __slots__ = ("name", "kind", "status", "reason", "issues", "score", "source", "confidence", "module", "package")

    def __init__(self, name: str, kind: str, status: str, reason: str = "", issues: list[dict] | None = None,
                 score: int = 0, source: dict | None = None, confidence: str | None = None,
                 module: str | None = None, package: str | None = None):
        self.name, self.kind, self.status, self.reason = name, kind, status, reason
        self.issues = [] if issues is None else issues
        self.score, self.source, self.confidence, self.module = score, source, confidence, module
        self.package = package


class DriverAdvice(Record):
    """The recommended driver, every option ranked, and the reasons."""

    __slots__ = ("recommended", "options", "why", "kernel", "kernel_assumed")

    def __init__(self, recommended: str | None, options: list[DriverOption], why: list[str],
                 kernel: str | None, kernel_assumed: bool):
        self.recommended, self.options, self.why = recommended, options, why
        self.kernel, self.kernel_assumed = kernel, kernel_assumed


def _low(spec: str) -> tuple:
    """Sort key of a kernel range: its first version (``2.6.19`` of ``2.6.19-2.6.34``)."""
    try:
        return parse_version(spec.lstrip("<>="))
    except InputError:
        return ()


def _unavailable(kernel: str | None, specs: list[str]) -> str:
    """Why a driver is no option: the kernel is outside every range it has."""
    where = f"does not build or exist on kernel {kernel}" if kernel else "only for old kernels"
    return f"{where} (kernels {', '.join(sorted(specs, key=_low))})"


def _module_name(name: str) -> str:
    return name.replace("-", "_")


def choose_driver(supports: list[dict], issues_by_driver: dict[str, list[dict]], *,
                  kernel: str | None, candidate_modules: list[str] | None = None,
                  os_name: str = "linux", availability: dict[str, tuple[str, str]] | None = None) -> DriverAdvice:
    """Rank the drivers for one chip on one kernel and say why.

    ``supports``: knowledge-base rows for this vendor:device and revision.
    ``candidate_modules``: module names the kernel's modules.alias matches (may be None).
    ``availability``: for candidate modules the driver facts place outside the kernel
    (:func:`nicdb.advice.facts.availability`), module -> (status, reason): on a known
    kernel a certain ``gone``/``not-yet`` makes the candidate unavailable; otherwise the
    reason is said and the candidate ranks lower.
    """
    assumed = kernel is None
    kver = kernel or ASSUMED_KERNEL
    why: list[str] = []
    options: dict[str, DriverOption] = {}
    ranks: dict[str, int] = {}
    ranges: dict[str, list[str]] = {}  # every kernel range a driver's rows name, in row order
    versions: dict[str, str | None] = {}  # vendor driver -> the version its issues are judged by
    for s in supports:
        if s.get("os", "linux") != os_name:
            continue
        opt = DriverOption(s["driver"], s.get("kind", "unknown"), s["status"], s.get("reason", ""),
                           source=s.get("source"), confidence=s.get("confidence"),
                           module=_module_name(s.get("module") or s["driver"]), package=s.get("package") or None)
        versions[s["driver"]] = s.get("driver_version") or None
        applies = in_range(kver, s.get("kernels"))
        if s.get("kernels") and s["kernels"] not in ranges.setdefault(s["driver"], []):
            ranges[s["driver"]].append(s["kernels"])
        if not applies:
            if s["status"] == "refused":
                # The refusal is known only for some kernels; elsewhere the driver may bind.
                opt.status = "partial"
                opt.reason = f"refuses this revision on kernels {s.get('kernels')} ({s.get('reason', '')})"
            else:
                opt.status = "unavailable"  # its reason, once every row is seen (below)
        # Several rows for one driver (a generic one and a refusal, or one per kernel range):
        # a row for this kernel wins over rows for other kernels, and among those a refusal
        # of this revision wins over a generic "supported"; the order of rows does not matter.
        rank = (0 if opt.status == "refused" else 1) if applies else (2 if opt.status == "partial" else 3)
        if opt.name not in options or rank < ranks[opt.name]:
            options[opt.name], ranks[opt.name] = opt, rank
    for name, opt in options.items():  # unavailable: say every kernel range it has
        if opt.status == "unavailable":
            opt.reason = _unavailable(None if assumed else kernel, ranges[name])
    known_modules = {o.module for o in options.values()}
    wanted = {_module_name(m) for m in candidate_modules or []}
    for mod in candidate_modules or []:
        if _module_name(mod) not in known_modules:
            known_modules.add(_module_name(mod))
            options[mod] = DriverOption(mod, "unknown", "candidate",
                                        "the kernel's modules.alias matches it; nicdb has no notes on it",
                                        module=_module_name(mod))
    doubtful = set()
    for mod, (status, reason) in (availability or {}).items():
        opt = next((o for o in options.values() if o.module == _module_name(mod) and o.status == "candidate"), None)
        if opt is None:
            continue
        if not assumed and status in ("gone", "not-yet"):
            opt.status, opt.reason = "unavailable", f"not on kernel {kernel}: {reason}"
        else:
            opt.reason = f"{opt.reason}; {reason}"
            doubtful.add(opt.name)
    for opt in options.values():
        if opt.status in ("refused", "unavailable"):
            opt.score = -1000
            continue
        # an in-tree driver's issues are by kernel version; a vendor driver's by its own
        # version (the one nicdb's notes describe; unknown: every issue may apply)
        ver = kver if opt.kind != "vendor" else versions.get(opt.name)
        opt.issues = [i for i in issues_by_driver.get(opt.name, [])
                      if ver is None or in_range(ver, i.get("affected"))]
        penalty = sum(SEVERITY_WEIGHT.get(i.get("severity", "minor"), 1) for i in opt.issues)
        bonus = {"in-tree": 3, "vendor": 0}.get(opt.kind, 1)
        if opt.status == "partial":
            penalty += 5
        if opt.name in doubtful:
            penalty += 2  # the driver facts say it may not exist on this kernel
        if candidate_modules and opt.kind == "in-tree" and opt.module not in wanted:
            penalty += 2  # the kernel's own alias table would not bind it
        opt.score = bonus - penalty
    ranked = sorted(options.values(), key=lambda o: (-o.score, o.kind != "in-tree", o.name))
    usable = [o for o in ranked if o.score > -1000]
    rec = usable[0] if usable else None
    if assumed:
        why.append("kernel version unknown: advice assumes a current kernel (give --kernel to be exact)")
    if rec is None:
        if options:
            why.append("no listed driver can drive this chip on this kernel")
        return DriverAdvice(None, ranked, why, kernel, assumed)
    if rec.kind == "in-tree":
        why.append(f"{rec.name} is the in-tree driver: it ships with the kernel and needs no out-of-tree build")
    elif rec.kind == "vendor":
        why.append(f"{rec.name} is the chip vendor's own driver")
    for o in ranked:
        if o is rec:
            continue
        if o.status == "refused":
            why.append(f"{o.name} refuses this revision: {o.reason}")
        elif o.status == "unavailable":
            why.append(f"{o.name} is not an option: {o.reason}")
        elif o.issues and o.score < rec.score:
            titles = "; ".join(i["title"] for i in o.issues)
            why.append(f"{o.name} has known issues on this kernel: {titles}")
    if rec.issues:
        why.append(f"{rec.name} still has known issues here: " + "; ".join(i["title"] for i in rec.issues))
    return DriverAdvice(rec.name, ranked, why, kernel, assumed)

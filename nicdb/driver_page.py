"""``nicdb driver NAME``: everything nicdb knows of one driver, gathered for the presenters.

The glue between the knowledge base and the pure functions of :mod:`nicdb.advice.facts`
for a driver rather than a device: the kernel series that carry it, the PCI IDs its
aliases bind, its parameters across the series, the firmware it declares with the
packages that ship it (and, on this machine, whether each file is installed), the
families nicdb has notes for, and its known issues.
"""

from __future__ import annotations

from nicdb.advice import facts as F
from nicdb.errors import InputError
from nicdb.kb.store import KnowledgeBase
from nicdb.model import Record


class DriverPage(Record):
    """One driver: ``name`` as asked, its ``module``, nicdb's curated ``driver`` row (None:
    no notes), the generated ``facts`` (:class:`~nicdb.advice.facts.ModuleFacts`, None:
    the facts do not have it), the series the facts cover, the kernel asked about and
    its series, whether the module exists there (``availability``), the PCI IDs
    (``ids``: one per alias, ``id_count`` distinct vendor:device, ``pattern_count``),
    ``firmware`` (FirmwareFile), the ``distribution`` named for packages, ``families``,
    curated ``params`` and ``issues``."""

    __slots__ = ("name", "module", "driver", "facts", "series", "kernel", "kernel_series", "exact", "availability",
                 "ids", "id_count", "pattern_count", "all_ids", "firmware", "distribution", "families", "params",
                 "issues", "kernels")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def _ids_of(pattern: str) -> tuple[int | None, int | None, int | None, int | None, str | None]:
    """(vendor, device, subvendor, subdevice, class) a pattern names literally (None: wildcard)."""
    from nicdb.modalias import split_pattern

    fields = split_pattern(pattern)
    if fields is None:
        return None, None, None, None, None
    out: list = []
    for glob, width in zip(fields[:4], (8, 8, 8, 8)):
        out.append(int(glob, 16) if len(glob) == width and all(c in "0123456789abcdefABCDEF" for c in glob)
                   else None)
    cls = "".join(fields[4:6]) if all(len(g) == 2 and "*" not in g and "?" not in g for g in fields[4:6]) else None
    return (*out, cls)


def driver_page(kb: KnowledgeBase, name: str, *, kernel: str | None = None, system=None,
                all_ids: bool = False) -> DriverPage:
    """The page of driver or module ``name`` (``-`` and ``_`` alike). InputError when
    nicdb knows neither, naming the closest names it knows."""
    module = name.replace("-", "_")
    drv = kb.driver(name)
    if drv is not None and drv.get("module"):
        module = drv["module"].replace("-", "_")
    row = kb.module_facts(module)
    if drv is None and row is None:
        raise InputError(f"no driver or module named {name!r} in nicdb's notes or driver facts (PCI network "
                         f"drivers of Debian's kernels){_closest(kb, module)}")
    meta = kb.facts_meta()
    series = meta["series"]
    target, exact = F.kernel_series(kernel, series) if kernel else (None, False)
    mf = None
    avail = None
    if row is not None:
        noted = frozenset(p["name"] for p in kb.params(drv["name"])) if drv else frozenset()
        src = F.facts_source(row["series"], meta["kernels"])
        mf = F.module_facts(row, series, None, [], target, src, noted, drv is not None)
        if kernel:
            avail = F.availability(row["series"], series, kernel)
    ids = []
    distinct = set()
    patterns = kb.module_aliases(module) if row is not None else []
    for pattern, s, carried in patterns:
        v, d, sv, sd, cls = _ids_of(pattern)
        if v is not None and d is not None:
            distinct.add((v, d))
        if all_ids:
            ids.append({"pattern": pattern, "vendor": v, "device": d, "subvendor": sv, "subdevice": sd,
                        "class": cls, "series": s.split(), "carried": carried.split(),
                        "name": " ".join(x for x in (kb.vendor_name(v), kb.device_name(v, d)) if x) or None})
    distro = F.distribution(system.os_release if system is not None else None, meta["releases"])
    firmware = []
    if mf is not None and mf.firmware:
        decl = [d for d in mf.firmware if target is None or target in d["series"]]
        names = [(d["name"], "declared", bool(d["wildcard"]), d["series"]) for d in decl]
        shipped = kb.firmware_shipped([d["name"] for d in mf.firmware])
        plan = F.FirmwarePlan(module, names, shipped, [r for d in mf.firmware for r in shipped.get(d["name"], [])])
        firmware = F.firmware_files(plan, system, distro, meta["releases"])
    families = _families(kb, drv, distinct)
    return DriverPage(name=name, module=module, driver=drv, facts=mf, series=series, kernel=kernel,
                      kernel_series=target, exact=exact, availability=avail, ids=ids, id_count=len(distinct),
                      pattern_count=len(patterns), all_ids=all_ids, firmware=firmware, distribution=distro,
                      families=families, params=kb.params(drv["name"]) if drv else [],
                      issues=kb.issues(drv["name"]) if drv else [], kernels=list(meta["kernels"].values()))


def _families(kb: KnowledgeBase, drv: dict | None, ids: set) -> list[dict]:
    """The families nicdb has notes for: the curated driver's, and those with a chip of an
    ID the module's aliases name."""
    out: dict[str, dict] = {}
    if drv is not None:
        import json

        for fid in json.loads(drv["families"]) if isinstance(drv["families"], str) else drv["families"]:
            out[fid] = {"id": fid, "why": "nicdb's notes on the driver name it"}
    for v, d in sorted(ids):
        for c in kb.chips(v, d):
            out.setdefault(c["family"], {"id": c["family"], "why": f"it has notes on {v:04x}:{d:04x}, which the "
                                                                   "driver's aliases also name"})
    names = {f["id"]: f["name"] for f in kb.families()} if out else {}
    return [dict(f, name=names.get(f["id"], "")) for f in out.values()]


def _closest(kb: KnowledgeBase, module: str) -> str:
    import difflib

    known = [m for m, _ in kb.fact_modules()] + [d["name"] for d in kb.drivers()]
    near = difflib.get_close_matches(module, known, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(near)}?" if near else ""

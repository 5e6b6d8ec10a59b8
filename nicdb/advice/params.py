"""Module-parameter advice (DMA_length and friends) -- pure functions over KB rows."""

from __future__ import annotations

from nicdb.model import Record
from nicdb.versions import in_range


class ParamAdvice(Record):
    """Advice for one module parameter. ``action``: set | keep-default | already-default;
    ``recommended`` None means leave the default; ``default`` is the default on the
    kernel (or vendor-driver version) in question; ``evidence`` are the measurement set ids
    behind the advice, ``local_evidence`` the user's own sets on the same chip and parameter."""

    __slots__ = ("driver", "module", "param", "recommended", "default", "action", "why", "evidence",
                 "confidence", "source", "meaning", "value_names", "array", "local_evidence")

    def __init__(self, driver: str, module: str, param: str, recommended, default, action: str, why: str,
                 evidence: list[str] | None = None, confidence: str | None = None, source: dict | None = None,
                 meaning: str = "", value_names: dict | None = None, array: bool = False):
        self.driver, self.module, self.param = driver, module, param
        self.recommended, self.default, self.action, self.why = recommended, default, action, why
        self.evidence = [] if evidence is None else evidence
        self.confidence, self.source, self.meaning = confidence, source, meaning
        self.value_names = {} if value_names is None else value_names
        self.array = array
        self.local_evidence: list[str] = []


def default_for(param: dict, version: str | None) -> object | None:
    """The parameter's default on ``version`` (None when unknown)."""
    for d in param.get("defaults", []):
        if in_range(version, d.get("versions")):
            return d["value"]
    return None


def advise_params(driver: dict, params: list[dict], rev: int | None, version: str | None) -> list[ParamAdvice]:
    """Advice for every parameter of ``driver`` that has a recommendation for this revision.

    ``version`` is the kernel version for an in-tree driver, else the vendor driver's
    version (None = unknown: then the newest known default is assumed and said so).
    """
    out = []
    for p in params:
        for r in p.get("recommend", []):
            if rev is not None and not (r["rev_lo"] <= rev <= r["rev_hi"]):
                continue
            if rev is None and (r["rev_lo"], r["rev_hi"]) != (0, 255):
                continue
            if not in_range(version or "99", r.get("kernels")):
                continue
            default = default_for(p, version or "99")
            value = r.get("value")
            if value is None:
                action = "keep-default"
            elif default is not None and default == value:
                action = "already-default"
            else:
                action = "set"
            out.append(ParamAdvice(driver["name"], driver.get("module") or driver["name"].replace("-", "_"),
                                   p["name"], value, default, action, r["why"], list(r.get("evidence", [])),
                                   r.get("confidence"), r.get("source"), p.get("meaning", ""),
                                   p.get("value_names", {}), bool(p.get("array"))))
            break
    return out


def value_text(value) -> str:
    """A parameter value as modprobe.d and the kernel's command line write it (a bool is 0 or 1)."""
    if isinstance(value, bool):
        value = int(value)
    return str(value)


def modprobe_line(advice: list[ParamAdvice], cards: int = 1) -> str | None:
    """The ``/etc/modprobe.d/`` line for the parameters that need setting, or None.

    Array parameters take one value per card, in probe order; a card without a value
    gets the driver default, so the value is repeated for every card of this driver.
    """
    todo = [a for a in advice if a.action == "set"]
    if not todo:
        return None
    parts = []
    for a in todo:
        val = value_text(a.recommended)
        text = ",".join([val] * max(1, cards)) if a.array else val
        parts.append(f"{a.param}={text}")
    return f"options {todo[0].module} " + " ".join(parts)

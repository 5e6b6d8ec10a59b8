"""Version numbers and version ranges for kernels and vendor drivers.

Ranges in data files use a small, reviewable syntax:

- ``*`` -- every version
- ``2.6.13-2.6.32`` -- inclusive range
- ``>=3.0``, ``<2.6.33``, ``>2.6``, ``<=4.9`` -- one bound
- comma-separated bounds are all required: ``>=2.6.26,<2.6.33``

Versions compare numerically part by part; ``2.6.32`` is inside ``2.6.13-2.6.32``
and so is ``2.6.32.71`` (a prefix match on the upper bound includes its sub-releases).
"""

from __future__ import annotations

from nicdb.errors import InputError


def _digits(s: str, i: int) -> int:
    """The end of the run of decimal digits starting at ``s[i]``."""
    n = len(s)
    while i < n and s[i].isdecimal():
        i += 1
    return i


def parse_version(text: str) -> tuple[int, ...]:
    """``'6.1.0-18-amd64'`` -> (6, 1, 0); ``'1.36'`` -> (1, 36): the leading dotted
    numbers after optional spaces and a ``v``. (Scanned by hand: compiling a regex costs
    more than every version comparison of a run.)"""
    if not isinstance(text, str):
        raise InputError(f"malformed version {text!r}")
    s = text.lstrip()
    if s[:1] == "v":
        s = s[1:]
    end = _digits(s, 0)
    if end == 0:
        raise InputError(f"malformed version {text!r}: expected numbers like 2.6.26 or 6.1")
    while s[end:end + 1] == "." and (nxt := _digits(s, end + 1)) > end + 1:
        end = nxt
    try:
        return tuple(int(x) for x in s[:end].split("."))
    except ValueError:  # int() refuses more than 4300 digits
        raise InputError(f"malformed version {text[:40]!r}...: a number is too long") from None


def _cmp(a: tuple[int, ...], b: tuple[int, ...], upper: bool) -> int:
    """Compare a to b; for an upper bound, a version whose prefix equals b counts as equal."""
    if upper and a[: len(b)] == b:
        return 0
    n = max(len(a), len(b))
    pa, pb = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (pa > pb) - (pa < pb)


def in_range(version: str | tuple[int, ...] | None, spec: str | None) -> bool:
    """Is ``version`` inside the range ``spec``? An unknown version matches only ``*``."""
    if spec is None or spec.strip() in ("", "*"):
        return True
    if version is None:
        return False
    v = parse_version(version) if isinstance(version, str) else version
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        for op in (">=", "<=", ">", "<"):
            if part.startswith(op):
                b = parse_version(part[len(op):])
                c = _cmp(v, b, upper=op in ("<=",))
                ok = {">=": c >= 0, "<=": c <= 0, ">": c > 0, "<": c < 0}[op]
                if not ok:
                    return False
                break
        else:
            lo, sep, hi = part.partition("-")
            if sep and _digits(hi.strip(), 0) > 0:
                if _cmp(v, parse_version(lo), upper=False) < 0:
                    return False
                if _cmp(v, parse_version(hi), upper=True) > 0:
                    return False
            elif _cmp(v, parse_version(part), upper=True) != 0:
                return False
    return True


def check_range(spec: str) -> None:
    """Raise InputError when ``spec`` is not a valid range (used by data validation)."""
    if spec.strip() == "*":
        return
    for part in spec.split(","):
        part = part.strip()  # the bounds in_range understands, and nothing else ("=5.10" is not one)
        op = next((o for o in (">=", "<=", ">", "<") if part.startswith(o)), "")
        lo, sep, hi = part[len(op):].partition("-")
        parse_version(lo)
        if sep:
            parse_version(hi)

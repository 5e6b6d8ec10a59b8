"""Does the chip the kernel log names agree with the guess from the PCI revision?

Pure functions over knowledge-base rows. Names are compared by their *model tokens* --
the words with a digit in them, lower-cased, split at ``/`` (``RTL8168h/8111h`` ->
``rtl8168h``, ``8111h``; ``Wi-Fi 6 AX201`` -> ``ax201``), leaving out words that name
no chip (``802.11ac``, ``160MHz``, ``hw2.0``, ``v2.0``, and anything shorter than three
characters such as a stepping ``A0``).

The revision row *agrees* when one of its names (chip, products, the chips it shares
its ID and revision with) shares a model token with one of the log chip's names, or one
name holds the other once vendor words, spaces and punctuation are gone (``VIA Rhine II``
in ``Rhine-II class (VT6102 ...)``). It
*disagrees* when it lists the chips behind its ID and revision (``shares_id_with``) and
the log's is not among them, or when another revision range of the same ID names the
log's chip (the revision pointed at the wrong row). Otherwise the two cannot be compared
from the data (sky2's rows name the 88E8056, its log the "Yukon-2 EC Ultra": the data
does not say they are one chip) and the answer is None.
"""

from __future__ import annotations

_NOT_CHIPS = ("hw", "v")


def model_tokens(name: str | None) -> set[str]:
    if not name:
        return set()
    out = set()
    for word in name.lower().replace(",", " ").replace("(", " ").replace(")", " ").split():
        for part in word.split("/"):
            part = part.strip(".-'\"[]")
            if len(part) < 3 or not any(c.isdigit() for c in part):
                continue
            if part.endswith(("mhz", "ghz", "mbps", "gbps")) or part.startswith("802.11") or any(
                    part.startswith(p) and part[len(p):len(p) + 1].isdigit() for p in _NOT_CHIPS):
                continue
            out.add(part)
    return out


def _names(row: dict, shares: bool = True) -> list[str]:
    names = [row.get("chip")] + list(row.get("products") or [])
    if shares:
        names += list(row.get("shares_id_with") or [])
    return [n for n in names if n]


_VENDOR_WORDS = ("intel(r)", "intel", "realtek", "marvell", "broadcom", "atheros", "qualcomm", "via", "nvidia",
                 "syskonnect", "mediatek", "ralink", "technologies", "inc.", "corporation")


def squeezed(name: str) -> str:
    """A name without vendor words, spaces, hyphens and punctuation: ``VIA Rhine II`` ->
    ``rhineii``, ``Rhine-II class (VT6102 ...)`` -> ``rhineiiclassvt6102...``."""
    words = [w for w in name.lower().split() if w not in _VENDOR_WORDS]
    return "".join(c for c in "".join(words) if c.isalnum())


def names_match(a: list[str], b: list[str]) -> bool:
    """Whether two lists of chip names name the same chip: a shared model token, or one
    name (of at least six letters and digits, vendor words aside) inside another."""
    ta = set().union(*(model_tokens(n) for n in a)) if a else set()
    tb = set().union(*(model_tokens(n) for n in b)) if b else set()
    if ta & tb:
        return True
    sa, sb = [squeezed(n) for n in a], [squeezed(n) for n in b]
    return any(len(x) >= 6 and len(y) >= 6 and (x in y or y in x) for x in sa for y in sb)


def agreement(rev_row: dict | None, log_chip: dict, id_rows: list[dict]) -> tuple[bool | None, str]:
    """(agrees, why) for the revision row ``rev_row`` of a device, the chip its log names
    (``log_chip``: ``chip`` and ``products``) and every chip row of the device's ID."""
    log_names = _names(log_chip, shares=False)
    if rev_row is None:
        return None, "no chip row for this revision to compare with"
    if names_match(_names(rev_row), log_names):
        return True, f"the revision's row ({rev_row['chip']}) names it"
    for other in id_rows:
        if other.get("id") != rev_row.get("id") and names_match(_names(other), log_names):
            return False, (f"the log's chip is the row of revisions {other['rev_lo']:02x}-{other['rev_hi']:02x} "
                           f"({other['chip']}), not of this revision ({rev_row['chip']})")
    if rev_row.get("shares_id_with"):
        return False, (f"the revision's row lists the chips behind this ID and revision "
                       f"({', '.join(rev_row['shares_id_with'])}), and the log's is not among them")
    return None, (f"the knowledge base names the revision's chip {rev_row['chip']} and the log's "
                  f"{log_chip['chip']} differently and does not tie them")

"""Text from inputs made safe to show: control characters become visible escapes.

Names, paths and values reach nicdb from files other people wrote (an lspci paste from a
ticket, a colleague's snapshot). Printed raw, an escape sequence in a device name would
be obeyed by the admin's terminal -- clear the screen, retitle the window, recolour
everything after it -- and a line break in a name would split an error into two lines.
Every human-readable output (the plain and terminal presenters, errors and warnings)
passes its text through :func:`visible`; JSON is escaped by the JSON encoder.

Escaped, in Python's own notation (``\\x1b``, ``\\n``, ``\\u202e``): C0 controls and
DEL, C1 controls, the line and paragraph separators, and the bidirectional overrides
and isolates that can make text display in another order than it reads.
"""

from __future__ import annotations

_ESCAPED = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
            *range(0x2066, 0x206A)]
_TABLE = {c: repr(chr(c))[1:-1] for c in _ESCAPED}


def visible(text: str) -> str:
    """``text`` with every control character written as an escape; unchanged (the same
    object) when it has none."""
    if text.isprintable():
        return text
    return text.translate(_TABLE)

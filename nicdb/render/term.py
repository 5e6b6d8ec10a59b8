"""Terminal presenter: colour and box-drawn tables for an interactive terminal.

Standard library only, so a one-shot command on a terminal starts as fast as one
writing JSON (rich's own import takes longer than all of ``lspci``; it is kept for
long fleet runs, where a progress bar is worth it). Tables fit the terminal width:
when the natural widths do not fit, the widest columns give way first and their
cells wrap at spaces; when even that would cut words (a PCI slot, an ID), each row
is shown as a record of ``column  value`` lines instead, as psql's expanded display
does.

Colour follows the usual conventions: none when ``NO_COLOR`` is set or ``TERM`` is
``dumb``. The width is ``COLUMNS`` when set, else the terminal's, else 80.
"""

from __future__ import annotations

import os
import sys

from nicdb.render.blocks import Bars, Fields, Heading, Table, Text

_SGR = {"bold": "1", "dim": "2", "italic": "3", "green": "32", "yellow": "33", "cyan": "36",
        "bold yellow": "1;33", "bold cyan": "1;36", "bold green": "1;32"}
_TEXT_STYLE = {"warn": "bold yellow", "note": "dim", "dim": "dim", "good": "green", "code": "bold cyan"}
_MIN_COL = 6  # a column never shrinks below this (unless its content is narrower)
_WORD_MAX = 20  # nor below its longest word up to this width, while the table can fit
_NEARLY = 4  # a column this close to its natural width is given the rest by a wrapping one


def _widths(s: str):
    """The columns each character of ``s`` takes: East Asian wide ones two, combining marks none."""
    import unicodedata

    for ch in s:
        if unicodedata.combining(ch):
            yield 0
        else:
            yield 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def cell_len(s: str) -> int:
    """Columns ``s`` takes on a terminal."""
    return len(s) if s.isascii() else sum(_widths(s))


def _cut(word: str, width: int) -> tuple[str, str]:
    """The longest head of ``word`` that fits ``width`` columns (at least one character), and the rest."""
    if word.isascii():
        return word[:width], word[width:]
    used = 0
    for i, ch in enumerate(word):
        used += cell_len(ch)
        if used > width and i:
            return word[:i], word[i:]
    return word, ""


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken at spaces; a word longer than
    a line is folded. Leading spaces are kept; continuation lines start with ``indent``."""
    width = max(1, width)
    if cell_len(text) <= width:
        return [text]
    if cell_len(indent) >= width // 2:
        indent = ""
    body = text.lstrip(" ")
    lines: list[str] = []
    line = text[: len(text) - len(body)][: width - 1]
    fresh = True  # nothing on this line yet but its prefix
    for word in body.split(" "):
        cand = line + word if fresh else f"{line} {word}"
        if cell_len(cand) <= width:
            line, fresh = cand, False
            continue
        if not fresh:
            lines.append(line)
            line = indent
            cand = indent + word
        while cell_len(cand) > width:  # fold a word too long for a line of its own
            head, word = _cut(word, width - cell_len(line))
            lines.append(line + head)
            line = indent
            cand = indent + word
        line, fresh = cand, False
    lines.append(line)
    return lines


class Terminal:
    """Where the output goes and what it can show."""

    def __init__(self, width: int | None = None, color: bool | None = None, stream=None):
        self.stream = stream or sys.stdout
        self.width = width or _width(self.stream)
        if color is None:
            color = not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
        self.color = color

    def style(self, text: str, style: str) -> str:
        code = _SGR.get(style)
        if not (self.color and code and text):
            return text
        return f"\x1b[{code}m{text}\x1b[0m"


def _width(stream) -> int:
    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return int(cols)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80


# ---------------------------------------------------------------------------- tables

def _unbreakable(word: str) -> int:
    """Columns ``word`` needs on one line: all of it, but for East Asian wide text, which
    may break between any two wide characters, only its longest run of narrow ones."""
    if word.isascii():
        return len(word)
    best = run = 0
    for w in _widths(word):
        if w == 2:
            best, run = max(best, run, 2), 0
        else:
            run += w
    return max(best, run)


def column_widths(natural: list[int], minimum: list[int], room: int) -> list[int]:
    """Widths for columns whose content wants ``natural`` within ``room`` columns in all:
    the widest give way first, none below its ``minimum``. May exceed ``room`` when even
    the minimums do not fit."""
    if sum(natural) <= room:
        return list(natural)
    lo, hi = 0, max(natural)  # the largest cap with sum(min(n, max(cap, m))) <= room
    while lo < hi:
        cap = (lo + hi + 1) // 2
        if sum(min(n, max(cap, m)) for n, m in zip(natural, minimum)) <= room:
            lo = cap
        else:
            hi = cap - 1
    widths = [min(n, max(lo, m)) for n, m in zip(natural, minimum)]
    spare = room - sum(widths)  # hand what the integer cap left over to the columns still cut short
    for i, n in enumerate(natural):
        if spare <= 0:
            break
        if widths[i] < n:
            give = min(spare, n - widths[i])
            widths[i] += give
            spare -= give
    # A column cut short by a few columns ("1af4:1041 rev" + "01") is made whole at the expense
    # of a column that wraps anyway: one more line there instead of a broken short cell here.
    for i in sorted(range(len(natural)), key=lambda k: natural[k] - widths[k]):
        need = natural[i] - widths[i]
        if not 0 < need <= _NEARLY:
            continue
        donors = [k for k in range(len(natural))
                  if natural[k] - widths[k] > _NEARLY and widths[k] - need >= minimum[k]]
        if donors:
            k = max(donors, key=lambda d: widths[d])
            widths[k] -= need
            widths[i] += need
    return widths


def render_table(t: Table, term: Terminal) -> list[str]:
    ncol = len(t.columns)
    rows = [[str(c) for c in r] + [""] * (ncol - len(r)) for r in t.rows]
    natural = [cell_len(c) for c in t.columns]
    longest_word = [0] * ncol  # in the cells: a heading shown once may fold ("velocity" / "get")
    for r in rows:
        for i, c in enumerate(r[:ncol]):
            natural[i] = max(natural[i], cell_len(c))
            longest_word[i] = max(longest_word[i], max(_unbreakable(w) for w in c.split(" ")))
    room = term.width - (3 * ncol + 1)
    # a column keeps room for its longest word (up to _WORD_MAX): prose wraps at spaces instead
    minimum = [min(n, max(_MIN_COL, min(lw, _WORD_MAX))) for n, lw in zip(natural, longest_word)]
    if sum(minimum) > room:
        if ncol > 1:
            # too narrow for a box that keeps words whole (a slot cut as "0000:00:0" / "3.0"):
            # one record per row instead, as psql's expanded display does
            return render_records(t, rows, term)
        minimum = [min(n, _MIN_COL) for n in natural]
    widths = column_widths(natural, minimum, room)

    def border(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def body(cells: list[str], style: str | None, edge: str) -> list[str]:
        wrapped = [wrap(c, w) for c, w in zip(cells, widths)]
        out = []
        for k in range(max(len(x) for x in wrapped)):
            parts = []
            for lines, w in zip(wrapped, widths):
                s = lines[k] if k < len(lines) else ""
                pad = " " * (w - cell_len(s))
                parts.append(" " + (term.style(s, style) if style else s) + pad + " ")
            out.append(edge + edge.join(parts) + edge)
        return out

    out = []
    if t.title:
        out.append(term.style(t.title, "italic"))
    out.append(border("┏", "━", "┳", "┓"))
    out += body(t.columns, "bold", "┃")
    out.append(border("┡", "━", "╇", "┩"))
    for r in rows:
        out += body(r[:ncol], None, "│")
    out.append(border("└", "─", "┴", "┘"))
    if t.caption:
        out.append(term.style(t.caption, "dim"))
    return out


def pair_lines(pairs: list[tuple[str, str]], term: Terminal, *, indent: str = "", style: str = "bold",
               min_room: int = 20) -> list[str]:
    """``name  value`` lines: names padded to the longest, values wrapped beside them."""
    kw = max((cell_len(k) for k, _ in pairs), default=0)
    pad = len(indent) + kw + 2
    room = max(min_room, term.width - pad)
    out = []
    for k, v in pairs:
        vl = wrap(str(v), room) if v else [""]
        out.append((indent + term.style(k + " " * (kw - cell_len(k)), style) + "  " + vl[0]).rstrip())
        out += [" " * pad + x for x in vl[1:]]
    return out


def render_records(t: Table, rows: list[list[str]], term: Terminal) -> list[str]:
    """A table as one record per row: the first cell as the record's heading, then each
    other column as ``name  value`` -- for terminals too narrow for the box."""
    out = []
    if t.title:
        out += [term.style(x, "italic") for x in wrap(t.title, term.width)]
    for r in rows:
        out += [term.style(h, "bold") for h in wrap(r[0] or "-", term.width)]
        out += pair_lines(list(zip(t.columns[1:], r[1:])), term, indent="  ", style="dim", min_room=10)
    if t.caption:
        out += [term.style(x, "dim") for x in wrap(t.caption, term.width)]
    return out


# ---------------------------------------------------------------------------- blocks

def render_lines(blocks: list, term: Terminal) -> list[str]:
    lines: list[str] = []
    for blk in blocks:
        if isinstance(blk, Heading):
            heads = wrap(blk.text, term.width)
            lines += [term.style(h, "bold green") for h in heads[:-1]]
            rule = "─" * max(0, term.width - cell_len(heads[-1]) - 1)
            lines.append(term.style(heads[-1], "bold green") + (" " + term.style(rule, "green") if rule else ""))
        elif isinstance(blk, Text):
            text = ("warning: " if blk.style == "warn" else "") + blk.text
            indent = " " * (len(text) - len(text.lstrip(" ")) + 2)
            style = _TEXT_STYLE.get(blk.style)
            for ln in wrap(text, term.width, indent if text.strip() else ""):
                lines.append(term.style(ln, style) if style else ln)
        elif isinstance(blk, Fields):
            lines += pair_lines(blk.pairs, term)
        elif isinstance(blk, Table):
            lines += render_table(blk, term)
        elif isinstance(blk, Bars):
            if blk.title:
                lines.append(term.style(blk.title, "bold"))
            if not blk.items:
                continue
            from nicdb.render.plain import BAR_WIDTH, bar  # only charts need it

            top = blk.scale_max or max(v for _, v, _ in blk.items) or 1.0
            lw = max(cell_len(label) for label, _, _ in blk.items)
            for label, value, note in blk.items:
                lines.append(f"{label}{' ' * (lw - cell_len(label))} "
                             f"{term.style(bar(value, top).ljust(BAR_WIDTH), 'cyan')} {value:8.1f} {blk.unit} "
                             f"{term.style(note, 'dim')}".rstrip())
    return lines


def render(blocks: list, term: Terminal | None = None) -> None:
    term = term or Terminal()
    term.stream.write("\n".join(render_lines(blocks, term)) + "\n")

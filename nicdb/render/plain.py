"""Plain-text presenter: for pipes, logs and terminals without colour. Standard library only."""

from __future__ import annotations

from nicdb.render.blocks import Bars, Fields, Heading, Table, Text

BAR_WIDTH = 40


def bar(value: float, scale_max: float, width: int = BAR_WIDTH) -> str:
    """A bar of block characters, eighths for the last cell."""
    if scale_max <= 0 or value <= 0:
        return ""
    cells = max(0.0, min(1.0, value / scale_max)) * width
    full = int(cells)
    rest = int(round((cells - full) * 8))
    if rest == 8:
        full, rest = full + 1, 0
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


def render_table(t: Table) -> list[str]:
    out = []
    if t.title:
        out.append(t.title)
    widths = [len(c) for c in t.columns]
    for r in t.rows:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], len(cell))
    out.append("  ".join(c.ljust(w) for c, w in zip(t.columns, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    for r in t.rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if t.caption:
        out.append(t.caption)
    return out


def render_bars(b: Bars) -> list[str]:
    out = [b.title] if b.title else []
    if not b.items:
        return out
    top = b.scale_max or max(v for _, v, _ in b.items) or 1.0
    lw = max(len(label) for label, _, _ in b.items)
    for label, value, note in b.items:
        out.append(f"{label.ljust(lw)} {bar(value, top).ljust(BAR_WIDTH)} {value:8.1f} {b.unit} {note}".rstrip())
    return out


def render(blocks: list) -> str:
    lines: list[str] = []
    for blk in blocks:
        if lines and not isinstance(blk, Text):
            lines.append("")
        if isinstance(blk, Heading):
            lines += [blk.text, "=" * len(blk.text)]
        elif isinstance(blk, Text):
            prefix = {"warn": "warning: ", "note": "note: "}.get(blk.style, "")
            lines.append(prefix + blk.text)
        elif isinstance(blk, Fields):
            w = max((len(k) for k, _ in blk.pairs), default=0)
            lines += [f"{k.ljust(w)}  {v}" for k, v in blk.pairs]
        elif isinstance(blk, Table):
            lines += render_table(blk)
        elif isinstance(blk, Bars):
            lines += render_bars(blk)
    return "\n".join(lines) + "\n"

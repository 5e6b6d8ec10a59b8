"""Output building blocks shared by the presenters (plain text, terminal, rich).

Views (nicdb.render.views) describe *what* to show as a list of blocks; presenters
(nicdb.render.plain, nicdb.render.term, nicdb.render.rich_out) decide *how*.
"""

from __future__ import annotations

from nicdb.model import Record


class Heading(Record):
    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class Text(Record):
    __slots__ = ("text", "style")

    def __init__(self, text: str, style: str = "plain"):
        self.text = text
        self.style = style  # plain | note | dim | warn | good | code


class Fields(Record):
    """Label/value pairs, shown aligned."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs


class Table(Record):
    __slots__ = ("title", "columns", "rows", "caption")

    def __init__(self, title: str, columns: list[str], rows: list[list[str]], caption: str = ""):
        self.title, self.columns, self.rows, self.caption = title, columns, rows, caption


class Bars(Record):
    """A horizontal bar chart: one bar per (label, value, annotation)."""

    __slots__ = ("title", "items", "unit", "scale_max", "groups")

    def __init__(self, title: str, items: list[tuple[str, float, str]], unit: str = "",
                 scale_max: float | None = None, groups: list[str] | None = None):
        self.title, self.items, self.unit, self.scale_max = title, items, unit, scale_max
        self.groups = [] if groups is None else groups  # optional legend


def visible_blocks(blocks: list) -> list:
    """The blocks with every string passed through :func:`nicdb.render.visible.visible`
    (in place: views build new blocks for each run)."""
    from nicdb.render.visible import visible

    for b in blocks:
        if isinstance(b, (Heading, Text)):
            b.text = visible(b.text)
        elif isinstance(b, Fields):
            b.pairs = [(visible(k), visible(str(v))) for k, v in b.pairs]
        elif isinstance(b, Table):
            b.title, b.caption = visible(b.title), visible(b.caption)
            b.columns = [visible(c) for c in b.columns]
            b.rows = [[visible(str(c)) for c in r] for r in b.rows]
        elif isinstance(b, Bars):
            b.title, b.unit = visible(b.title), visible(b.unit)
            b.items = [(visible(label), value, visible(note)) for label, value, note in b.items]
            b.groups = [visible(g) for g in b.groups]
    return blocks

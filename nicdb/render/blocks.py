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

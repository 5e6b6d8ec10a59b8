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


class Series(Record):
    """One line of a chart: y values at x values; ``low``/``high`` the spread of repeats
    (None where a point was run once); ``dashed`` for the second direction."""

    __slots__ = ("label", "xs", "ys", "low", "high", "dashed", "group")

    def __init__(self, label: str, xs: list, ys: list[float], low: list | None = None, high: list | None = None,
                 dashed: bool = False, group: str = ""):
        self.label, self.xs, self.ys = label, xs, ys
        self.low = [None] * len(ys) if low is None else low
        self.high = [None] * len(ys) if high is None else high
        self.dashed, self.group = dashed, group


class Chart(Record):
    """Throughput against a setting's value, for an image file (``--plot``): one series per
    driver and direction (and set), the recommended value marked (``marks``: (x, label)),
    ceilings drawn across (``levels``: (y, label, kind) with kind ``bus`` or ``line``).
    ``categories``: the x labels in order when the values are not numbers."""

    __slots__ = ("title", "xlabel", "ylabel", "series", "marks", "levels", "categories", "notes")

    def __init__(self, title: str, xlabel: str, series: list[Series], ylabel: str = "throughput (Mb/s)",
                 marks: list | None = None, levels: list | None = None, categories: list[str] | None = None,
                 notes: list[str] | None = None):
        self.title, self.xlabel, self.ylabel, self.series = title, xlabel, ylabel, series
        self.marks = [] if marks is None else marks
        self.levels = [] if levels is None else levels
        self.categories = categories
        self.notes = [] if notes is None else notes

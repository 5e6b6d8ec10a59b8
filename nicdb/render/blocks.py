"""Output building blocks shared by the presenters (plain text and rich).

Views (nicdb.render.views) describe *what* to show as a list of blocks; presenters
(nicdb.render.plain, nicdb.render.rich_out) decide *how*.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Heading:
    text: str


@dataclass
class Text:
    text: str
    style: str = "plain"  # plain | note | dim | warn | good | code


@dataclass
class Fields:
    """Label/value pairs, shown aligned."""

    pairs: list[tuple[str, str]]


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Bars:
    """A horizontal bar chart: one bar per (label, value, annotation)."""

    title: str
    items: list[tuple[str, float, str]]
    unit: str = ""
    scale_max: float | None = None
    groups: list[str] = field(default_factory=list)  # optional legend

"""Rich presenter: tables and charts for an interactive terminal. Imported only there."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text as RichText

from nicdb.render.blocks import Bars, Fields, Heading, Table, Text
from nicdb.render.plain import BAR_WIDTH, bar

_STYLE = {"warn": "bold yellow", "note": "dim", "dim": "dim", "good": "green", "code": "bold cyan", "plain": ""}


def render(blocks: list, console: Console | None = None) -> None:
    con = console or Console()
    for blk in blocks:
        if isinstance(blk, Heading):
            con.rule(RichText(blk.text, style="bold"), align="left")
        elif isinstance(blk, Text):
            prefix = "warning: " if blk.style == "warn" else ""
            con.print(RichText(prefix + blk.text, style=_STYLE.get(blk.style, "")))
        elif isinstance(blk, Fields):
            t = RichTable.grid(padding=(0, 2))
            t.add_column(style="bold")
            t.add_column()
            for k, v in blk.pairs:
                t.add_row(k, RichText(v))
            con.print(t)
        elif isinstance(blk, Table):
            if blk.title:  # above the table, not rich's title: that wraps to a narrow table's width
                con.print(RichText(blk.title, style="italic"))
            t = RichTable(caption=blk.caption or None)
            for c in blk.columns:
                t.add_column(c, overflow="fold")
            for r in blk.rows:
                t.add_row(*(RichText(c) for c in r))
            con.print(t)
        elif isinstance(blk, Bars):
            if blk.title:
                con.print(RichText(blk.title, style="bold"))
            if not blk.items:
                continue
            top = blk.scale_max or max(v for _, v, _ in blk.items) or 1.0
            lw = max(len(label) for label, _, _ in blk.items)
            for label, value, note in blk.items:
                line = RichText(label.ljust(lw) + " ")
                line.append(bar(value, top).ljust(BAR_WIDTH), style="cyan")
                line.append(f" {value:8.1f} {blk.unit} ")
                line.append(note, style="dim")
                con.print(line)

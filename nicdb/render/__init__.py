"""Presenters: they only format. Views (:mod:`nicdb.render.views`) turn reports into
presenter-neutral blocks; the terminal, rich and plain presenters draw blocks; the JSON
presenter writes documents (:mod:`nicdb.render.json_out`)."""

from __future__ import annotations

import sys


def show(blocks: list, mode: str) -> None:
    """Present view blocks: on a terminal with nicdb's own presenter (standard library,
    instant), with rich for long fleet runs ("rich"), else as plain text. Control
    characters from the inputs are shown as escapes, never sent to the terminal."""
    from nicdb.render.blocks import visible_blocks

    blocks = visible_blocks(blocks)
    if mode == "term":
        from nicdb.render import term

        term.render(blocks)
    elif mode == "rich":
        from nicdb.render import rich_out

        rich_out.render(blocks)
    else:
        from nicdb.render import plain

        sys.stdout.write(plain.render(blocks))

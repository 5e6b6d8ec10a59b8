"""What the export presenters share: comment lines in the files the system reads (modprobe.d,
udev rules and hwdb all take ``#`` at the start of a line as a comment)."""

from __future__ import annotations

import textwrap

from nicdb.render.visible import visible

WIDTH = 88


def comment(text: str, indent: str = "") -> list[str]:
    """``text`` as ``#`` lines of at most :data:`WIDTH` columns (control characters
    escaped, so a line break in a name or reason can never end the comment)."""
    return textwrap.wrap(visible(" ".join(text.split())), WIDTH, initial_indent="# " + indent,
                         subsequent_indent="# " + indent + "  ", break_on_hyphens=False) or ["#"]


def header(*paragraphs: str) -> list[str]:
    """A file's opening comment: each paragraph as :func:`comment` lines."""
    return [line for par in paragraphs for line in comment(par)]

"""The terminal presenter: box tables that fit the terminal, wrapping, colour conventions."""

from __future__ import annotations

import re

import pytest

from nicdb.render import term
from nicdb.render.blocks import Bars, Fields, Heading, Table, Text

ANSI = re.compile(r"\x1b\[[0-9;]*m")

WIDE_TABLE = Table("Network devices", ["slot", "name", "advice"], [
    ["0000:03:00.0", "VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter",
     "use via-velocity; set DMA_length=6 (bus: 32-bit/33 MHz PCI limits throughput to about 1066 Mb/s)"],
    ["0000:04:00.0", "Realtek RTL-8100/8101L/8139 PCI Fast Ethernet Adapter", "use 8139cp"],
])


def lines_of(blocks, width=60, color=False):
    return term.render_lines(blocks, term.Terminal(width=width, color=color))


@pytest.mark.parametrize("width", [60, 80, 200])
def test_table_fits_the_terminal_and_keeps_every_word(width):
    out = lines_of([WIDE_TABLE], width)
    box = [ln for ln in out if ln and ln[0] in "┏┃┡│└"]
    assert {term.cell_len(ln) for ln in box} == {term.cell_len(box[0])}  # a rectangle
    assert term.cell_len(box[0]) <= max(width, 3 * 3 + 1 + 3 * 6)
    for row in WIDE_TABLE.rows:  # each cell survives wrapping, word for word
        one = lines_of([Table("", WIDE_TABLE.columns, [row])], width)
        body = one[one.index(next(ln for ln in one if ln.startswith("┡"))) + 1:-1]
        columns = zip(*(ln.split("│")[1:-1] for ln in body))
        assert ["".join(piece.strip() for piece in col).replace(" ", "") for col in columns] == \
            [cell.replace(" ", "") for cell in row]


def test_too_narrow_for_whole_words_each_row_is_a_record():
    """At 40 columns the box would cut 'VT6120/VT6121/VT6122' or the slot in two: each row
    becomes a record (first cell as its heading, then column/value lines), every word whole."""
    out = lines_of([WIDE_TABLE], 40)
    assert not any(ln and ln[0] in "┏┃┡│└" for ln in out)
    assert out[0] == "Network devices" and out[1] == "0000:03:00.0"
    assert all(term.cell_len(ln) <= 40 for ln in out)
    assert out[2].startswith("  name    VIA Technologies")
    words = " ".join(ln.strip() for ln in out).split()
    for row in WIDE_TABLE.rows:
        for cell in row:
            assert all(w in words for w in cell.split())
    assert out.index("0000:04:00.0") > out.index("0000:03:00.0")
    assert "  advice  use 8139cp" in out


def test_a_box_that_only_folds_headings_stays_a_box():
    # numbers under long headings: the headings may fold, the rows stay a table
    t = Table("Measurements", ["direction", "velocityget CPU% (local/peer)", "via-velocity CPU% (local/peer)"],
              [["tx", "99/12", "27/9"], ["rx", "68/3", "42/2"]])
    out = lines_of([t], 30)
    box = [ln for ln in out if ln and ln[0] in "┏┃┡│└"]
    assert box and all(term.cell_len(ln) <= 30 for ln in box)
    assert any("99/12" in ln and "27/9" in ln for ln in box)


def test_wide_table_keeps_natural_widths_when_there_is_room():
    out = lines_of([WIDE_TABLE], 300)
    assert any(WIDE_TABLE.rows[0][2] in ln for ln in out)  # nothing wrapped


def test_east_asian_text_counts_two_columns():
    assert term.cell_len("ネットワーク") == 12
    t = Table("", ["測定", "Mb/s"], [["VT6122 の性能(3) - ネットワークスループット測定", "641"]])
    box = [ln for ln in lines_of([t], 30) if ln and ln[0] in "┏┃┡│└"]
    assert {term.cell_len(ln) for ln in box} == {term.cell_len(box[0])} and term.cell_len(box[0]) <= 30


def test_column_widths_give_way_widest_first():
    assert term.column_widths([10, 50, 5], [6, 6, 5], 100) == [10, 50, 5]
    w = term.column_widths([10, 50, 5], [6, 6, 5], 40)
    assert sum(w) == 40 and w[0] == 10 and w[2] == 5
    assert term.column_widths([30, 30], [6, 6], 8) == [6, 6]  # never below the minimum


def test_wrap_keeps_indent_and_folds_long_words():
    assert term.wrap("  - aaa bbb ccc", 10, "    ") == ["  - aaa", "    bbb", "    ccc"]
    assert term.wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert all(term.cell_len(x) <= 7 for x in term.wrap("ネットワークスループット", 7))


def test_colour_only_when_wanted(monkeypatch):
    blocks = [Heading("1106:3119 rev 11"), Text("careful", "warn"), Fields([("chip", "VT3216")]), WIDE_TABLE,
              Bars("DMA_length sweep", [("0", 340.0, "default"), ("6", 648.0, "")], "Mb/s")]
    coloured = lines_of(blocks, 100, color=True)
    plain = lines_of(blocks, 100, color=False)
    assert any(ANSI.search(ln) for ln in coloured) and not any(ANSI.search(ln) for ln in plain)
    assert [ANSI.sub("", ln) for ln in coloured] == plain
    assert "warning: careful" in plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert term.Terminal(width=80).color is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert term.Terminal(width=80).color is False


def test_columns_variable_sets_the_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "57")
    assert term.Terminal().width == 57


def test_identify_on_a_terminal_draws_a_fitting_table(session_db, on_a_terminal):
    out = ANSI.sub("", on_a_terminal("identify", columns=120)).replace("\r\n", "\n")
    box = [ln for ln in out.splitlines() if ln and ln[0] in "┏┃┡│└"]
    assert box and box[0].startswith("┏") and box[-1].startswith("└")
    assert all(term.cell_len(ln) == term.cell_len(box[0]) <= 120 for ln in box)
    assert "advice" in box[1]


def test_identify_on_an_80_column_terminal_shows_records(session_db, on_a_terminal):
    """Eight columns do not fit 80 with slots and IDs whole: a record per NIC, the slot
    and the ID on lines of their own, copyable."""
    out = ANSI.sub("", on_a_terminal("identify", columns=80)).replace("\r\n", "\n").splitlines()
    assert not any(ln and ln[0] in "┏┃┡│└" for ln in out)
    slots = [ln for ln in out if ln[:1].isalnum() and ":" in ln and "." in ln and " " not in ln]
    assert slots and all(len(s) == 12 for s in slots)  # 0000:00:03.0, whole
    ids = [ln for ln in out if ln.startswith("  id ")]
    assert len(ids) == len(slots) and all(" rev " in ln for ln in ids)
    assert all(term.cell_len(ln) <= 80 for ln in out)


def test_chip_on_a_terminal_is_coloured(session_db, on_a_terminal):
    out = on_a_terminal("chip", "1106:3119", "--rev", "11", columns=100)
    assert ANSI.search(out) and "VT3216" in ANSI.sub("", out)


def test_rich_presenter_renders_the_same_blocks():
    """rich still presents fleet runs on a terminal: every block kind renders there too."""
    import io

    from rich.console import Console

    from nicdb.render import rich_out

    buf = io.StringIO()
    blocks = [Heading("Fleet"), Text("2 hosts failed", "warn"), Fields([("hosts", "3")]), WIDE_TABLE,
              Bars("DMA_length sweep", [("0", 340.0, "default"), ("6", 648.0, "")], "Mb/s")]
    rich_out.render(blocks, Console(file=buf, width=100, color_system=None))
    out = buf.getvalue()
    for needle in ("Fleet", "warning: 2 hosts failed", "hosts", "0000:03:00.0", "DMA_length sweep", "648.0"):
        assert needle in out


def test_a_long_heading_wraps_within_the_width():
    out = lines_of([Heading("1106:3119 rev 11  VIA Technologies, Inc. VT6120/VT6121/VT6122 Gigabit Ethernet Adapter")],
                   40)
    assert len(out) > 1 and all(term.cell_len(ln) <= 40 for ln in out)
    assert out[-1].endswith("─")


def test_a_column_nearly_whole_is_made_whole_by_one_that_wraps_anyway():
    # "1af4:1041 rev 01" (16) beside long names and advice: the ID cell stays on one line
    w = term.column_widths([16, 39, 30], [9, 8, 10], 44)
    assert w[0] == 16 and sum(w) == 44 and w[1] >= 8 and w[2] >= 10


def test_rich_heading_is_text_not_markup():
    import io

    from rich.console import Console

    from nicdb.render import rich_out

    buf = io.StringIO()
    rich_out.render([Heading("hosts [/oops] [red]x")], Console(file=buf, width=60, color_system=None))
    assert "hosts [/oops] [red]x" in buf.getvalue()


def test_rich_table_title_stays_on_one_line_above_a_narrow_table():
    """A fleet summary's 'Hosts per driver in use' over a two-column table of short words:
    rich's own table title would wrap to the table's width ("...in" / "use")."""
    import io

    from rich.console import Console

    from nicdb.render import rich_out

    buf = io.StringIO()
    rich_out.render([Table("Hosts per driver in use", ["", "hosts"], [["igb", "3"]])],
                    Console(file=buf, width=80, color_system=None))
    lines = buf.getvalue().splitlines()
    assert lines[0] == "Hosts per driver in use"
    assert "igb" in buf.getvalue() and all("use" not in ln for ln in lines[1:])

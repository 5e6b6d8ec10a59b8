"""Control characters from inputs are shown as escapes, never sent to the terminal."""

from __future__ import annotations

import pytest

from nicdb.render.visible import visible

EVIL_VMM = ("Slot:\t00:03.0\nClass:\tEthernet controller [0200]\nVendor:\tEvil\x1b[2JCorp [fff0]\n"
            "Device:\tX\x1b]0;owned\x07Y [0001]\nDriver:\tbad\x1b[31mdrv\u202e\n\n")


@pytest.mark.parametrize("raw, shown", [
    ("plain text", "plain text"),
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("two\nlines\r", "two\\nlines\\r"),
    ("bell\x07 del\x7f c1\x9b", "bell\\x07 del\\x7f c1\\x9b"),
    ("rtl\u202eoverride\u2066", "rtl\\u202eoverride\\u2066"),
    ("ネットワーク and\u00a0nbsp", "ネットワーク and\u00a0nbsp"),  # printable stays as it is
])
def test_visible(raw, shown):
    assert visible(raw) == shown


def test_printable_text_is_returned_as_is():
    s = "VIA Technologies, Inc. VT6120/VT6121/VT6122"
    assert visible(s) is s


def no_terminal_controls(text: str) -> bool:
    return not any(c in text for c in ("\x1b[2J", "\x1b]", "\x07", "\u202e", "\x1b[31m"))


def test_plain_output_shows_escapes(run, tmp_path):
    f = tmp_path / "evil.txt"
    f.write_text(EVIL_VMM)
    r = run("identify", "--from", str(f), "--plain")
    assert r.code == 0
    assert no_terminal_controls(r.out)
    assert "Evil\\x1b[2JCorp" in r.out and "bad\\x1b[31mdrv\\u202e" in r.out


def test_fleet_rows_show_escapes(run, tmp_path):
    (tmp_path / "host1.txt").write_text(EVIL_VMM)
    r = run("identify", "--from", str(tmp_path), "--plain")
    assert r.code == 0 and no_terminal_controls(r.out) and "bad\\x1b[31mdrv" in r.out


def test_errors_show_escapes(run, tmp_path):
    f = tmp_path / "evil\x1b[2Jname.txt"
    f.write_bytes(b"\x00\x01binary")
    r = run("identify", "--from", str(f))
    assert r.code == 2 and len(r.err.splitlines()) == 1
    assert no_terminal_controls(r.err) and "evil\\x1b[2Jname.txt" in r.err


def test_terminal_output_shows_escapes(session_db, tmp_path, on_a_terminal):
    f = tmp_path / "evil.txt"
    f.write_text(EVIL_VMM)
    out = on_a_terminal("identify", "--from", str(f), columns=160)
    assert no_terminal_controls(out) and "Evil\\x1b[2JCorp" in out

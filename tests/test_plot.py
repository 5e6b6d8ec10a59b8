"""Charts (--plot): the image opens, has the expected size and series, marks the
recommended value and draws the bus ceiling; matplotlib is loaded only for them."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from nicdb.render.blocks import Chart, Series

SEED = "seed-001-vt6122-nuttcp"
TAB10 = {"#1f77b4": (31, 119, 180), "#ff7f0e": (255, 127, 14), "#2ca02c": (44, 160, 44)}


def _svg(path) -> ET.Element:
    return ET.parse(path).getroot()


def _ids(root: ET.Element) -> list[str]:
    return [e.get("id") for e in root.iter() if e.get("id", "").startswith(("series:", "level:", "recommended"))]


def _texts(root: ET.Element) -> str:
    return " ".join("".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))


def test_evidence_show_draws_the_seeds_chart_as_svg(run, tmp_path):
    svg = tmp_path / "seed.svg"
    r = run("evidence", "show", SEED, "--plot", str(svg), "--plain")
    assert r.code == 0, r.err
    assert r.out.rstrip().endswith(f"chart written to {svg}")
    root = _svg(svg)
    assert root.get("viewBox") == "0 0 691.2 388.8"  # 960 × 540 px at 100 dpi, in points
    assert _ids(root) == ["series:velocityget tx", "series:velocityget rx", "series:via-velocity tx",
                          "series:via-velocity rx", "level:bus", "level:line", "recommended"]
    text = _texts(root)
    assert "recommended: DMA_length=6" in text and "PCI 32/33 bus peak 1067 Mb/s (shared by both directions)" in text
    assert "line rate 1000 Mb/s" in text and "DMA_length" in text
    # no date: the same chart twice is the same file
    again = tmp_path / "again.svg"
    run("evidence", "show", SEED, "--plot", str(again))
    assert again.read_bytes() == svg.read_bytes()


def test_suggest_draws_png_with_your_set_beside_the_seeds(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    for value, mbps in ((2, 480.1), (4, 590.3), (6, 640.7)):
        f = tmp_path / f"{value}.txt"
        f.write_text(f"# nuttcp -t ref1\n  765.3 MB /  10.01 sec =  {mbps} Mbps 97 %TX 11 %RX\n")
        assert run("evidence", "import", str(f), "--id", "1106:3119", "--rev", "11", "--driver", "via-velocity",
                   "--setting", f"via_velocity.DMA_length={value}", "--set", "mine").code == 0
    png = tmp_path / "suggest.png"
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "2.6.26", "--plot", str(png), "--json")
    assert r.code == 0, r.err
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size == (960, 540)
        series = im.info["Description"].removeprefix("series: ").split("; ")
        assert series == [f"velocityget tx ({SEED})", f"velocityget rx ({SEED})", f"via-velocity tx ({SEED})",
                          f"via-velocity rx ({SEED})", "via-velocity tx (mine)"]
        colours = {c for _, c in im.convert("RGB").getcolors(960 * 540)}
    # the three line colours of the three driver groups are drawn
    assert set(TAB10.values()) <= colours


def test_a_chart_of_words_and_spreads(tmp_path):
    from nicdb.render import plot

    chart = Chart("offloads", "offload.tso", [
        Series("veth tx", ["off", "on"], [900.0, 950.0], [880.0, 930.0], [920.0, 970.0]),
        Series("veth rx", ["off", "on"], [800.0, 990.0], dashed=True)], marks=[("on", "recommended: on")],
        categories=["off", "on"])
    out = plot.save(chart, str(tmp_path / "c.svg"))
    root = _svg(out)
    assert _ids(root) == ["series:veth tx", "series:veth rx", "recommended"]
    assert "off" in _texts(root) and "on" in _texts(root)


@pytest.mark.parametrize("args, said", [
    (("evidence", "show", SEED, "--plot", "chart.jpg"), "must end in .svg or .png"),
    (("evidence", "show", SEED, "--plot", "/nonexistent-dir/c.svg"), "no folder /nonexistent-dir"),
    (("suggest", "--id", "1106:3119", "--rev", "84", "--plot", "x.png"), "nothing to plot"),
])
def test_bad_plots_are_one_line(run, tmp_path, monkeypatch, args, said):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.code == 2 and said in r.err and r.err.count("\n") == 1


def test_without_matplotlib_a_plot_is_one_line_and_nothing_else_needs_it(session_db, tmp_path):
    probe = ("import sys; sys.modules['matplotlib'] = None\n"
             "from nicdb.cli import main\n"
             "main(sys.argv[1:])")
    p = subprocess.run([sys.executable, "-c", probe, "evidence", "show", SEED, "--plot", str(tmp_path / "c.png")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and p.stderr == ("nicdb: error: --plot needs matplotlib: pip install 'nicdb[plot]' "
                                              "(or pip install matplotlib)\n")
    p = subprocess.run([sys.executable, "-c", probe, "evidence", "show", SEED, "--plain"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and "What it means:" in p.stdout

"""Measurement sets in data files: the general form (a setting and its values), the seed's
file in it with its facts unchanged, the first form (dma_length) still read, and every new
key validated like the rest of data/."""

from __future__ import annotations

import json

import pytest

from nicdb.errors import DataError
from nicdb.kb import paths
from nicdb.kb.load import load_tree


def test_the_seeds_set_in_the_general_form(kb):
    ms = kb.evidence("seed-001-vt6122-nuttcp")
    assert ms["setting"] == "DMA_length" and ms["origin"] == "shipped" and len(ms["rows"]) == 40
    rows = ms["rows"]
    assert all(r["setting"] == "DMA_length" for r in rows)
    assert [r["value"] for r in rows[:4]] == [None] * 4  # the drivers' defaults
    by = {(r["driver"], r["direction"], r["mtu"], r["value"]): r for r in rows}
    # figures as the seed printed them
    assert by[("via-velocity", "tx", 1500, 6)]["mbps"] == 646.4036
    assert (by[("velocityget", "rx", 1500, 6)]["mbps"], by[("velocityget", "rx", 1500, 6)]["cpu_local_pct"]) == \
        (741.2755, 66)
    assert by[("velocityget", "rx", 9000, 6)]["mbps"] == 989.8745
    assert sorted({r["value"] for r in rows if r["value"] is not None}) == list(range(8))


def _tree(tmp_path, text: str, origin: str = "local"):
    root = tmp_path / "d"
    (root / "measurements").mkdir(parents=True)
    (root / "measurements" / "x.toml").write_text(text)
    return load_tree([(paths.data_dir(), "shipped"), (root, origin)])


HEAD = 'schema = 1\n[set]\nid = "x"\ntitle = "t"\ntool = "iperf3"\n'


def test_new_keys_load(tmp_path):
    t = _tree(tmp_path, HEAD + 'setting = "txqueuelen"\nhost = "h"\nkernel = "6.1"\niface = "veth0"\n'
              'line_rate_mbps = 10000\ndate = "2026-12-03T08:00:00Z"\n\n'
              '[[rows]]\ndriver = "veth"\ndriver_version = "1.0"\nvalue = 1000\nparams = { a = "1", b = 2 }\n'
              'mtu = 1500\nmss = 1448\ndirection = "tx"\nmbps = 2.0\nruns = [1.0, 2.0, 3.0]\nretransmits = 4\n'
              'cpu_local_pct = 40\ncpu_peer_pct = 50\nduration_s = 1.0\n\n'
              '[[rows]]\ndriver = "veth"\nsetting = "net.ipv4.tcp_rmem"\nvalue = [4096, 131072, 6291456]\n'
              'direction = "rx"\nmbps = 5\n')
    (s,) = [m for m in t.measurement_sets if m["id"] == "x"]
    assert (s["vendor"], s["device"], s["setting"], s["line_rate_mbps"]) == (None, None, "txqueuelen", 10000)
    a, b = [m for m in t.measurements if m["set_id"] == "x"]
    assert (a["setting"], json.loads(a["value"]), json.loads(a["params"]), json.loads(a["runs"])) == \
        ("txqueuelen", 1000, {"a": "1", "b": 2}, [1.0, 2.0, 3.0])
    assert (b["setting"], json.loads(b["value"])) == ("net.ipv4.tcp_rmem", [4096, 131072, 6291456])


def test_the_first_form_is_still_read(tmp_path):
    t = _tree(tmp_path, HEAD + 'vendor = "1106"\ndevice = "3119"\n[[rows]]\ndriver = "via-velocity"\n'
              'dma_length = 4\ndirection = "tx"\nmbps = 612.5\n')
    (m,) = [m for m in t.measurements if m["set_id"] == "x"]
    assert (m["setting"], m["value"]) == ("DMA_length", "4")


@pytest.mark.parametrize("body, said", [
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nruns = [1.0, 5.0, 9.0]\n',
     "mbps 2.0 is not the median of runs (5)"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nvalue = 3\n', "a value needs a setting"),
    ('setting = "a..b"\n[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\n', "has an empty part"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\ncpu_local_pct = 140\n',
     "cpu_local_pct must be a non-negative whole number up to 100"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nretransmits = -1\n', "retransmits must be"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nparams = ["x"]\n', "params must be a table"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nvalue = { a = 1 }\nsetting = "mtu"\n',
     "must be a number, a string or a list of whole numbers"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\ndma_length = 3\nvalue = 3\n',
     "give either dma_length or setting/value"),
    ('[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\nretransmit = 3\n',
     "unknown key 'retransmit' (did you mean 'retransmits'?)"),
    ('vendor = "1106"\n', "give both vendor and device, or neither"),
])
def test_bad_sets_are_refused_naming_the_entry(tmp_path, body, said):
    with pytest.raises(DataError, match="x.toml: ") as e:
        _tree(tmp_path, HEAD + body)
    assert said in str(e.value) and "\n" not in str(e.value)


def test_only_your_own_sets_may_name_any_driver(tmp_path):
    rows = '[[rows]]\ndriver = "veth"\ndirection = "tx"\nmbps = 2.0\n'
    shipped = ('schema = 1\n[sources.s]\nkind = "measured"\ntitle = "t"\nref = "r"\n[set]\nid = "x"\n'
               'title = "t"\nsource = "s"\nconfidence = "measured"\n' + rows)
    with pytest.raises(DataError, match="driver 'veth' is not defined in data/drivers"):
        _tree(tmp_path / "a", shipped, origin="shipped")
    assert [m["driver"] for m in _tree(tmp_path / "b", HEAD + rows).measurements if m["set_id"] == "x"] == ["veth"]


def test_a_set_id_is_unique(tmp_path):
    with pytest.raises(DataError, match="measurement set 'seed-001-vt6122-nuttcp' is defined twice"):
        _tree(tmp_path, HEAD.replace('id = "x"', 'id = "seed-001-vt6122-nuttcp"'))

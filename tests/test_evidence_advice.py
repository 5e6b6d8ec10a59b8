"""What a curve means (nicdb.advice.evidence): the seed's own conclusions come out of its
figures -- 6 is as good as the best, the curves flatten from 4-5 well below Gigabit, the
sender's CPU is the ceiling when sending -- and crafted curves cover the other cases."""

from __future__ import annotations

import pytest

from nicdb.advice.bus import bus_ceiling, bus_from_text
from nicdb.advice.evidence import curves, read_curve, read_rows
from nicdb.model import PciDevice


def _seed_verdicts(kb):
    from nicdb.report import read_evidence, recommendations

    ms = kb.evidence("seed-001-vt6122-nuttcp")
    return {(v.driver, v.direction): v for v in read_evidence(ms, kb, recommendations(kb, ms, "2.6.26"))}


def test_the_seeds_conclusions_come_out_of_its_figures(kb):
    vs = _seed_verdicts(kb)
    assert set(vs) == {(d, x) for d in ("velocityget", "via-velocity") for x in ("tx", "rx")}  # MTU 9000: points
    tx = vs[("via-velocity", "tx")]
    assert (tx.best_value, tx.recommended, tx.agrees, tx.flat_from) == (7, 6, True, 5)
    assert tx.below_line_rate is True and tx.line_rate_mbps == 1000
    assert tx.limits == ["cpu-local"]  # "送信に関しては双方同じ程度に CPU を使い切って頭打ち"
    assert "the CPU of the machine under test is at 99 %: a CPU ceiling" in tx.text
    rx = vs[("velocityget", "rx")]
    assert (rx.best_value, rx.agrees, rx.flat_from) == (6, True, 4)
    assert rx.limits == ["bus"] and rx.ceiling_mbps == 1067  # from the set's "PCI 32-bit/33 MHz"
    assert "the PCI bus peaks at 1067 Mb/s for both directions" in rx.text and "a likely bus ceiling" in rx.text


def test_suggest_says_what_the_seeds_curves_mean_under_its_table(run):
    r = run("suggest", "--id", "1106:3119", "--rev", "11", "--kernel", "2.6.26", "--plain")
    after = r.out.split("rx via-velocity DMA_length=7")[1]
    assert after.splitlines()[1] == "What it means:"
    assert ("  - tx, via-velocity, MTU 1500: best DMA_length=7 (647.7 Mb/s); the recommended 6 gives 646.4 Mb/s, "
            "as good within the noise: agrees with the recommendation; flattens from DMA_length=5 at ~645 Mb/s; "
            "65 % of the 1000 Mb/s line rate") in after


def _rows(points: dict, **kw) -> list[dict]:
    base = {"driver": "d", "direction": "tx", "mtu": 1500, "setting": "s.p", "cpu_local_pct": None,
            "cpu_peer_pct": None, "runs": None}
    return [dict(base, value=v, mbps=m, **kw) for v, m in points.items()]


def test_a_flat_curve_says_the_setting_makes_no_difference():
    (c,) = curves(_rows({0: 900.0, 1: 905.0, 2: 899.0, 3: 903.0}))
    v = read_curve(c, "p", recommended=2, line_rate_mbps=1000)
    assert v.no_effect is True and v.flat_from == 0 and v.agrees is True and v.below_line_rate is False
    assert "no difference across p=0..3 (all within 3 %)" in v.text and "at the line rate" in v.text


def test_a_recommendation_far_from_the_best_disagrees_and_noise_is_respected():
    (c,) = curves(_rows({1: 500.0, 2: 700.0, 3: 560.0}))
    v = read_curve(c, "p", recommended=3)
    assert v.agrees is False and "20 % less: this machine disagrees" in v.text and v.flat_from is None
    noisy = _rows({1: 500.0, 2: 700.0, 3: 560.0})
    noisy[1]["runs"], noisy[2]["runs"] = [400.0, 700.0, 1000.0], [500.0, 560.0, 620.0]
    (c,) = curves(noisy)
    assert read_curve(c, "p", recommended=3).agrees is True  # within the spread of the repeats
    v = read_curve(c, "p", recommended=9)
    assert v.agrees is None and "the recommended 9 was not measured" in v.text


def test_words_and_lists_keep_their_order_and_mtu_sweeps_are_one_curve():
    (c,) = curves(_rows({"off": 900.0, "on": 950.0}))
    assert [p.value for p in c.points] == ["off", "on"] and not c.numeric
    v = read_curve(c, "tso", recommended="on")
    assert v.best_value == "on" and v.agrees is True and v.flat_from is None
    rows = [dict(r, mtu=r["value"], setting="mtu") for r in _rows({1500: 900.0, 9000: 990.0, 4000: 950.0})]
    (c,) = curves(rows)
    assert [p.value for p in c.points] == [1500, 4000, 9000] and c.mtu is None
    lists = _rows({(4096, 131072, 6291456): 10.0, (4096, 131072, 262144): 8.0})
    for r in lists:
        r["value"] = list(r["value"])
    (c,) = curves(lists)
    assert [p.value[2] for p in c.points] == [262144, 6291456]
    triples = _rows({(4096, 16384): 1533.0, (4096, 65536): 6754.0, (4096, 262144): 14541.0, (4096, 1048576): 14600.0,
                     (4096, 4194304): 14650.0})
    for r in triples:
        r["value"] = [r["value"][0], r["value"][1], r["value"][1]]
    (c,) = curves(triples)
    v = read_curve(c, "net.ipv4.tcp_rmem")  # lists of numbers are ordered: a plateau is found
    assert c.ordered and v.flat_from == [4096, 262144, 262144] and "flattens from net.ipv4.tcp_rmem=4096 262144" in v.text


def test_peer_cpu_and_single_points():
    rows = _rows({0: 300.0, 1: 500.0, 2: 600.0, 3: 605.0}, cpu_peer_pct=97)
    (v,) = read_rows(rows, lambda s: "p", None, 1000, None)
    assert v.limits == ["cpu-peer"] and "the peer's CPU is at 97 %" in v.text
    assert read_rows(_rows({5: 10.0}), lambda s: "p") == []  # one value is a measurement, not a curve


def test_bus_named_in_a_sets_text():
    assert bus_from_text("PCI 32-bit/33 MHz (133 MB/s, shared)") == {"bus": "pci", "bus_width_bits": 32,
                                                                     "bus_mhz": 33}
    assert bus_from_text("PCI-X 64-bit/133 MHz") == {"bus": "pci-x", "bus_width_bits": 64, "bus_mhz": 133}
    assert bus_from_text("PCIe 1.x x1: 2.5 GT/s × 1 lane") is None and bus_from_text(None) is None
    b = bus_ceiling(PciDevice(slot="-", vendor=None, device=None), bus_from_text("PCI 32-bit/33 MHz"), 1000)
    assert b.ceiling_mbps == 1067 and b.limited is True


@pytest.mark.parametrize("setting, want", [("txqueuelen", 9000), ("net.core.rmem_max", 4194304),
                                           ("coalesce.rx-usecs", 50), ("ring.rx", 4096), ("mtu", 9000),
                                           ("net.ipv4.tcp_rmem", [4096, 131072, 4194304]), ("ring.tx", None)])
def test_tune_proposals_as_sweep_recommendations(setting, want):
    from nicdb.advice.tune import propose, proposed_value
    from nicdb.tuning.read import Settings

    s = Settings(iface="eth0", mtu=1500, tx_queue_len=1000, speed_mbps=10000, netdev_max_backlog=1000,
                 rmem_max=212992, wmem_max=212992, tcp_rmem=(4096, 131072, 1048576), tcp_wmem=(4096, 16384, 4194304),
                 coalesce={"rx-usecs": 0, "rx-frames": 1, "adaptive-rx": False}, coalesce_supported=True,
                 rings={"max": {"rx": 4096, "tx": 256}, "current": {"rx": 256, "tx": 256}}, rings_supported=True)
    assert proposed_value(propose(s, None, 1.0), setting) == want

"""Host-bus ceiling verdicts (nicdb.advice.bus)."""

from __future__ import annotations


from nicdb.advice.citations import SEED_PCI
import pytest

from nicdb.advice.bus import BusVerdict, bus_ceiling, ceiling_table, parallel_mbps, pcie_mbps
from nicdb.model import NetInterface, PciDevice, PciLink


def dev(link: PciLink | None = None, is_pcie: bool | None = None, speeds: tuple[int, ...] = ()) -> PciDevice:
    d = PciDevice("0000:02:00.0", 0x1106, 0x3119, revision=0x11, class_code=0x020000,
                  link=link, is_pcie=is_pcie)
    d.interfaces = [NetInterface(f"eth{i}", speed_mbps=s) for i, s in enumerate(speeds)]
    return d


def pci_chip(width=None, mhz=None, bus="pci", rate=None) -> dict:
    return {"bus": bus, "bus_width_bits": width, "bus_mhz": mhz, "line_rate_mbps": rate}


# --- conventional PCI and PCI-X ---------------------------------------------------------


@pytest.mark.parametrize("bus,width,mhz,mbps", [
    ("pci", 32, 33, 1067),
    ("pci", 32, 66, 2133),
    ("pci", 64, 33, 2133),
    ("pci", 64, 66, 4267),
    ("pci-x", 64, 66, 4267),
    ("pci-x", 64, 100, 6400),
    ("pci-x", 64, 133, 8533),
    ("pci-x", 64, 266, 17067),
    ("pci-x", 64, 533, 34133),
])
def test_parallel_bus_ceilings(bus, width, mhz, mbps):
    assert parallel_mbps(width, mhz) == mbps
    v = bus_ceiling(dev(), pci_chip(width, mhz, bus), 100)
    name = "PCI" if bus == "pci" else "PCI-X"
    assert (v.kind, v.ceiling_mbps, v.basis, v.limited) == (bus, mbps, "knowledge-base", False)
    assert v.summary == f"{name} {width}/{mhz}: ~{mbps} Mb/s shared, enough for 200 Mb/s full duplex"
    assert v.confidence == "knowledge-base"
    assert v.description == f"{name} {width}-bit/{mhz} MHz = {mbps} Mb/s shared by both directions (half-duplex bus)"


def test_pci_32_33_limits_gigabit_full_duplex():
    v = bus_ceiling(dev(), pci_chip(32, 33), 1000)
    assert v.limited is True
    assert (v.ceiling_mbps, v.line_rate_mbps, v.needed_mbps) == (1067, 1000, 2000)
    assert "peaks at 1067 Mb/s" in v.reason and "needs 2000 Mb/s" in v.reason and "leaves 67 Mb/s" in v.reason
    assert SEED_PCI in v.reason and "VT6122" in v.reason
    assert v.downgraded is None and v.max_ceiling_mbps is None
    assert v.summary == "limited: ~1067 Mb/s shared for a 2000 Mb/s full-duplex need (PCI 32/33)"
    assert v.reason.endswith(".") and v.reason.count(". ") == 0  # one sentence
    assert "how sure: knowledge-base, because the chip is 32-bit (knowledge base)" in v.reason


def test_pci_32_33_carries_fast_ethernet():
    v = bus_ceiling(dev(), pci_chip(32, 33), 100)
    assert v.limited is False and v.needed_mbps == 200
    assert "seed-001" not in v.reason


def test_pci_64_66_carries_gigabit_but_warns_about_slot():
    v = bus_ceiling(dev(), pci_chip(64, 66), 1000)
    assert v.limited is False and v.ceiling_mbps == 4267 and v.needed_mbps == 2000
    assert v.summary == "PCI 64/66: ~4267 Mb/s shared, enough for 2000 Mb/s full duplex"
    assert "covers the 2000 Mb/s a 1000 Mb/s full-duplex NIC needs" in v.reason
    assert "a slower slot lowers it" in v.reason


def test_pcix_133():
    assert bus_ceiling(dev(), pci_chip(64, 133, "pci-x"), 1000).limited is False
    v = bus_ceiling(dev(), pci_chip(64, 133, "pci-x"), 10000)
    assert v.limited is True and v.ceiling_mbps == 8533 and v.needed_mbps == 20000
    assert "less than even one direction of the NIC's 10000 Mb/s line rate" in v.reason
    assert v.summary == "limited: ~8533 Mb/s shared for a 20000 Mb/s full-duplex need (PCI-X 64/133)"


def test_pci_width_clock_unknown_assumes_the_common_slot():
    # conventional PCI gets a verdict, not "cannot tell": 32-bit/33 MHz, said to be assumed
    v = bus_ceiling(dev(), pci_chip(), 1000)
    assert (v.kind, v.ceiling_mbps, v.limited, v.needed_mbps) == ("pci", 1067, True, 2000)
    assert (v.basis, v.confidence) == ("assumed", "assumed")
    assert v.summary == "limited: ~1067 Mb/s shared for a 2000 Mb/s full-duplex need (PCI 32/33), assumed"
    assert "32-bit assumed, the common PCI slot" in v.reason and "33 MHz assumed" in v.reason
    # half of the pair known: the known half from the chip, the other assumed
    v = bus_ceiling(dev(), pci_chip(32, None), 1000)
    assert v.limited is True and v.confidence == "assumed" and "the chip is 32-bit" in v.reason


def test_pcix_width_clock_unknown_assumes_the_slowest_mode():
    v = bus_ceiling(dev(), pci_chip(bus="pci-x"), 1000)
    assert (v.kind, v.ceiling_mbps, v.limited, v.confidence) == ("pci-x", 4267, False, "assumed")
    assert "a slower slot lowers it" in v.reason


# --- PCI Express --------------------------------------------------------------------------

PCIE_EXPECTED = {
    2.5: [2000, 4000, 8000, 16000, 32000],
    5.0: [4000, 8000, 16000, 32000, 64000],
    8.0: [7877, 15754, 31508, 63015, 126031],
    16.0: [15754, 31508, 63015, 126031, 252062],
    32.0: [31508, 63015, 126031, 252062, 504123],
}


@pytest.mark.parametrize("speed,width,mbps", [
    (s, w, m) for s, row in PCIE_EXPECTED.items() for w, m in zip((1, 2, 4, 8, 16), row)
])
def test_pcie_link_ceilings(speed, width, mbps):
    assert pcie_mbps(speed, width) == mbps
    v = bus_ceiling(dev(PciLink(speed, width, speed, width), True), None, 1000)
    assert (v.kind, v.ceiling_mbps, v.basis, v.downgraded) == ("pcie", mbps, "pcie-link", None)
    gen = {2.5: "1.x", 5.0: "2.x", 8.0: "3.x", 16.0: "4.0", 32.0: "5.0"}[speed]
    assert v.summary == f"PCIe {gen} x{width}: {mbps} Mb/s"
    assert v.max_ceiling_mbps == mbps
    assert v.limited is False  # every PCIe link carries Gigabit
    assert v.needed_mbps == 1000  # full duplex: each direction on its own lanes


def test_pcie_description_text():
    v = bus_ceiling(dev(PciLink(5.0, 1)), None, 1000)
    assert v.description == "PCIe 2.x x1: 5 GT/s × 1 lane, 8b/10b = 4000 Mb/s per direction"
    v = bus_ceiling(dev(PciLink(8.0, 4)), None, 10000)
    assert v.description == "PCIe 3.x x4: 8 GT/s × 4 lanes, 128b/130b = 31508 Mb/s per direction"
    assert v.reason == ("The PCIe 3.x x4 link carries 31508 Mb/s each way, enough for the NIC's "
                        "10000 Mb/s line rate in both directions at once.")


def test_pcie_nonstandard_speed_keeps_nearest_encoding():
    v = bus_ceiling(dev(PciLink(10.0, 1)), None, 1000)
    assert v.ceiling_mbps == 9846 and v.summary == "PCIe 10 GT/s x1: 9846 Mb/s"


def test_pcie_gen6_is_approximate():
    v = bus_ceiling(dev(PciLink(64.0, 1)), None, 100000)
    assert v.ceiling_mbps == 60500 and v.limited is True
    assert v.description == "PCIe 6.0 x1: 64 GT/s × 1 lane, FLIT mode, 242/256 (approximate) = ~60500 Mb/s per direction"
    assert v.summary == "PCIe 6.0 x1: ~60500 Mb/s, below line rate"
    assert "approximate" in v.reason


def test_pcie_too_narrow_for_10g():
    v = bus_ceiling(dev(PciLink(2.5, 1, 2.5, 1)), None, 10000)
    assert v.limited is True and v.ceiling_mbps == 2000
    assert v.reason == "The PCIe 1.x x1 link carries only 2000 Mb/s each way, below the NIC's 10000 Mb/s line rate."
    assert v.summary == "PCIe 1.x x1: 2000 Mb/s, below line rate"


def test_pcie_thin_margin_mentions_packet_overhead():
    v = bus_ceiling(dev(PciLink(2.5, 1)), None, 2000)
    assert v.limited is False and "packet headers" in v.reason
    assert "packet headers" not in bus_ceiling(dev(PciLink(2.5, 1)), None, 1000).reason


def test_pcie_downgrade_speed_and_width():
    v = bus_ceiling(dev(PciLink(2.5, 1, 5.0, 4)), None, 1000)
    assert v.downgraded == "speed 2.5 GT/s of a possible 5 GT/s, width x1 of a possible x4"
    assert v.ceiling_mbps == 2000 and v.max_ceiling_mbps == 16000 and v.limited is False
    assert "(speed 2.5 GT/s of a possible 5 GT/s, width x1 of a possible x4; at full speed and width it would carry 16000 Mb/s)" in v.reason
    assert v.summary == "PCIe 1.x x1: 2000 Mb/s (speed/width downgraded)"


def test_pcie_speed_only_downgrade():
    v = bus_ceiling(dev(PciLink(2.5, 4, 5.0, 4)), None, 1000)
    assert v.downgraded == "speed 2.5 GT/s of a possible 5 GT/s"
    assert (v.ceiling_mbps, v.max_ceiling_mbps) == (8000, 16000)
    assert v.summary == "PCIe 1.x x4: 8000 Mb/s (speed downgraded)"


def test_pcie_width_only_downgrade_can_limit():
    v = bus_ceiling(dev(PciLink(8.0, 1, 8.0, 4)), None, 10000)
    assert v.downgraded == "width x1 of a possible x4"
    assert v.summary == "PCIe 3.x x1: 7877 Mb/s, below line rate (width downgraded)"
    assert v.limited is True and v.ceiling_mbps == 7877 and v.max_ceiling_mbps == 31508


def test_pcie_link_unknown_gigabit():
    v = bus_ceiling(dev(None, is_pcie=True), None, 1000)
    assert v.kind == "pcie" and v.ceiling_mbps is None
    assert v.limited is False  # even 2.5 GT/s x1 carries 2000 Mb/s
    assert v.reason == ("The PCIe link state is unknown, but even the slowest PCIe link (1.x x1) carries "
                        "2000 Mb/s each way, which covers the NIC's 1000 Mb/s line rate.")
    assert v.basis == "unknown" and v.summary == "PCIe, link unknown"
    # Speed without width (or the reverse) is no link state either.
    assert bus_ceiling(dev(PciLink(2.5, None), is_pcie=True), None, 1000).ceiling_mbps is None


def test_pcie_link_unknown_10g_from_kb():
    v = bus_ceiling(dev(None), {"bus": "pcie"}, 10000)
    assert v.kind == "pcie" and v.limited is None and v.basis == "knowledge-base"
    assert v.reason == ("The PCIe link state is unknown (the input gives no link speed or width); even the slowest "
                        "PCIe link (1.x x1) carries 2000 Mb/s each way, less than the NIC's 10000 Mb/s line rate, "
                        "so the slot it sits in matters.")


def test_link_state_beats_knowledge_base():
    v = bus_ceiling(dev(PciLink(5.0, 1)), pci_chip(32, 33), 1000)
    assert v.kind == "pcie" and v.ceiling_mbps == 4000 and v.basis == "pcie-link"


# --- line rate and unknowns ---------------------------------------------------------------


def test_line_rate_falls_back_to_chip_then_interface():
    assert bus_ceiling(dev(), pci_chip(32, 33, rate=100), None).line_rate_mbps == 100
    v = bus_ceiling(dev(speeds=(1000, 100)), pci_chip(32, 33), None)
    assert v.line_rate_mbps == 1000 and v.limited is True


def test_line_rate_unknown_gives_no_verdict():
    v = bus_ceiling(dev(), pci_chip(32, 33), None)
    assert v.ceiling_mbps == 1067 and v.limited is None and v.needed_mbps is None
    assert "line rate is unknown" in v.reason and v.summary == "PCI 32/33: ~1067 Mb/s shared"
    v = bus_ceiling(dev(PciLink(2.5, 1)), None, None)
    assert v.limited is None and "line rate is unknown" in v.reason


def test_nothing_known():
    v = bus_ceiling(dev(), None, 1000)
    assert (v.kind, v.ceiling_mbps, v.limited, v.basis) == ("unknown", None, None, "unknown")
    assert "no knowledge-base chip row" in v.reason
    v = bus_ceiling(dev(), {"bus": "unknown"}, 1000)
    assert v.kind == "unknown" and "does not say which bus" in v.reason


def test_integrated():
    v = bus_ceiling(dev(), {"bus": "integrated"}, 1000)
    assert (v.kind, v.limited, v.basis) == ("unknown", None, "knowledge-base")
    assert "integrated" in v.description and "built into the chipset" in v.reason


def test_verdict_as_dict_keeps_field_order():
    v = bus_ceiling(dev(), pci_chip(32, 33), 1000)
    assert isinstance(v, BusVerdict)
    d = v.to_dict()
    assert d["ceiling_mbps"] == 1067
    assert list(d)[:9] == ["kind", "ceiling_mbps", "summary", "description", "line_rate_mbps", "limited",
                           "downgraded", "reason", "basis"]


def test_ceiling_table():
    rows = ceiling_table()
    by_label = {r["label"]: r for r in rows}
    assert len(rows) == 4 + 5 + 6 * 5
    assert len(by_label) == len(rows)
    assert [r["label"] for r in rows[:9]] == ["PCI 32/33", "PCI 32/66", "PCI 64/33", "PCI 64/66", "PCI-X 64/66",
                                              "PCI-X 64/100", "PCI-X 64/133", "PCI-X 64/266", "PCI-X 64/533"]
    assert [r["ceiling_mbps"] for r in rows[:9]] == [1067, 2133, 2133, 4267, 4267, 6400, 8533, 17067, 34133]
    assert all(r["shared"] for r in rows[:9]) and not any(r["shared"] for r in rows[9:])
    assert by_label["PCIe 1.x x1"]["ceiling_mbps"] == 2000
    assert by_label["PCIe 5.0 x16"]["ceiling_mbps"] == 504123
    assert [by_label[f"PCIe 6.0 x{w}"]["ceiling_mbps"] for w in (1, 2, 4, 8, 16)] == [60500, 121000, 242000, 484000, 968000]
    assert "approximate" in by_label["PCIe 6.0 x16"]["description"]
    for speed, row in PCIE_EXPECTED.items():
        gen = {2.5: "1.x", 5.0: "2.x", 8.0: "3.x", 16.0: "4.0", 32.0: "5.0"}[speed]
        assert [by_label[f"PCIe {gen} x{w}"]["ceiling_mbps"] for w in (1, 2, 4, 8, 16)] == row


# --- with the real knowledge base and sysfs fixtures ----------------------------------------


def test_kb_vt6122_row_has_no_width(kb):
    """The KB's VT3216 row (VT6120/VT6121/VT6122) cannot say 32- or 64-bit: without a bridge
    or register to go by, the common 32-bit/33 MHz slot is assumed, and said to be."""
    chip = kb.chips(0x1106, 0x3119, 0x11)[0]
    v = bus_ceiling(dev(), chip, None)
    assert chip["bus"] == "pci" and v.kind == "pci"
    assert v.line_rate_mbps == chip["line_rate_mbps"] == 1000
    assert v.limited is True and v.confidence == "assumed" and v.ceiling_mbps == 1067


def test_sysfs_vt6130_link(shared_datadir):
    from nicdb.inputs.sysfs import read_tree

    devices = read_tree(shared_datadir / "sysfs" / "vt6130-pcie")
    nic = next(d for d in devices if d.slot == "0000:02:00.0")
    v = bus_ceiling(nic, {"bus": "pcie"}, 1000)
    assert v.kind == "pcie" and v.basis == "pcie-link"
    assert v.ceiling_mbps == 2000 and v.limited is False and v.downgraded is None
    assert v.summary == "PCIe 1.x x1: 2000 Mb/s"

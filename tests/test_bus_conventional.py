"""Conventional PCI and PCI-X get a bus verdict from what config space, the topology, the
bridges' datasheets and the kernel log say -- never "cannot tell" -- with how sure it is.
The seed's own machine (a VT6122 behind a VIA VT8237R+ on an EPIA-EN board) comes out
limited, as its nuttcp tables show."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from nicdb.advice.bus import BusContext, bus_ceiling
from nicdb.model import LogFact, PciDevice, PciX

SEED_SUMMARY = "limited: ~1067 Mb/s shared for a 2000 Mb/s full-duplex need"


def nics(run, *args) -> dict:
    r = run("identify", *args, "--json")
    assert r.code == 0, r.err
    return {n["slot"]: n for n in json.loads(r.out)["nics"]}


def check_seed(n):
    b = n["bus"]
    assert (n["device"]["id"], n["revision"]) == ("3119", "11")
    assert b["summary"].startswith(SEED_SUMMARY)
    assert (b["kind"], b["ceiling_mbps"], b["needed_mbps"], b["limited"]) == ("pci", 1067, 2000, True)
    assert b["basis"] == "bridge-datasheet" and b["bridge"] == "0000:00:11.0"
    # the VT8237R+ row rests on the seed's reading of VIA's datasheet: said so
    assert b["confidence"] == "inferred" and "seed-inferred" in b["evidence"][0]
    assert "VT8237" in b["reason"] and "how sure: inferred" in b["reason"]


def test_seed_machine_from_sysfs(run, shared_datadir):
    n = nics(run, "--sysfs", str(shared_datadir / "sysfs" / "epia-en-vt6122"))["0000:00:0a.0"]
    check_seed(n)
    assert n["pci_bus"]["cap_66mhz"] is True  # the VT6122 could do 66 MHz; the south bridge's bus cannot


def test_seed_machine_from_lspci_vvnn(run, shared_datadir):
    n = nics(run, "--from", str(shared_datadir / "lspci" / "epia-en-vt6122-vvnn.txt"))["0000:00:0a.0"]
    check_seed(n)
    assert n["pcie"] is False


def test_seed_machine_from_a_live_shaped_sysfs(run, shared_datadir, tmp_path):
    """A live /sys: bus/pci/devices holds links into devices/pci0000:00/...; the function
    behind the AGP bridge gets its path from the link."""
    src = shared_datadir / "sysfs" / "epia-en-vt6122" / "bus" / "pci" / "devices"
    root = tmp_path / "sys"
    (root / "bus" / "pci" / "devices").mkdir(parents=True)
    for slot in sorted(os.listdir(src)):
        parent = "devices/pci0000:00" + ("/0000:00:01.0" if slot.startswith("0000:01:") else "")
        shutil.copytree(src / slot, root / parent / slot)
        os.symlink(os.path.relpath(root / parent / slot, root / "bus" / "pci" / "devices"),
                   root / "bus" / "pci" / "devices" / slot)
    from nicdb.inputs.sysfs import read_tree

    by = {d.slot: d for d in read_tree(root)}
    assert by["0000:01:00.0"].upstream == ["0000:00:01.0"] and by["0000:00:0a.0"].upstream == []
    check_seed(nics(run, "--sysfs", str(root))["0000:00:0a.0"])


def test_snapshot_keeps_the_bus_evidence(run, shared_datadir, tmp_path):
    out = tmp_path / "s.tgz"
    assert run("snapshot", str(out), "--sys-root", str(shared_datadir / "sysfs" / "epia-en-vt6122")).code == 0
    check_seed(nics(run, "--sysfs", str(out))["0000:00:0a.0"])


def test_ich_bridge_with_secondary_66mhz_off(run, shared_datadir):
    by = nics(run, "--from", str(shared_datadir / "lspci" / "ich7-pci-slots-vvnn.txt"))
    rtl, e1000 = by["0000:05:01.0"], by["0000:05:02.0"]
    for n in (rtl, e1000):
        assert n["bus"]["bridge"] == "0000:00:1e.0" and n["bus"]["ceiling_mbps"] == 1067
        assert n["bus"]["confidence"] == "datasheet" and n["bus"]["basis"] == "bridge-datasheet"
        assert any("secondary status 66MHz-" in e for e in n["bus"]["evidence"])
    assert rtl["bus"]["limited"] is False and rtl["bus"]["line_rate_mbps"] == 100
    # no chip row for 8086:107c: the line rate is the pci.ids name's ("Gigabit"), and said so
    assert e1000["bus"]["limited"] is True and e1000["bus"]["line_rate_from"] == "device name"
    assert "line rate is the device's name's" in e1000["bus"]["reason"]


def test_logged_bus_wins_and_is_certain(run, shared_datadir):
    n = nics(run, "--from", str(shared_datadir / "lspci" / "ich7-pci-slots-vvnn.txt"), "--dmesg",
             str(shared_datadir / "dmesg" / "e1000-82541pi-pci33-5.10.txt"))["0000:05:02.0"]
    b = n["bus"]
    assert (b["basis"], b["confidence"], b["limited"]) == ("kernel-log", "certain", True)
    assert b["evidence"] == ["its driver e1000 logged PCI 32-bit/33 MHz, read from the chip (kernel log line 6)"]


def test_pcix_bridge_mode_and_device_capability(run, shared_datadir):
    n = nics(run, "--from", str(shared_datadir / "lspci" / "pcix-bridge-bcm5704-vvnn.txt"))["0000:03:02.0"]
    b = n["bus"]
    assert (b["kind"], b["ceiling_mbps"], b["limited"], b["confidence"]) == ("pci-x", 8533, False, "certain")
    assert n["pci_bus"]["pcix"] == {"bridge": False, "width_bits": 64, "max_mhz": 133, "bus_mhz": None}
    assert b["bridge"] == "0000:00:1c.0"


def dev(**kw) -> PciDevice:
    d = PciDevice("0000:05:01.0", 0x10EC, 0x8169, revision=0x10, class_code=0x020000, is_pcie=False)
    for k, v in kw.items():
        setattr(d, k, v)
    return d


def bridge(**kw) -> PciDevice:
    b = PciDevice("0000:00:1e.0", 0x8086, 0x244E, class_code=0x060401)
    b.secondary_bus = 5
    for k, v in kw.items():
        setattr(b, k, v)
    return b


ROW = {"name": "Intel 82801 PCI Bridge", "role": "pci-bridge", "bus_width_bits": 32, "bus_mhz": 33,
       "confidence": "datasheet", "source": {"title": "ICH7 datasheet: 33 MHz"}}


@pytest.mark.parametrize("device,ctx,want", [
    # nothing at all: the common slot, assumed
    (dev(), None, (32, 33, "assumed", "assumed")),
    # the NIC says 66MHz-: the clock is certain, the width assumed
    (dev(cap_66mhz=False), None, (32, 33, "assumed", "config-space")),
    # a 64-bit PCI-X card in a conventional bridge's slot: the bridge's bus decides
    (dev(pcix=PciX(False, 64, 133)), BusContext(bridge(), ROW, "bridge"), (32, 33, "datasheet", "bridge-datasheet")),
    # a PCI-X bridge running its secondary bus conventional: PCI, 66 MHz when both can
    (dev(cap_66mhz=True), BusContext(bridge(sec_66mhz=True, pcix=PciX(True, 64, 133, 0)), None, "bridge"),
     (32, 66, "assumed", "config-space")),
    # a peer on the same bus that cannot do 66 MHz holds the bus at 33
    (dev(cap_66mhz=True), BusContext(bridge(sec_66mhz=True), None, "bridge", slow_peers=["0000:05:02.0"]),
     (32, 33, "assumed", "config-space")),
])
def test_evidence_combines_to_the_least_it_allows(device, ctx, want):
    v = bus_ceiling(device, {"bus": "pci"}, 1000, ctx)
    width, mhz, confidence, basis = want
    assert (v.description.split(" = ")[0], v.confidence, v.basis) == (f"PCI {width}-bit/{mhz} MHz", confidence, basis)
    assert v.limited is (mhz == 33)


def test_both_ends_66mhz_capable_is_inferred():
    v = bus_ceiling(dev(cap_66mhz=True), {"bus": "pci", "bus_width_bits": 32}, 1000,
                    BusContext(bridge(sec_66mhz=True), None, "bridge"))
    assert v.ceiling_mbps == 2133 and v.limited is False and v.confidence == "inferred"
    assert "the slot may still run 33 MHz" in v.reason


def test_logged_pcie_is_not_conventional():
    v = bus_ceiling(dev(is_pcie=None), None, 1000, BusContext(log_bus=LogFact("tg3", "bus", "pcie")))
    assert v.kind == "pcie"


def test_a_pcie_nic_gets_no_conventional_context(kb):
    from nicdb.report import bus_context

    d = dev(is_pcie=True)
    assert bus_context(d, {d.slot: d}, kb) is None


def test_every_chip_and_log_chip_has_a_line_rate(kb):
    """Every device nicdb names has a line rate, so the bus verdict can say "limited"."""
    missing = kb.q("SELECT family, printf('%04x:%04x', vendor, device) AS id, chip FROM chips "
                   "WHERE line_rate_mbps IS NULL OR line_rate_mbps <= 0")
    assert missing == []
    missing = kb.q("SELECT l.family, l.driver, l.chip FROM log_ids l JOIN families f ON f.id = l.family "
                   "WHERE COALESCE(l.line_rate_mbps, f.line_rate_mbps) IS NULL")
    assert missing == []


def test_x710_on_a_slow_link_is_limited(run, tmp_path):
    # an X710 (10 Gb/s) whose link trained at 2.5 GT/s x4 carries 8 Gb/s
    p = tmp_path / "lspci.txt"
    p.write_text("3b:00.0 Ethernet controller [0200]: Intel Corporation Ethernet Controller X710 for 10GbE SFP+ "
                 "[8086:1572] (rev 02)\n\tCapabilities: [a0] Express (v2) Endpoint, MSI 00\n"
                 "\t\tLnkCap:\tPort #0, Speed 8GT/s, Width x8, ASPM L1, Exit Latency L1 <16us\n"
                 "\t\tLnkSta:\tSpeed 2.5GT/s (downgraded), Width x4 (downgraded)\n")
    b = nics(run, "--from", str(p))["0000:3b:00.0"]["bus"]
    assert (b["limited"], b["ceiling_mbps"], b["line_rate_mbps"]) == (True, 8000, 10000)
    assert b["summary"] == "PCIe 1.x x4: 8000 Mb/s, below line rate (speed/width downgraded)"


def test_bridges_data_is_refused_when_wrong(tmp_path, monkeypatch):
    from nicdb.errors import DataError
    from nicdb.kb.load import load_tree

    data = tmp_path / "data"
    (data / "bridges").mkdir(parents=True)
    good = ('schema = 1\n[sources.s]\nkind = "datasheet"\ntitle = "t"\nref = "r"\n'
            '[[bridges]]\nvendor = "8086"\ndevice = "244e"\nname = "n"\nrole = "pci-bridge"\n'
            'bus_width_bits = 32\nbus_mhz = 33\nsource = "s"\nconfidence = "datasheet"\n')
    (data / "bridges" / "b.toml").write_text(good)
    assert len(load_tree([(data, "shipped")]).bridges) == 1
    (data / "bridges" / "c.toml").write_text(good)
    with pytest.raises(DataError, match="is also listed in data/bridges/b.toml"):
        load_tree([(data, "shipped")])
    (data / "bridges" / "c.toml").unlink()
    for bad, why in ((good.replace("bus_mhz = 33", "bus_mhz = 34"), "bus_mhz must be"),
                     (good.replace('role = "pci-bridge"', 'role = "north"'), "role 'north'"),
                     (good.replace("bus_mhz = 33", "bus_mhz = 33\nbus_mhzz = 1"), "unknown key 'bus_mhzz'"),
                     (good + good[good.index("[[bridges]]"):], "listed twice")):
        (data / "bridges" / "b.toml").write_text(bad)
        with pytest.raises(DataError, match=why):
            load_tree([(data, "shipped")])


def test_shipped_bridges_are_cited(kb):
    rows = kb.q("SELECT * FROM bridges")
    assert len(rows) >= 25
    ids = {(r["vendor"], r["device"]) for r in rows}
    assert {(0x8086, 0x244E), (0x1106, 0x3227), (0x10DE, 0x005C), (0x1002, 0x4384)} <= ids
    for r in rows:
        assert (r["bus_width_bits"], r["bus_mhz"]) == (32, 33) and r["notes"]
        src = kb.bridge(r["vendor"], r["device"])["source"]
        assert src["title"] and src["kind"] in ("datasheet", "seed", "unverified")
    assert kb.bridge(0x1106, 0x3227)["confidence"] == "seed-inferred"
    assert kb.bridge(0x8086, 0x244E)["confidence"] == "datasheet"


# ---------------------------------------------------------------- what the readers take from each input

def config(vendor, device, status, header=0, caps=()):
    """A 256-byte config space with capabilities ``(offset, bytes)`` chained in order."""
    data = bytearray(256)
    data[0:4] = vendor.to_bytes(2, "little") + device.to_bytes(2, "little")
    data[6:8] = status.to_bytes(2, "little")
    data[0x0E] = header
    if caps:
        data[0x34] = caps[0][0]
        for i, (off, body) in enumerate(caps):
            nxt = caps[i + 1][0] if i + 1 < len(caps) else 0
            data[off:off + 2 + len(body)] = bytes([body[0], nxt]) + bytes(body[1:])
    return bytes(data)


def test_config_space_bits():
    from nicdb.inputs.configspace import decode_config

    # a device: 66MHz+, PCI-X capability with 64-bit and 133 MHz (status bits 16 and 17), after PM
    pcix_status = (1 << 16 | 1 << 17).to_bytes(4, "little")
    d = decode_config(config(0x14E4, 0x1648, 0x0230, 0, ((0x40, b"\x01" + b"\x00" * 6),
                                                          (0x48, b"\x07\x00\x00" + pcix_status[:2] + pcix_status[2:]))),
                      "0000:03:02.0", "t")
    assert (d.cap_66mhz, d.is_pcie) == (True, False)
    assert (d.pcix.bridge, d.pcix.width_bits, d.pcix.max_mhz) == (False, 64, 133)
    # a bridge: 66MHz-, secondary bus 5, secondary status 66MHz-, PCI-X bridge running 133 MHz
    data = bytearray(config(0x8086, 0x0329, 0x0010, 1, ((0xD8, b"\x07" + (0x0003 | 3 << 6).to_bytes(2, "little")),)))
    data[0x19], data[0x1E] = 5, 0x00
    b = decode_config(bytes(data), "0000:00:1c.0", "t")
    assert (b.cap_66mhz, b.secondary_bus, b.sec_66mhz) == (False, 5, False)
    assert (b.pcix.bridge, b.pcix.width_bits, b.pcix.max_mhz, b.pcix.bus_mhz) == (True, 64, 133, 133)


def test_sysfs_config_of_64_bytes_gives_the_header_bits_only(shared_datadir):
    from nicdb.inputs.sysfs import read_tree

    by = {d.slot: d for d in read_tree(shared_datadir / "sysfs" / "epia-en-vt6122")}
    nic, agp = by["0000:00:0a.0"], by["0000:00:01.0"]
    assert (nic.cap_66mhz, nic.pcix, nic.is_pcie) == (True, None, None)  # 64 bytes: the capability list unread
    assert (agp.secondary_bus, agp.sec_66mhz) == (1, True)


def test_lspci_vv_lines(shared_datadir):
    from nicdb.inputs.lspci_text import parse_lspci_text

    by = {d.slot: d for d in parse_lspci_text((shared_datadir / "lspci" / "pcix-bridge-bcm5704-vvnn.txt").read_text(),
                                              "t")}
    b, n = by["0000:00:1c.0"], by["0000:03:02.0"]
    assert (b.secondary_bus, b.sec_66mhz, b.cap_66mhz) == (3, True, True)
    assert (b.pcix.bridge, b.pcix.width_bits, b.pcix.max_mhz, b.pcix.bus_mhz) == (True, 64, 133, 133)
    assert (n.pcix.bridge, n.pcix.width_bits, n.pcix.max_mhz) == (False, 64, 133)
    by = {d.slot: d for d in parse_lspci_text((shared_datadir / "lspci" / "ich7-pci-slots-vvnn.txt").read_text(), "t")}
    assert (by["0000:00:1e.0"].secondary_bus, by["0000:00:1e.0"].sec_66mhz) == (5, False)
    assert by["0000:05:02.0"].cap_66mhz is True and by["0000:05:01.0"].cap_66mhz is False


def test_json_round_trip_keeps_the_bus_bits_and_the_log(run, shared_datadir, tmp_path):
    out = run("identify", "--from", str(shared_datadir / "lspci" / "ich7-pci-slots-vvnn.txt"), "--dmesg",
              str(shared_datadir / "dmesg" / "e1000-82541pi-pci33-5.10.txt"), "--json", "--all").out
    p = tmp_path / "doc.json"
    p.write_text(out)
    again = nics(run, "--from", str(p), "--all")
    first = {n["slot"]: n for n in json.loads(out)["nics"]}
    for slot, n in first.items():
        assert again[slot]["pci_bus"] == n["pci_bus"] and again[slot]["log"] == n["log"]
    assert again["0000:05:02.0"]["bus"]["basis"] == "kernel-log"

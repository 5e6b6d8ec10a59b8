"""The kernel log as an input (nicdb.kernellog, nicdb.inputs.kernel_log): every saved
shape of a line, every driver's format from the fixtures in tests/data/dmesg/ (written in
each driver's own format), how lines are tied to devices, and the one-line errors."""

from __future__ import annotations

import json

import pytest

from nicdb.kernellog import attach, devices_from_log
from nicdb.kernellog.lines import is_iface, is_slot, message, subject
from nicdb.model import NetInterface, PciDevice


def facts_of(dev) -> set[tuple[str, str]]:
    return {(f.kind, f.value) for f in dev.log}


def read(shared_datadir, name):
    text = (shared_datadir / "dmesg" / name).read_text()
    devices, summary = devices_from_log(text, name)
    return {d.slot: d for d in devices}, summary


# ---------------------------------------------------------------- line shapes

MSG = "r8169 0000:02:00.0 eth0: RTL8168h/8111h, 00:11:22:33:44:55, XID 541, IRQ 130"


@pytest.mark.parametrize("line", [
    MSG,                                                         # hw-probe excerpt: no prefix
    f"[    1.934870] {MSG}",                                     # dmesg
    f"[Mon Mar  3 10:15:21 2025] {MSG}",                         # dmesg -T
    f"<6>[    1.934870] {MSG}",                                  # dmesg -r
    f"kern  :info  : [    1.934870] {MSG}",                      # dmesg -x
    f"6,412,1934870,-;{MSG}",                                    # /dev/kmsg record
    f"6,412,1934870,c;{MSG}",                                    # a continued kmsg record
    f"Mar 03 10:15:21 testhost kernel: {MSG}",                   # journalctl -k
    f"Mar  3 10:15:21.123456 testhost kernel: {MSG}",            # journalctl -o short-precise
    f"2025-03-03T10:15:21+0000 testhost kernel: {MSG}",          # journalctl -o short-iso
    f"[    1.934870] testhost kernel: {MSG}",                    # journalctl -o short-monotonic
    f"Mar  3 10:15:21 testhost kernel: [    1.934870] {MSG}",    # syslog kern.log
])
def test_every_saved_prefix_comes_off(line):
    assert message(line) == MSG
    s = subject(message(line))
    assert (s.driver, s.slot, s.iface) == ("r8169", "0000:02:00.0", "eth0")
    assert s.text.startswith("RTL8168h/8111h, ")


@pytest.mark.parametrize("msg,want", [
    ("r8169 0000:02:00.0: enabling device (0000 -> 0003)", ("r8169", "0000:02:00.0", None, None)),
    ("igb 0000:02:00.0: eth0: (PCIe:2.5Gb/s:Width x1) 00:11:22:33:44:66", ("igb", "0000:02:00.0", "eth0", None)),
    ("e1000e 0000:00:1f.6 0000:00:1f.6 (uninitialized): registered PHC clock", ("e1000e", "0000:00:1f.6", None, None)),
    ("igc 0000:03:00.0 (unnamed net_device) (uninitialized): PHC added", ("igc", "0000:03:00.0", None, None)),
    ("ieee80211 phy0: Atheros AR9285 Rev:2 mem=0x0, irq=17", ("ieee80211", None, None, "phy0")),
    ("ath5k: phy0: Atheros AR2425 chip found (MAC: 0xe2, PHY: 0x70)", ("ath5k", None, None, "phy0")),
    ("skge: 1.14 addr 0xfdffc000 irq 19 chip Yukon-Lite rev 9", ("skge", None, None, None)),
    ("e1000: 0000:02:01.0: e1000_probe: (PCI:33MHz:32-bit) 00:11:22:33:44:55", ("e1000", "0000:02:01.0", None, None)),
    ("eth0: RTL8169sb/8110sb at 0xf8836000, 00:11:22:33:44:55, XID 10000000 IRQ 18", (None, None, "eth0", None)),
    ("r8169: probe of 0000:02:00.0 failed with error -22", ("r8169", None, None, None)),
    ("NETDEV WATCHDOG: eth0 (r8169): transmit queue 0 timed out", ("r8169", None, "eth0", None)),
    ("mlx5_core 0000:af:00.0: mlx5_cmd_init:2354:(pid 412): Driver cmdif rev(5)", ("mlx5_core", "0000:af:00.0", None, None)),
    ("Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)", (None, None, None, None)),
    ("usb 1-1: new high-speed USB device number 2 using ehci-pci", (None, None, None, None)),
])
def test_subjects(msg, want):
    s = subject(msg, {"r8169"})
    assert (s.driver, s.slot, s.iface, s.phy) == want


def test_slots_and_interface_names():
    assert is_slot("0000:02:00.0") and is_slot("10000:00:1f.6") and not is_slot("02:00.0")
    assert not is_slot("0000:02:20.0") and not is_slot("0000:02:00.8") and not is_slot("0000:0g:00.0")
    assert is_iface("eth0") and is_iface("enp2s0f1") and is_iface("wlp0s20f3")
    assert not is_iface("e1000_probe") and not is_iface("firmware") and not is_iface("0eth") and not is_iface("")


# ---------------------------------------------------------------- each driver's format (fixtures)

# fixture -> {slot: facts that must be among the device's}
EXPECTED = {
    "r8169-rtl8168h-6.12.txt": {"0000:02:00.0": {("chip", "RTL8168h/8111h"), ("xid", "541"), ("link", "1000")}},
    # 4.x: eight digits of TxConfig, normalised to the 3-digit XID; the raw value kept
    "r8169-old-format-4.15.txt": {"0000:02:05.0": {("chip", "RTL8110s"), ("xid", "040"), ("xid-raw", "04000000")}},
    # 7.x: no zero padding (XID 8 -> 008) and extXID
    "r8169-unknown-xid-7.2.txt": {"0000:05:00.0": {("xid", "6cb"), ("refused", "unknown chip XID")},
                                  "0000:06:00.0": {("chip", "RTL8169s"), ("xid", "008")},
                                  "0000:07:00.0": {("chip", "RTL9151AS"), ("ext-xid", "000")}},
    "r8169-firmware-missing-6.12.txt": {"0000:04:00.0": {("xid", "64a"), ("firmware-missing", "rtl_nic/rtl8126a-3.fw")}},
    "r8169-rtl8125b-journal-6.1.txt": {"0000:03:00.0": {("xid", "641"), ("link", "2500")}},
    "r8169-aspm-txtimeout-6.12.txt": {"0000:02:00.0": {("tx-timeout", "ASPM disabled")}},
    "tg3-bcm5720-probe.txt": {"0000:02:00.0": {("asic-rev", "5720000"), ("bus", "pcie"), ("part-number", "BCM95720")},
                              "0000:02:00.1": {("asic-rev", "5720000")}},
    "tg3-bcm5701-a0-firmware-missing.txt": {"0000:01:01.0": {("asic-rev", "0000"), ("bus", "pci-x:64:100"),
                                                             ("firmware-missing", "tigon/tg3.bin")}},
    "tg3-bcm57766-journalctl.txt": {"0000:0a:00.0": {("asic-rev", "57766001"),
                                                     ("firmware-missing", "tigon/tg357766.bin")}},
    "kern-log-syslog-tg3.txt": {"0000:03:02.0": {("asic-rev", "2100"), ("bus", "pci-x:64:133")}},
    "bnx2-bcm5709-probe.txt": {"0000:01:00.0": {("chip", "BCM5709 C0"), ("chip-id", "5709200"), ("bus", "pcie")}},
    "bnx2-firmware-missing.txt": {"0000:04:00.0": {("chip-id", "5708102"), ("bus", "pci-x:64:133"),
                                                   ("firmware-missing", "bnx2/bnx2-mips-06-6.2.3.fw")}},
    "sky2-ec-ultra-probe.txt": {"0000:02:00.0": {("chip", "Yukon-2 EC Ultra"), ("chip-id", "b4"), ("chip-rev", "b43")}},
    "sky2-fe-plus-and-ec-a1.txt": {"0000:03:00.0": {("chip-rev", "b80")},
                                   "0000:04:00.0": {("chip-rev", "b60"),
                                                    ("refused", "unsupported revision Yukon-EC rev A1")}},
    "skge-yukon-lite-probe.txt": {"0000:02:05.0": {("chip", "Marvell Yukon-Lite"), ("chip-id", "b1"),
                                                   ("chip-rev", "b19")}},
    "e1000-82541pi-pci33-5.10.txt": {"0000:05:02.0": {("bus", "pci:32:33"), ("link", "1000")}},
    "e1000-82545-pcix-2.6.18.txt": {"0000:04:03.0": {("bus", "pci-x:64:133")}},
    "e1000e-i219-unit-hang-6.12.txt": {"0000:00:1f.6": {("pcie-link", "2.5GT/s x1"), ("part-number", "FFFFFF-0FF"),
                                                        ("mac-type", "13"), ("hang", "Hardware Unit Hang")}},
    "igb-i210-6.12.txt": {"0000:02:00.0": {("pcie-link", "2.5GT/s x1"), ("part-number", "000300-000")}},
    "igc-i225v-journal-6.12.txt": {"0000:03:00.0": {("pcie-link", "5GT/s x1"), ("link", "2500")}},
    "i40e-x710-6.12.txt": {"0000:3b:00.0": {("pcie-link", "8GT/s x8")}, "0000:3b:00.1": {("pre-production", "yes")}},
    "ixgbe-unsupported-sfp-6.1.txt": {"0000:01:00.0": {("refused", "unsupported SFP+ or QSFP module")},
                                      "0000:01:00.1": {("pcie-link", "5GT/s x8"), ("link", "10000")}},
    "ice-e810-ddp-6.12.txt": {"0000:81:00.1": {("firmware-missing", "intel/ice/ddp/ice.pkg")}},
    "mlx5-connectx5-probe.txt": {"0000:3b:00.0": {("fw-major", "16"), ("pcie-link", "8GT/s x16")}},
    "mlx5-vf-and-cmdif-mismatch.txt": {"0000:3b:00.2": {("fw-major", "22")},
                                       "0000:af:00.0": {("fw-major", "12"), ("pcie-link", "8GT/s x8")}},
    "mlx4-cmdif-unsupported.txt": {"0000:05:00.0": {("refused", "firmware command interface 1 unsupported")}},
    "atlantic-bad-fw.txt": {"0000:05:00.0": {("refused", "probe failed with error -95")}},
    "alx-unrecognized-revision.txt": {"0000:03:00.0": {("refused", "unrecognized chip")}},
    "iwlwifi-6.1-ax201.txt": {"0000:00:14.3": {("hw-rev", "351"), ("rf-id", "10a100"),
                                               ("chip", "Intel(R) Wi-Fi 6 AX201 160MHz")}},
    "iwlwifi-6.12-ax210.txt": {"0000:03:00.0": {("hw-rev", "420"), ("rf-id", "10d000")}},
    "iwlwifi-6.12-ax201-no-firmware-journalctl.txt": {
        "0000:00:14.3": {("hw-rev", "351"), ("firmware-missing", "iwlwifi-QuZ-a0-hr-b0-77.ucode")}},
    "iwlwifi-6.1-6205-dvm.txt": {"0000:03:00.0": {("hw-rev", "b0")}},
    "iwl4965-iwlagn-2.6.32.txt": {"0000:03:00.0": {("hw-rev", "4"), ("chip", "Intel(R) Wireless WiFi Link 4965AGN")}},
    "ath9k-6.1-ar9285.txt": {"0000:02:00.0": {("chip", "AR9285"), ("mac-rev", "928502")}},
    "ath9k-5.10-ar5416.txt": {"0000:04:01.0": {("chip", "AR5416"), ("mac-rev", "541602")}},
    "ath5k-ar2425-5.4.txt": {"0000:02:00.0": {("chip", "AR2425"), ("mac-srev", "e2"), ("phy-srev", "70")}},
    "ath10k-6.1-qca6174.txt": {"0000:3a:00.0": {("target-version", "05030000"), ("chip-id-rev", "00340aff")}},
    "ath11k-6.12-wcn6855.txt": {"0000:02:00.0": {("chip", "wcn6855 hw2.0"), ("soc-id", "400c0200")}},
    "mt7921e-6.12-mt7922.txt": {"0000:04:00.0": {("asic-rev", "79220010")}},
    "mt7925e-6.12-mt7925.txt": {"0000:01:00.0": {("asic-rev", "79250000")}},
    "rt2800pci-6.1-rt3090.txt": {"0000:03:00.0": {("rt-chipset", "30900211"), ("rf", "0005")}},
    "rt61pci-5.10.txt": {"0000:04:02.0": {("rt-chipset", "2561000c"), ("rf", "0003")}},
    "rtw88-6.12-8821ce.txt": {"0000:02:00.0": {("firmware-version", "24.11.0")}},
    "via-rhine-8139cp-5.4.txt": {"0000:00:12.0": {("chip", "VIA Rhine II")},
                                 "0000:02:05.0": {("pci-revision", "10")}},
    "kmsg-records-6.12.txt": {"0000:02:00.0": {("xid", "541"), ("firmware-missing", "rtl_nic/rtl8168h-2.fw")}},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_drivers_format(shared_datadir, name):
    devs, summary = read(shared_datadir, name)
    for slot, want in EXPECTED[name].items():
        assert slot in devs, (name, slot, sorted(devs))
        assert want <= facts_of(devs[slot]), (name, slot, facts_of(devs[slot]))
    assert summary.facts == sum(len(d.log) for d in devs.values())


def test_every_fixture_is_read_without_error_and_documented(shared_datadir):
    folder = shared_datadir / "dmesg"
    readme = (folder / "README.md").read_text()
    for p in sorted(folder.glob("*.txt")):
        assert f"`{p.name}`" in readme, p.name
        devices_from_log(p.read_text(), p.name)


def test_a_device_facts_are_not_repeated(shared_datadir):
    # the Debian loader says "failed to load" three times, then the kernel once more
    devs, _ = read(shared_datadir, "r8169-firmware-missing-6.12.txt")
    missing = [f for f in devs["0000:04:00.0"].log if f.kind == "firmware-missing"]
    assert len(missing) == 1 and missing[0].lineno == 4


def test_sky2_revision_over_15_gives_only_the_chip_id():
    devs, _ = devices_from_log("sky2 0000:02:00.0: Yukon-2 EC Ultra chip revision 16\n", "x")
    assert facts_of(devs[0]) == {("chip", "Yukon-2 EC Ultra"), ("chip-id", "b4")}


def test_r8169_2_6_line_with_only_the_interface_is_tied_by_the_interface():
    dev = PciDevice("0000:02:05.0", 0x10EC, 0x8169, revision=0x10, class_code=0x020000, driver="r8169",
                    interfaces=[NetInterface("eth0")])
    attach([dev], "eth0: RTL8169sb/8110sb at 0xf8836000, 00:11:22:33:44:55, XID 10000000 IRQ 18\n", "log")
    assert facts_of(dev) == {("chip", "RTL8169sb/8110sb"), ("xid", "100"), ("xid-raw", "10000000")}
    assert {f.tie for f in dev.log} == {"interface"}


# ---------------------------------------------------------------- tying lines to devices

def test_a_drivers_own_line_goes_to_the_device_named_next(shared_datadir):
    # skge's pr_info names no device: each goes with the "skge BDF IF: addr" line after it
    devs, _ = read(shared_datadir, "skge-two-cards-5.10.txt")
    assert ("chip-rev", "b19") in facts_of(devs["0000:02:05.0"])
    assert ("chip-rev", "b00") in facts_of(devs["0000:02:06.0"])
    assert {f.tie for d in devs.values() for f in d.log} == {"nearby line"}


def test_a_phy_line_goes_to_the_device_probed_before_it(shared_datadir):
    devs, _ = read(shared_datadir, "ath9k-two-cards-6.1.txt")
    assert ("chip", "AR9285") in facts_of(devs["0000:02:00.0"])
    assert ("chip", "AR9300") in facts_of(devs["0000:03:00.0"])


def test_phy_lines_by_the_one_device_of_the_driver_or_by_order():
    one = [PciDevice("0000:02:00.0", 0x168C, 0x002B, class_code=0x028000, driver="ath9k")]
    attach(one, "ieee80211 phy0: Atheros AR9285 Rev:2 mem=0xf, irq=17\n", "log")
    assert ("mac-rev", "928502") in facts_of(one[0]) and one[0].log[0].tie == "only candidate"
    two = [PciDevice(f"0000:0{i}:00.0", 0x168C, 0x002B, class_code=0x028000, driver="ath9k") for i in (2, 3)]
    attach(two, "ieee80211 phy1: Atheros AR9285 Rev:2 mem=0xf, irq=17\n", "log")
    assert not two[0].log and two[1].log[0].tie == "order"


def test_interface_names_follow_renames(shared_datadir):
    # eth1 became eth0 after the first eth0 became enp2s0: the watchdog's eth0 is 03:00.0
    devs, _ = read(shared_datadir, "r8169-renames-dmesg-T.txt")
    assert ("tx-timeout", "queue 0") in facts_of(devs["0000:03:00.0"])
    assert not any(f.kind == "tx-timeout" for f in devs["0000:02:00.0"].log)
    assert [i.name for i in devs["0000:02:00.0"].interfaces] == ["enp2s0"]


def test_only_lines_about_the_devices_are_read():
    dev = PciDevice("0000:02:00.0", 0x10EC, 0x8168, revision=0x15, class_code=0x020000, driver="r8169")
    text = "\n".join([f"[    1.0] {MSG}", "[    1.1] r8169 0000:03:00.0 eth1: RTL8125B, 00:11:22:33:44:66, XID 641, IRQ 1",
                      "[    1.2] usb 1-1: new high-speed USB device", "[    1.3] ACPI: Power Button [PWRB]"]) + "\n"
    summary = attach([dev], text, "log")
    assert (summary.lines, summary.kept, summary.facts, summary.devices) == (4, 2, 2, 1)
    assert facts_of(dev) == {("chip", "RTL8168h/8111h"), ("xid", "541")}


def test_pci_enumeration_fills_in_ids_a_name_only_input_lacks():
    dev = PciDevice("0000:02:00.0", None, None, revision=0x15, class_code=0x020000)
    attach([dev], "pci 0000:02:00.0: [10ec:8168] type 00 class 0x020000\n", "log")
    assert (dev.vendor, dev.device) == (0x10EC, 0x8168)
    assert any("from the kernel log's PCI enumeration (line 1)" in n for n in dev.notes)


def test_a_log_alone_gives_devices_topology_and_kernel(shared_datadir, run):
    devs, _ = read(shared_datadir, "ich-rtl8139-log-only-6.1.txt")
    assert devs["0000:00:1e.0"].secondary_bus == 5 and devs["0000:00:1e.0"].class_code == 0x060401
    nic = devs["0000:05:01.0"]
    assert (nic.vendor, nic.device, nic.revision, nic.driver) == (0x10EC, 0x8139, None, "8139too")
    r = run("identify", "--from", str(shared_datadir / "dmesg" / "ich-rtl8139-log-only-6.1.txt"), "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["kernel"] == "6.1.0-18-686" and doc["kernel_log"]["lines"] == 9
    (n,) = doc["nics"]
    assert n["slot"] == "0000:05:01.0" and n["bus"]["bridge"] == "0000:00:1e.0"
    assert n["bus"]["basis"] == "bridge-datasheet" and n["bus"]["limited"] is False


def test_not_a_log_and_a_log_without_devices(tmp_path, run):
    p = tmp_path / "k.txt"
    p.write_text("[    0.000000] Linux version 6.1.0\n[    0.1] ACPI: Power Button [PWRB]\n")
    r = run("identify", "--from", str(p))
    assert r.code == 2 and r.err.count("\n") == 1 and "nicdb: error:" in r.err
    p.write_text("[    5.1] ieee80211 phy0: Selected rate control algorithm 'minstrel_ht'\n")
    r = run("identify", "--from", str(p))
    assert r.code == 2 and "kernel log that names no PCI device" in r.err


def test_dmesg_option_errors(tmp_path, run, shared_datadir):
    r = run("identify", "--from", str(shared_datadir / "lspci" / "nics-vk.txt"), "--dmesg", str(tmp_path / "none"))
    assert r.code == 2 and "no such file" in r.err
    r = run("identify", "--from", str(shared_datadir / "lspci" / "nics-vk.txt"), "--dmesg", str(tmp_path))
    assert r.code == 2 and "is a folder" in r.err
    (tmp_path / "bin").write_bytes(b"\x00\x01\x02")
    r = run("identify", "--from", str(shared_datadir / "lspci" / "nics-vk.txt"), "--dmesg", str(tmp_path / "bin"))
    assert r.code == 2 and "binary" in r.err
    r = run("identify", "--from", str(tmp_path), "--dmesg", str(tmp_path / "bin"))
    assert r.code == 2 and "not a fleet folder" in r.err
    r = run("suggest", "--id", "10ec:8168", "--dmesg", str(tmp_path / "bin"))
    assert r.code == 2 and "--dmesg" in r.err


# ---------------------------------------------------------------- live

def test_kmsg_records_are_read(tmp_path):
    from nicdb.kernellog.live import read_kmsg

    p = tmp_path / "kmsg"
    p.write_text(f"6,1,100,-;{MSG}\n SUBSYSTEM=pci\n DEVICE=+pci:0000:02:00.0\n6,2,200,-;ACPI: x\n")
    assert read_kmsg(str(p)).splitlines() == [f"6,1,100,-;{MSG}", "6,2,200,-;ACPI: x"]
    assert read_kmsg(str(tmp_path / "missing")) is None


def test_unreadable_live_log_is_a_note_once(monkeypatch):
    from nicdb import inputs
    from nicdb.inputs import Reading
    from nicdb.kernellog import live

    monkeypatch.setattr(live, "KMSG", "/nonexistent/kmsg")
    monkeypatch.setattr(live, "read_kmsg", lambda path=live.KMSG: None)
    monkeypatch.setattr(live, "read_journal", lambda: None)
    dev = PciDevice("0000:02:00.0", 0x10EC, 0x8168, class_code=0x020000)
    reading = inputs.with_kernel_log(Reading([dev], "udev", live=True))
    assert len(reading.notes) == 1 and "not readable" in reading.notes[0] and "--dmesg" in reading.notes[0]
    assert reading.log is None and dev.log == []


def test_live_log_of_this_machine(session_db, run):
    """The running kernel's log: read when allowed (the note otherwise), never an error."""
    r = run("identify", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    if doc["kernel_log"] is None:
        assert any("kernel log is not readable" in n for n in doc["notes"])
    else:
        assert doc["kernel_log"]["source"] in ("/dev/kmsg", "journalctl -k -b")
        assert doc["kernel_log"]["lines"] >= doc["kernel_log"]["kept"] >= 0


# ---------------------------------------------------------------- snapshots keep the log

def test_snapshot_keeps_the_log_and_sysfs_reads_it_back(tmp_path, shared_datadir, run):
    log = tmp_path / "dmesg.txt"
    log.write_text("\n".join([
        "[    0.0] Linux version 6.12.48 (x)", "[    0.2] ACPI: Power Button [PWRB]",
        "[    1.0] via-velocity 0000:00:0a.0 eth0: VIA Networking Velocity Family Gigabit Ethernet Adapter",
        "[    1.1] usb 1-1: new high-speed USB device"]) + "\n")
    out = tmp_path / "s.tgz"
    r = run("snapshot", str(out), "--sys-root", str(shared_datadir / "sysfs" / "epia-en-vt6122"), "--dmesg", str(log))
    assert r.code == 0, r.err
    assert "2 kernel-log lines" in r.out
    import tarfile

    with tarfile.open(out) as tar:
        kept = tar.extractfile("nicdb-snapshot/kernel-log.txt").read().decode()
        meta = json.load(tar.extractfile("nicdb-snapshot/meta.json"))
    assert "ACPI" not in kept and "usb" not in kept and "Linux version" in kept
    assert meta["kernel_log"] == {"source": str(log), "lines": 2, "truncated": False}
    r = run("identify", "--sysfs", str(out), "--json")
    assert json.loads(r.out)["kernel_log"]["source"].endswith("(its kernel log)")


def test_snapshot_log_is_cut_at_its_limit(monkeypatch):
    from nicdb.inputs import snapshot

    monkeypatch.setattr(snapshot, "MAX_LOG", 200)
    text = "".join(f"r8169 0000:02:00.0: line {i} of a long log\n" for i in range(50))
    kept, lines, cut = snapshot.log_excerpt(text, {"r8169"})
    assert cut and lines == len(kept.splitlines()) < 50 and len(kept.encode()) <= 200


def test_kernel_version_line():
    from nicdb.inputs.kernel_log import kernel_version

    assert kernel_version("[0.0] Linux version 5.10.0-28-amd64 (debian-kernel@lists)") == "5.10.0-28-amd64"
    assert kernel_version("no version here") is None


def test_the_live_log_is_read_with_plain_string_tests_first(monkeypatch):
    """A line that names none of the devices is never split or matched."""
    from nicdb import kernellog

    seen = []
    real = kernellog.message
    monkeypatch.setattr(kernellog, "message", lambda line: seen.append(line) or real(line))
    dev = PciDevice("0000:02:00.0", 0x10EC, 0x8168, class_code=0x020000, driver="r8169")
    kernellog.attach([dev], "\n".join(["[ 0.1] ACPI: x"] * 100 + [f"[ 1.0] {MSG}"]), "log")
    assert len(seen) == 1



from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["eth0 up", "r8169 0000:02:00.0: x", "foo", "", "bar baz", "0000:", "\x1b"]),
                max_size=30),
       st.sampled_from(["", "\n"]),
       st.lists(st.sampled_from(["eth0", "0000:", "bar", "zz"]), min_size=1, max_size=3, unique=True))
def test_lines_found_by_searching_the_text_are_the_lines_that_hold_a_needle(lines, tail, needles):
    """The live log's fast filter gives exactly the numbered lines a line-by-line test gives."""
    from nicdb.kernellog import _lines, _wanted_lines

    text = "\n".join(lines) + tail
    total, got = _wanted_lines(text, needles)
    every = _lines(text)
    assert total == len(every)
    assert got == [(i, ln) for i, ln in enumerate(every, 1) if any(n in ln for n in needles)]
    assert _wanted_lines(text + "\r\n", needles) is None  # other line breaks: the line-by-line way

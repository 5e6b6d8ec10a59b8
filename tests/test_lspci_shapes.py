"""Shapes of lspci output beyond pciutils' usual ones: BusyBox's lspci in all its flag
combinations, pciutils' -P/-PP bridge paths, a config-space dump whose header disagrees
with its bytes about the revision, and NICs whose class code does not say so (NVIDIA
nForce Ethernet reports class 0680, "bridge")."""

from __future__ import annotations

import json

import pytest

from nicdb.inputs import read_path, read_text
from nicdb.inputs.lspci_text import BUSYBOX_NOTE


def read(shared_datadir, name):
    return read_path(str(shared_datadir / "lspci" / name)).devices


# ---------------------------------------------------------------- BusyBox
@pytest.mark.parametrize("name", ["busybox-plain.txt", "busybox-k.txt", "busybox-m.txt", "busybox-mk.txt"])
def test_busybox_every_flag_combination(shared_datadir, name):
    devs = read(shared_datadir, name)
    assert [d.slot for d in devs] == ["0000:00:00.0", "0000:00:01.0", "0000:00:01.1", "0000:00:02.0",
                                      "0000:00:03.0", "0000:00:04.0"]
    rtl, via = devs[4], devs[5]
    assert (rtl.vendor, rtl.device, rtl.class_code) == (0x10EC, 0x8139, 0x020000)
    assert (via.vendor, via.device, via.class_code) == (0x1106, 0x3119, 0x020000)
    # BusyBox prints no revision: unknown, not 00, and the device says why
    assert all(d.revision is None and d.notes == [BUSYBOX_NOTE] for d in devs)
    with_k = "-k" in name or name.endswith("mk.txt")
    assert (rtl.driver, via.driver, devs[0].driver) == (("8139cp", "via-velocity", None) if with_k else (None,) * 3)
    with_m = "-m" in name
    assert (via.subsystem_vendor, via.subsystem_device) == ((0x1106, 0x0110) if with_m else (None, None))


def test_busybox_through_the_cli_advises_without_revision_notes(shared_datadir, run):
    r = run("identify", "--from", str(shared_datadir / "lspci" / "busybox-mk.txt"), "--json")
    assert r.code == 0, r.err
    nics = json.loads(r.out)["nics"]
    assert [(n["slot"], n["revision"], n["driver_in_use"]) for n in nics] == [
        ("0000:00:03.0", None, "8139cp"), ("0000:00:04.0", None, "via-velocity")]
    via = nics[1]
    assert via["chip"] is None and via["summary"] == "revision unknown"  # 1106:3119 is four chips by revision
    assert BUSYBOX_NOTE in via["notes"]


def test_busybox_garbled_ids_are_one_line_errors():
    from nicdb.errors import InputError

    with pytest.raises(InputError, match=r"^bb line 1: malformed vendor:device in BusyBox lspci line"):
        read_text("0000:00:03.0 Class 0200: 10ec-8139\n", "bb")


# ---------------------------------------------------------------- -P / -PP paths
def test_lspci_P_paths_keep_the_bridges(shared_datadir):
    devs = {d.slot: d for d in read(shared_datadir, "paths-P-nn.txt")}
    rtl = devs["0000:00:1c.0/00.0"]  # -P prints no bus number below the first bridge
    assert (rtl.vendor, rtl.device, rtl.revision, rtl.upstream) == (0x10EC, 0x8168, 0x15, ["0000:00:1c.0"])
    via = devs["0000:00:1e.0/01.0"]
    assert (via.device, via.revision, via.upstream) == (0x3119, 0x11, ["0000:00:1e.0"])
    assert devs["0000:00:1c.0"].upstream == []


def test_lspci_PP_paths_give_the_real_slot(shared_datadir):
    devs = {d.slot: d for d in read(shared_datadir, "paths-PP-vvnnk.txt")}
    rtl = devs["0000:02:00.0"]
    assert rtl.upstream == ["0000:00:1c.0"] and rtl.driver == "r8169" and rtl.link.width == 1
    via = devs["0000:05:01.0"]
    assert via.upstream == ["0000:00:1e.0"] and via.subsystem_device == 0x0110


def test_deeper_paths_and_the_cli_json(run):
    text = "0000:00:01.0/01:00.0/02:01.0 Ethernet controller [0200]: Intel Corporation 82540EM Gigabit " \
           "Ethernet Controller [8086:100e] (rev 02)\n"
    (d,) = read_text(text, "t").devices
    assert (d.slot, d.upstream) == ("0000:02:01.0", ["0000:00:01.0", "0000:01:00.0"])
    r = run("identify", "--from", "-", "--json", stdin=text)
    assert r.code == 0, r.err
    (nic,) = json.loads(r.out)["nics"]
    assert nic["slot"] == "0000:02:01.0" and nic["upstream"] == ["0000:00:01.0", "0000:01:00.0"]
    # and nicdb's JSON reads back with the path
    r2 = run("identify", "--from", "-", "--json", stdin=r.out)
    assert json.loads(r2.out)["nics"][0]["upstream"] == ["0000:00:01.0", "0000:01:00.0"]


def test_sysfs_upstream_from_a_live_shaped_tree(tmp_path):
    """In a live /sys, bus/pci/devices/<slot> links into devices/pci0000:00/<bridge>/<slot>."""
    from nicdb.inputs.sysfs import read_tree

    real = tmp_path / "devices" / "pci0000:00" / "0000:00:1c.0" / "0000:02:00.0"
    real.mkdir(parents=True)
    for attr, value in (("vendor", "0x10ec"), ("device", "0x8168"), ("revision", "0x15"), ("class", "0x020000")):
        (real / attr).write_text(value + "\n")
    links = tmp_path / "bus" / "pci" / "devices"
    links.mkdir(parents=True)
    (links / "0000:02:00.0").symlink_to(real)
    (d,) = read_tree(tmp_path)
    assert (d.slot, d.revision, d.upstream) == ("0000:02:00.0", 0x15, ["0000:00:1c.0"])


# ---------------------------------------------------------------- a dump whose header lies about the revision
def test_hex_header_revision_disagreeing_with_the_bytes_is_a_warning(shared_datadir, run, tmp_path):
    text = (shared_datadir / "lspci" / "via-vt6130-nn-xxx.txt").read_text()
    assert "(rev 82)" in text
    p = tmp_path / "edited.txt"
    p.write_text(text.replace("(rev 82)", "(rev 11)"))
    (d,) = read_path(str(p)).devices
    assert d.revision == 0x82  # the bytes win
    assert any("header line says revision 11 but the config space says 82" in n for n in d.notes)
    r = run("identify", "--from", str(p), "--json")
    assert r.code == 0, r.err
    (nic,) = json.loads(r.out)["nics"]
    assert nic["revision"] == "82" and nic["chip"]["chip"] == "VT3286"
    assert any("config space is used" in n for n in nic["notes"])


# ---------------------------------------------------------------- NICs of another class
def test_nforce_ethernet_of_class_0680_is_a_nic(shared_datadir, run):
    r = run("identify", "--from", str(shared_datadir / "lspci" / "nforce-mcp55-nnk.txt"), "--json")
    assert r.code == 0, r.err
    nics = json.loads(r.out)["nics"]
    # the one bound to forcedeth, and the one only its Kernel modules line claims; not the SMBus
    assert [(n["slot"], n["class"]["code"], n["driver_in_use"]) for n in nics] == [
        ("0000:00:08.0", "068000", "forcedeth"), ("0000:00:09.0", "068000", None)]
    assert all(n["chip"] and n["chip"]["family"] == "nvidia-forcedeth" for n in nics)


def test_a_class_0680_function_no_network_driver_claims_is_not_a_nic(run):
    text = ("00:08.0 Bridge [0680]: NVIDIA Corporation MCP55 Memory Controller [10de:0369] (rev a2)\n"
            "\tKernel driver in use: amd_pstate_fake\n")
    r = run("identify", "--from", "-", "--json", stdin=text)
    assert r.code == 0 and json.loads(r.out)["nics"] == []


def test_alias_claim_alone_makes_a_nic(run):
    """No driver bound, no modules listed (plain -nn): the shipped alias table's forcedeth
    entry for 10de:0373 claims it."""
    r = run("identify", "--from", "-", "--json",
            stdin="00:08.0 Bridge [0680]: NVIDIA Corporation MCP55 Ethernet [10de:0373] (rev a2)\n")
    assert r.code == 0, r.err
    (nic,) = json.loads(r.out)["nics"]
    assert nic["candidate_modules"]["modules"] == ["forcedeth"] and nic["drivers"]["recommended"] == "forcedeth"

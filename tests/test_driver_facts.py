"""Driver facts for every NIC: the candidate modules' kernel series, parameters and
firmware (nicdb.advice.facts, nicdb.report), the firmware check on a host (nicdb.inputs.host,
on root folders these tests build, and once on this machine's own /lib/firmware and
/etc/os-release), snapshots that record it, fleets, `nicdb driver` and `nicdb search` --
all on the real generated tables of data/driver-facts/."""

from __future__ import annotations

import json
import os
import tarfile
from pathlib import Path

import pytest

from nicdb.advice import facts as F
from nicdb.inputs import host
from nicdb.inputs.source import Reading
from nicdb.model import PciDevice

OS_RELEASE = {
    "bookworm": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
                'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n',
    "trixie": 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\n'
              'VERSION="13 (trixie)"\nVERSION_CODENAME=trixie\nID=debian\n',
    "forky": 'PRETTY_NAME="Debian GNU/Linux forky/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=forky\nID=debian\n',
    "buster": 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nVERSION_ID="10"\nID=debian\n',
    "ubuntu": 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\n'
              'ID=ubuntu\nID_LIKE=debian\n',
    "mint": 'NAME="Linux Mint"\nVERSION_ID="22"\nVERSION_CODENAME=wilma\nID=linuxmint\nID_LIKE="ubuntu debian"\n',
    "fedora": 'NAME="Fedora Linux"\nVERSION="41 (Workstation Edition)"\nID=fedora\nVERSION_ID=41\n'
              'PRETTY_NAME="Fedora Linux 41 (Workstation Edition)"\n',
    "arch": 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n',
    "raspbian": 'PRETTY_NAME="Raspbian GNU/Linux 12 (bookworm)"\nNAME="Raspbian GNU/Linux"\nVERSION_ID="12"\n'
                'VERSION_CODENAME=bookworm\nID=raspbian\nID_LIKE=debian\n',
    "devuan": 'PRETTY_NAME="Devuan GNU/Linux 5 (daedalus)"\nNAME="Devuan GNU/Linux"\nVERSION_ID="5"\n'
              'VERSION_CODENAME=daedalus\nID=devuan\nID_LIKE=debian\n',
}
RELEASE = "6.12.48+deb13-amd64"  # the kernel release of the roots below


def make_root(base: Path, os_release: str | None, files=(), links: dict | None = None,
              where: str = "lib/firmware") -> str:
    """A root folder as a host has it: /etc/os-release and firmware files (empty files;
    links as symbolic links, relative like a package's)."""
    base.mkdir(parents=True, exist_ok=True)
    if os_release is not None:
        (base / "etc").mkdir(exist_ok=True)
        (base / "etc" / "os-release").write_text(OS_RELEASE.get(os_release, os_release))
    for f in files:
        p = base / where / f
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"\x00fw")
    for name, target in (links or {}).items():
        p = base / where / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(os.path.relpath(base / where / target, p.parent))
    return str(base)


def nic(vendor, device, rev=None, driver=None, slot="0000:03:00.0", cls=0x020000) -> PciDevice:
    return PciDevice(slot=slot, vendor=vendor, device=device, revision=rev, class_code=cls, driver=driver,
                     origin="test")


def report(kb, dev, *, kernel=None, system=None, live_params=False):
    from nicdb.report import identify

    doc = identify(Reading([dev], "test", system=system), kb, kernel=kernel, live_params=live_params)
    (rep,) = doc.nics
    return rep, doc


def live(root: str):
    return host.live_system(root, RELEASE)


# ------------------------------------------------------------------ the series of a candidate


def test_a_driver_with_firmware_offline_names_every_releases_package(kb):
    rep, doc = report(kb, nic(0x10EC, 0x8168, 0x15), kernel="6.1.0-57-amd64")
    assert "r8169" in rep.candidate_modules
    f = rep.facts
    assert f.firmware_module == "r8169"
    assert (f.kernel_series, f.exact) == ("6.1", True)
    m = next(m for m in f.modules if m.module == "r8169")
    assert m.series == ["5.10", "6.1", "6.12", "7.2"] and m.span == "5.10, 6.1, 6.12, 7.2"
    assert m.binds == m.series and m.removed_after is None and m.params == []
    # the 6.1 module's declared names, none of them known to be there or not (pasted input)
    names = {x.file for x in rep.firmware}
    assert "rtl_nic/rtl8168h-2.fw" in names and "rtl_nic/rtl8125d-1.fw" not in names  # 6.12 on only
    assert all(x.state == "unknown" and x.present is None and x.needed == "declared" for x in rep.firmware)
    assert rep.firmware_state == "unknown" and rep.firmware_advice is None and doc.distribution is None
    h = next(x for x in rep.firmware if x.file == "rtl_nic/rtl8168h-2.fw")
    assert [(p["release"], p["package"]) for p in h.packages] == [
        ("bullseye", "firmware-realtek"), ("bookworm", "firmware-realtek"), ("trixie", "firmware-realtek"),
        ("sid", "firmware-realtek")]
    assert [p["component"] for p in h.packages] == ["non-free", "non-free-firmware", "non-free-firmware",
                                                    "non-free-firmware"]
    assert h.package is None and h.release is None and h.install is None
    assert rep.summary.endswith("firmware: firmware-realtek")  # offline, the advice names the package


def test_a_removed_driver_says_so_and_is_no_option_where_it_is_gone(kb):
    rep, _ = report(kb, nic(0x1318, 0x0911), kernel="6.1")
    (m,) = rep.facts.modules
    assert (m.module, m.span, m.removed_after) == ("hamachi", "5.10, 6.1, 6.12; gone by 7.2", "6.12")
    assert rep.drivers.recommended == "hamachi" and rep.summary == "use hamachi (no chip notes; gone by 7.2)"
    rep, _ = report(kb, nic(0x1318, 0x0911), kernel="7.2.13")
    opt = rep.drivers.options[0]
    assert rep.drivers.recommended is None and opt.status == "unavailable"
    assert opt.reason == "not on kernel 7.2.13: gone by 7.2 (last in 6.12)"
    assert rep.summary == "no usable driver: hamachi not on kernel 7.2.13: gone by 7.2 (last in 6.12)"
    # between the last series with it and the first without: said, and ranked lower, not refused
    rep, _ = report(kb, nic(0x1318, 0x0911), kernel="6.15")
    opt = rep.drivers.options[0]
    assert opt.status == "candidate" and "last seen in 6.12, gone by 7.2: may be missing on 6.15" in opt.reason
    # ixgb left after 6.1
    rep, _ = report(kb, nic(0x8086, 0x1048), kernel="6.12.30")
    assert rep.facts.modules[0].span == "5.10, 6.1; gone by 6.12" and rep.drivers.recommended is None


def test_a_new_driver_is_not_on_an_older_kernel(kb):
    rep, _ = report(kb, nic(0x8086, 0x1452), kernel="6.1")  # idpf, new in 6.12
    (m,) = rep.facts.modules
    assert (m.module, m.span, m.added_in) == ("idpf", "6.12, 7.2 (new in 6.12)", "6.12")
    opt = next(o for o in rep.drivers.options if o.module == "idpf")
    assert opt.status == "unavailable" and "not in 6.1 (new in 6.12)" in opt.reason
    rep, _ = report(kb, nic(0x8086, 0x1452), kernel="6.12.30")
    assert rep.drivers.recommended == "idpf"
    # the device ID, not only the module: mt7925e has 14c3:0738 only from 7.2 on
    rep, _ = report(kb, nic(0x14C3, 0x0738, cls=0x028000), kernel="6.12")
    m = next(m for m in rep.facts.modules if m.module == "mt7925e")
    assert m.series == ["6.12", "7.2"] and m.binds == ["7.2"] and m.span == "7.2 (new in 7.2)"


def test_availability_statuses():
    s = ["5.10", "6.1", "6.12", "7.2"]
    assert F.availability(["5.10", "6.1", "6.12"], s, "7.2.1") == ("gone", "gone by 7.2 (last in 6.12)")
    assert F.availability(["5.10", "6.1", "6.12"], s, "6.18")[0] == "maybe-gone"
    assert F.availability(["5.10", "6.1", "6.12"], s, "6.12.5") is None
    assert F.availability(["6.12", "7.2"], s, "6.1") == ("not-yet", "not in 6.1 (new in 6.12)")
    assert F.availability(["6.12", "7.2"], s, "6.6")[0] == "maybe-not-yet"
    assert F.availability(["5.10", "6.1", "6.12"], s, None)[0] == "gone"  # a current kernel: the newest series
    assert F.availability(["6.12", "7.2"], s, None) is None


def test_a_retyped_parameter(kb):
    for kernel, want in (("5.10.200", "uint"), ("6.1", "bool"), (None, "bool")):
        rep, _ = report(kb, nic(0x8086, 0x10FB), kernel=kernel)
        p = next(p for p in rep.facts.modules[0].params if p.name == "allow_unsupported_sfp")
        assert p.type == want
        assert p.types == [("uint", ["5.10"]), ("bool", ["6.1", "6.12", "7.2"])]
        assert p.change == "uint in 5.10, bool from 6.1" and p.series == ["5.10", "6.1", "6.12", "7.2"]


def test_param_changes_read_as_added_and_gone():
    rows = [{"name": "a", "type": "int", "series": ["6.12", "7.2"]},
            {"name": "b", "type": "int", "series": ["5.10", "6.1"]},
            {"name": "c", "type": "bool", "series": ["5.10"]}, {"name": "c", "type": "uint", "series": ["6.1"]}]
    got = {p.name: p.change for p in F.param_facts(rows, ["5.10", "6.1", "6.12", "7.2"], "6.1")}
    assert got == {"a": "new in 6.12", "b": "gone by 6.12", "c": "bool in 5.10, uint in 6.1; gone by 6.12"}


def test_virtio_pci_is_bound_in_6_12_by_the_built_in_rule(kb):
    rep, _ = report(kb, nic(0x1AF4, 0x1041, 0x01, driver="virtio-pci"), kernel="6.12.10")
    (m,) = rep.facts.modules
    assert m.binds == ["5.10", "6.1", "7.2"] and m.carried == ["6.12"] and m.span == "5.10, 6.1, 6.12, 7.2"
    assert rep.drivers.recommended == "virtio_pci" and rep.firmware == [] and rep.firmware_state == "none"


def test_carry_rule_fills_a_gap_from_both_neighbours():
    from nicdb.kb.build import carry_aliases

    modules = [["m", "5.10 6.1 6.12 7.2", "x.ko"], ["n", "6.1 6.12", "y.ko"]]
    aliases = [["pci:v00001111d*sv*sd*bc*sc*i*", "m", "5.10 6.1 7.2"],
               ["pci:v00002222d*sv*sd*bc*sc*i*", "m", "7.2"],  # only one side: not carried
               ["pci:v00003333d*sv*sd*bc*sc*i*", "n", "6.1"]]  # gap at the end: its one neighbour
    assert carry_aliases(modules, aliases) == ["6.12", "", "6.12"]


def test_a_module_with_no_pci_aliases_is_not_in_the_facts(kb, run):
    assert kb.module_facts("r8152") is None  # a USB NIC driver: no pci: alias, so ignored
    assert kb.module_facts("r8169") is not None
    r = run("driver", "r8152")
    assert r.code == 2 and r.err.startswith("nicdb: error: no driver or module named 'r8152'") and "r8169" in r.err
    assert len(r.err.splitlines()) == 1


# ------------------------------------------------------------------ firmware on a host


def test_firmware_search_path_is_the_kernels(tmp_path):
    root = make_root(tmp_path / "r", None)
    assert host.firmware_dirs(root, "6.1.0-9-amd64") == [
        f"{root}/lib/firmware/updates/6.1.0-9-amd64", f"{root}/lib/firmware/updates",
        f"{root}/lib/firmware/6.1.0-9-amd64", f"{root}/lib/firmware"]
    param = tmp_path / "r" / "sys" / "module" / "firmware_class" / "parameters"
    param.mkdir(parents=True)
    (param / "path").write_text("/opt/fw\n")
    assert host.firmware_dirs(root, "6.1.0-9-amd64")[0] == f"{root}/opt/fw"
    (param / "path").write_text("\n")  # the parameter's default: no custom path
    assert len(host.firmware_dirs(root, "6.1.0-9-amd64")) == 4


def test_find_counts_compressed_files_and_every_search_dir(tmp_path):
    root = make_root(tmp_path / "r", None, ["rtl_nic/rtl8168h-2.fw.zst", "e100/d101m_ucode.bin.xz"])
    make_root(tmp_path / "r", None, ["rtl_nic/rtl8168g-3.fw"], where=f"lib/firmware/updates/{RELEASE}")
    make_root(tmp_path / "r", None, ["rtl_nic/rtl8168g-3.fw"])  # updates win over /lib/firmware
    s = live(root)
    assert s.find("rtl_nic/rtl8168h-2.fw") == f"{root}/lib/firmware/rtl_nic/rtl8168h-2.fw.zst"
    assert s.find("e100/d101m_ucode.bin").endswith(".xz")
    assert s.find("rtl_nic/rtl8168g-3.fw") == f"{root}/lib/firmware/updates/{RELEASE}/rtl_nic/rtl8168g-3.fw"
    assert s.find("rtl_nic/rtl8168g-2.fw") is None
    assert s.find("../../etc/os-release") is None and s.find("/etc/passwd") is None


def test_a_symlinked_firmware_file(kb, tmp_path):
    name, target = "brcm/brcmfmac4356-pcie.bin", "cypress/cyfmac4356-pcie.bin"
    shipped = kb.firmware_shipped([name])[name]
    assert {r["target"] for r in shipped} == {target}  # a link in every release's firmware-brcm80211
    assert {r["release"] for r in kb.firmware_shipped([target])[target]} == {"bullseye", "bookworm", "trixie", "sid"}
    plan = F.FirmwarePlan("brcmfmac", [(name, "declared", False, ["6.1"])], {name: shipped}, shipped)
    ok = live(make_root(tmp_path / "ok", "bookworm", [target], {name: target}))
    dangling = live(make_root(tmp_path / "dangling", "bookworm", [], {name: target}))
    distro = F.distribution(ok.os_release, ["bullseye", "bookworm", "trixie", "sid"])
    (f,) = F.firmware_files(plan, ok, distro, ["bullseye", "bookworm", "trixie", "sid"])
    assert (f.state, f.target, f.package, f.install) == ("present", target, "firmware-brcm80211",
                                                         "apt install firmware-brcm80211")
    assert os.path.islink(f.path)
    (f,) = F.firmware_files(plan, dangling, distro, ["bullseye", "bookworm", "trixie", "sid"])
    assert (f.state, f.present) == ("missing", False)  # a link to nothing loads nothing


def test_a_wildcard_firmware_name(kb, tmp_path):
    rep, _ = report(kb, nic(0x17CB, 0x1101, driver="ath11k_pci", cls=0x028000), kernel="6.12",
                    system=live(make_root(tmp_path / "r", "trixie", ["ath11k/QCA6390/hw2.0/amss.bin.zst"])))
    glob = next(f for f in rep.firmware if f.file == "ath11k/QCA6390/hw2.0/*")
    assert glob.wildcard and glob.state == "present" and glob.path.endswith("/QCA6390/hw2.0/amss.bin.zst")
    assert glob.package == "firmware-atheros" and glob.release == "trixie"
    rows = kb.firmware_shipped([glob.file])[glob.file]
    assert {r["file"] for r in rows} >= {"ath11k/QCA6390/hw2.0/amss.bin", "ath11k/QCA6390/hw2.0/m3.bin"}
    assert all(r["file"].count("/") == 3 for r in rows)  # a wildcard never crosses '/'
    other = next(f for f in rep.firmware if f.file == "ath11k/WCN6855/hw2.0/*")
    assert other.state == "missing"
    assert rep.firmware_state == "partial" and rep.firmware_advice is None


def test_live_root_with_the_package_installed_and_without(kb, tmp_path):
    names = [d["name"] for d in kb.module_facts("r8169")["firmware"] if "6.12" in d["series"]]
    full = live(make_root(tmp_path / "full", "trixie", [n + ".zst" for n in names]))
    rep, doc = report(kb, nic(0x10EC, 0x8168, 0x15, driver="r8169"), kernel="6.12.48+deb13-amd64", system=full)
    assert doc.distribution.release == "trixie" and not doc.distribution.nearest
    assert rep.firmware_state == "present" and all(f.present for f in rep.firmware)
    assert {f.package for f in rep.firmware} == {"firmware-realtek"}
    empty = live(make_root(tmp_path / "empty", "trixie"))
    rep, _ = report(kb, nic(0x10EC, 0x8168, 0x15, driver="r8169"), kernel="6.12.48+deb13-amd64", system=empty)
    assert rep.firmware_state == "missing"
    assert rep.firmware_advice == "no r8169 firmware installed: apt install firmware-realtek"
    assert rep.summary.startswith("no r8169 firmware installed: apt install firmware-realtek; use ")
    # some files there, others not (for other chips, or newer than the package): no alarm
    some = live(make_root(tmp_path / "some", "trixie", ["rtl_nic/rtl8168h-2.fw"]))
    rep, _ = report(kb, nic(0x10EC, 0x8168, 0x15, driver="r8169"), kernel="6.12.48", system=some)
    assert rep.firmware_state == "partial" and rep.firmware_advice is None


def test_chip_notes_name_the_files_and_win(kb, tmp_path):
    chips = kb.chips(0x14E4, 0x1639)
    chip = next(c for c in chips if c["firmware"])
    rev = chip["rev_lo"]
    root = live(make_root(tmp_path / "r", "bookworm", [chip["firmware"][0]]))
    rep, _ = report(kb, nic(0x14E4, 0x1639, rev, driver="bnx2"), kernel="6.1.0-57-amd64", system=root)
    assert [f.file for f in rep.firmware] == chip["firmware"] and {f.needed for f in rep.firmware} == {"chip"}
    missing = chip["firmware"][1]
    assert rep.firmware_state == "missing"
    assert rep.firmware_advice == f"firmware missing: {missing}: apt install firmware-bnx2"
    assert rep.summary.startswith(f"firmware missing: {missing}: apt install firmware-bnx2; use bnx2")


def test_trixie_split_firmware_misc_nonfree(kb, tmp_path):
    for release, package in (("bookworm", "firmware-misc-nonfree"), ("trixie", "firmware-intel-misc")):
        system = live(make_root(tmp_path / release, release))
        rep, _ = report(kb, nic(0x8086, 0x1229, 0x01, driver="e100"), kernel="6.1", system=system)
        assert {(f.package, f.install) for f in rep.firmware} == {(package, f"apt install {package}")}
        assert {p["package"] for f in rep.firmware for p in f.packages} == {"firmware-misc-nonfree",
                                                                             "firmware-intel-misc"}


def test_a_file_no_package_ships_is_not_missing_and_says_the_fallback(kb, tmp_path):
    system = live(make_root(tmp_path / "r", "bookworm"))  # bookworm with a 6.12 kernel (backports)
    rep, _ = report(kb, nic(0x8086, 0x51F0, driver="iwlwifi", cls=0x028000), kernel="6.12.12+bpo-amd64",
                    system=system)
    f = next(f for f in rep.firmware if f.file == "iwlwifi-so-a0-gf-a0-89.ucode")
    assert f.state == "not-shipped" and f.package is None and f.release == "bookworm"
    assert f.fallback == "iwlwifi-so-a0-gf-a0-72.ucode (firmware-iwlwifi)"
    assert rep.firmware_state == "missing"  # none of the files bookworm ships is there
    assert rep.firmware_advice == "no iwlwifi firmware installed: apt install firmware-iwlwifi"


def test_fallback_for_api_versions():
    shipped = {"iwlwifi-x-72.ucode", "iwlwifi-x-59.ucode", "iwlwifi-x-99.ucode", "iwlwifi-y-80.ucode",
               "ath10k/QCA6174/hw3.0/firmware-4.bin"}
    assert F.fallback_for("iwlwifi-x-89.ucode", shipped) == "iwlwifi-x-72.ucode"
    assert F.fallback_for("iwlwifi-x-50.ucode", shipped) is None
    assert F.fallback_for("ath10k/QCA6174/hw3.0/firmware-5.bin", shipped) == "ath10k/QCA6174/hw3.0/firmware-4.bin"
    assert F.fallback_for("brcm/brcmfmac4355-pcie.bin", shipped) is None


@pytest.mark.parametrize("name, family, release, nearest, install", [
    ("bookworm", "debian", "bookworm", False, "apt install"),
    ("trixie", "debian", "trixie", False, "apt install"),
    ("forky", "debian", "sid", True, "apt install"),
    ("buster", "debian", "bullseye", True, "apt install"),
    ("raspbian", "debian", "bookworm", False, "apt install"),
    ("devuan", "other", None, False, None),
    ("ubuntu", "ubuntu", None, False, "apt install"),
    ("mint", "ubuntu", None, False, "apt install"),
    ("fedora", "fedora", None, False, "dnf install"),
    ("arch", "other", None, False, None),
])
def test_distribution_from_os_release(name, family, release, nearest, install):
    d = F.distribution(host.parse_os_release(OS_RELEASE[name]), ["bullseye", "bookworm", "trixie", "sid"])
    assert (d.family, d.release, d.nearest, d.install) == (family, release, nearest, install)
    assert F.distribution(None, ["bookworm"]) is None


@pytest.mark.parametrize("distro, advice", [
    ("ubuntu", "no r8169 firmware installed: apt install linux-firmware"),
    ("fedora", "no r8169 firmware installed: dnf install linux-firmware"),
    ("arch", "no r8169 firmware installed (linux-firmware: rtl_nic/)"),
])
def test_other_distributions_name_linux_firmware(kb, tmp_path, distro, advice):
    rep, _ = report(kb, nic(0x10EC, 0x8168, 0x15, driver="r8169"), kernel="6.8",
                    system=live(make_root(tmp_path / distro, distro)))
    assert rep.firmware_advice == advice


def test_os_release_parsing():
    got = host.parse_os_release('# comment\nNAME="Foo \\"Bar\\""\nID=foo\nVERSION_ID=\'1.0\'\nbad line\n'
                                'PRETTY_NAME="a\\$b"\n')
    assert got == {"NAME": 'Foo "Bar"', "ID": "foo", "VERSION_ID": "1.0", "PRETTY_NAME": "a$b"}


def test_this_machines_os_release_and_firmware():
    """The real /etc/os-release and /lib/firmware of the machine the tests run on."""
    osr = host.os_release("/")
    if os.path.exists("/etc/os-release") or os.path.exists("/usr/lib/os-release"):
        path = "/etc/os-release" if os.path.exists("/etc/os-release") else "/usr/lib/os-release"
        keys = dict(line.split("=", 1) for line in Path(path).read_text().splitlines() if "=" in line
                    and not line.startswith("#"))
        assert set(osr) == set(keys) and osr["ID"] == keys["ID"].strip('"')
    else:
        assert osr is None
    system = host.live_system()
    top = "/lib/firmware"
    files = sorted(n for n in os.listdir(top) if os.path.isfile(os.path.join(top, n))) if os.path.isdir(top) else []
    for n in files[:50]:
        found = system.find(n)
        assert found is not None and os.path.basename(found) == n
        for suffix in (".xz", ".zst"):
            if n.endswith(suffix):  # the kernel loads it by the uncompressed name
                assert system.find(n[:-len(suffix)]) is not None
    assert system.find("nicdb-no-such-firmware/none.bin") is None
    assert system.dirs[-1] == "/lib/firmware" and system.where == "live"


def test_live_parameter_values_and_modinfo_descriptions(kb, tmp_path):
    root = make_root(tmp_path / "r", "bookworm")
    params = Path(root) / "sys" / "module" / "ixgbe" / "parameters"
    params.mkdir(parents=True)
    (params / "allow_unsupported_sfp").write_text("N\n")
    assert host.module_param_values("ixgbe", root) == {"allow_unsupported_sfp": "N"}
    assert host.module_param_values("not_loaded", root) == {}
    rep, _ = report(kb, nic(0x8086, 0x10FB, driver="ixgbe"), kernel="6.1", system=live(root), live_params=True)
    p = next(p for p in rep.facts.modules[0].params if p.name == "allow_unsupported_sfp")
    assert p.value == "N" and p.description is None  # modinfo runs only for the real root
    # what modinfo -F parm prints: name:description (type), continued lines joined
    text = "debug:Debug level (0=none,...,16=all) (int)\nmax_vfs:Maximum number\n of VFs (uint)\n"
    assert host.parse_modinfo_parm(text) == {"debug": "Debug level (0=none,...,16=all) (int)",
                                             "max_vfs": "Maximum number of VFs (uint)"}


def test_kernel_series():
    s = ["5.10", "6.1", "6.12", "7.2"]
    assert F.kernel_series("6.1.0-57-amd64", s) == ("6.1", True)
    assert F.kernel_series("6.6.30", s) == ("6.1", False)
    assert F.kernel_series("4.19", s) == ("5.10", False)
    assert F.kernel_series(None, s) == ("7.2", False)
    assert F.kernel_series("8.0", s) == ("7.2", False)
    assert F.major_minor("2.6.32-5-686") == (2, 6) and F.major_minor("six") is None


# ------------------------------------------------------------------ views, JSON, snapshots, fleets


def test_suggest_shows_driver_facts_and_json_carries_them(run):
    r = run("suggest", "--id", "8086:10fb", "--kernel", "5.10", "--plain")
    assert r.code == 0
    assert "Driver facts (Debian kernels 5.10, 6.1, 6.12, 7.2; advice for 5.10)" in r.out
    line = next(ln for ln in r.out.splitlines() if ln.startswith("allow_unsupported_sfp"))
    assert line.split()[:2] == ["allow_unsupported_sfp", "uint"] and "uint in 5.10, bool from 6.1" in line
    j = json.loads(run("suggest", "--id", "10ec:8168", "--rev", "15", "--json").out)
    n = j["nics"][0]
    assert n["driver_facts"]["modules"][0]["module"] == "r8169" and n["firmware_state"] == "unknown"
    h = next(f for f in n["firmware"] if f["file"] == "rtl_nic/rtl8168h-2.fw")
    assert j["distribution"] is None and h["package"] is None  # offline: every release's package instead
    assert [p["release"] for p in h["packages"]] == ["bullseye", "bookworm", "trixie", "sid"]
    assert "firmware" not in n["driver_facts"]["modules"][0]  # the declared names: on the driver page


def _sysfs(base: Path, devices: list[tuple[str, str, str, str, str, str]]) -> str:
    """A sysfs tree: (slot, vendor, device, revision, class, driver) per function."""
    for slot, v, d, rev, cls, drv in devices:
        f = base / "bus" / "pci" / "devices" / slot
        f.mkdir(parents=True)
        for attr, value in (("vendor", v), ("device", d), ("revision", rev), ("class", cls),
                            ("subsystem_vendor", v), ("subsystem_device", "0x0001")):
            (f / attr).write_text(value + "\n")
        (base / "bus" / "pci" / "drivers" / drv).mkdir(parents=True, exist_ok=True)
        (f / "driver").symlink_to(os.path.relpath(base / "bus" / "pci" / "drivers" / drv, f))
    return str(base)


def test_a_snapshot_says_what_firmware_its_host_lacks(run, tmp_path):
    sys_root = _sysfs(tmp_path / "sys", [("0000:03:00.0", "0x10ec", "0x8168", "0x15", "0x020000", "r8169"),
                                         ("0000:00:1f.2", "0x8086", "0xa102", "0x31", "0x010601", "ahci")])
    root = make_root(tmp_path / "root", "trixie")
    out = tmp_path / "snap.tar.gz"
    r = run("snapshot", str(out), "--sys-root", sys_root, "--root", root)
    assert r.code == 0 and "0 of 31 firmware files present" in r.out  # r8169's names in every series
    with tarfile.open(out) as tar:
        meta = json.load(tar.extractfile("nicdb-snapshot/meta.json"))
    assert meta["os_release"]["VERSION_CODENAME"] == "trixie"
    assert meta["firmware"]["files"]["rtl_nic/rtl8168h-2.fw"] is None
    j = json.loads(run("identify", "--sysfs", str(out), "--json").out)
    assert j["distribution"]["release"] == "trixie"
    (n,) = j["nics"]
    assert n["firmware_state"] == "missing" and n["firmware_advice"] == (
        "no r8169 firmware installed: apt install firmware-realtek")
    assert n["summary"].startswith("no r8169 firmware installed")
    assert {f["state"] for f in n["firmware"]} == {"missing"} and n["firmware"][0]["install"] == (
        "apt install firmware-realtek")
    # the host's release is named: its package, not every release's
    assert n["firmware"][0]["release"] == "trixie" and n["firmware"][0]["packages"] == []
    plain = run("identify", "--sysfs", str(out), "--plain").out
    assert "no r8169 firmware installed: apt install firmware-realtek; use r8169" in " ".join(plain.split())
    assert plain.index("no r8169 firmware installed") < plain.index("; use r8169")
    # the same host with firmware-realtek installed
    make_root(tmp_path / "root", None, ["rtl_nic/rtl8168h-2.fw", "rtl_nic/rtl8168g-3.fw"])
    assert run("snapshot", str(out), "--sys-root", sys_root, "--root", root).code == 0
    n = json.loads(run("identify", "--sysfs", str(out), "--json").out)["nics"][0]
    assert n["firmware_state"] == "partial" and n["firmware_advice"] is None
    assert next(f for f in n["firmware"] if f["file"] == "rtl_nic/rtl8168h-2.fw")["path"] == (
        f"{root}/lib/firmware/rtl_nic/rtl8168h-2.fw")


def test_a_fleet_of_snapshots_ranks_missing_firmware_and_stays_byte_identical(run, kb, tmp_path):
    from nicdb.fleet import identify_fleet
    from nicdb.render.json_out import FleetLines, host_line

    sys_root = _sysfs(tmp_path / "sys", [("0000:03:00.0", "0x10ec", "0x8168", "0x15", "0x020000", "r8169")])
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    with_fw = make_root(tmp_path / "a", "bookworm", ["rtl_nic/rtl8168h-2.fw"])
    without = make_root(tmp_path / "b", "bookworm")
    for name, root in (("a", with_fw), ("b", without), ("c", without)):
        assert run("snapshot", str(fleet / f"{name}.tar.gz"), "--sys-root", sys_root, "--root", root).code == 0
    (fleet / "d.txt").write_text("03:00.0 Ethernet controller [0200]: Realtek Semiconductor Co., Ltd. "
                                 "RTL8111/8168/8411 PCI Express Gigabit Ethernet Controller [10ec:8168] (rev 15)\n")
    r = run("identify", "--from", str(fleet), "--json")
    lines = [json.loads(x) for x in r.out.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["hosts_needing_action"] == 2
    assert [a["host"] for a in summary["action_first"]] == ["b", "c"]
    assert summary["action_first"][0]["action"] == "0000:03:00.0: no r8169 firmware installed: " \
                                                   "apt install firmware-realtek"
    states = {x["host"]: x["nics"][0]["firmware_state"] for x in lines[:-1]}
    assert states == {"a": "partial", "b": "missing", "c": "missing", "d": "unknown"}
    # the fast path writes what the slow one does, host by host
    fast = FleetLines(None)
    for host_, _, doc, err in identify_fleet(str(fleet), kb, kernel=None):
        assert err is None
        assert fast.host(doc.nics, source=doc.source, host=doc.host, distribution=doc.distribution) == host_line(doc)


def test_driver_page(run):
    j = json.loads(run("driver", "r8169", "--json").out)
    assert j["module"] == "r8169" and j["facts"]["series"] == ["5.10", "6.1", "6.12", "7.2"]
    assert j["pci_ids"]["count"] > 10 and j["pci_ids"]["list"] is None and j["on_kernel"] is None
    assert any(f["file"] == "rtl_nic/rtl8168h-2.fw" and any(p["package"] == "firmware-realtek" for p in f["packages"])
               for f in j["firmware"])
    full = json.loads(run("driver", "r8169", "--all", "--json").out)
    assert len(full["pci_ids"]["list"]) == full["pci_ids"]["patterns"]
    assert any(i["vendor"] == 0x10EC and i["device"] == 0x8168 for i in full["pci_ids"]["list"])
    j = json.loads(run("driver", "hamachi", "--kernel", "7.2", "--json").out)
    assert j["on_kernel"] == {"available": False, "status": "gone", "reason": "gone by 7.2 (last in 6.12)"}
    assert j["facts"]["span"] == "5.10, 6.1, 6.12; gone by 7.2"
    j = json.loads(run("driver", "ixgbe", "--kernel", "5.10", "--json").out)
    p = next(p for p in j["facts"]["parameters"] if p["name"] == "allow_unsupported_sfp")
    assert p["type"] == "uint" and p["change"] == "uint in 5.10, bool from 6.1" and j["kernel_series"] == "5.10"
    j = json.loads(run("driver", "virtio-pci", "--all", "--json").out)
    assert j["pci_ids"]["list"][0]["carried"] == ["6.12"]
    # a driver with nicdb's notes: its families, issues and parameter notes come along
    j = json.loads(run("driver", "via-velocity", "--json").out)
    assert j["module"] == "via_velocity" and j["notes"]["kind"] == "in-tree"
    assert {f["id"] for f in j["families"]} >= {"via-velocity"} and j["issues"]
    assert "DMA_length" in {p["name"] for p in j["parameter_notes"]}
    plain = run("driver", "hamachi", "--kernel", "7.2", "--plain").out
    assert "gone by 7.2 (last in 6.12)" in plain and "Parameters" in plain
    assert run("driver", "velocityget", "--plain").code == 0  # a vendor driver: notes, no facts


def test_search_finds_modules_and_firmware_files(run):
    j = json.loads(run("search", "rtl8168h-2.fw", "--json").out)
    (f,) = j["firmware"]
    assert f["file"] == "rtl_nic/rtl8168h-2.fw" and [m["module"] for m in f["modules"]] == ["r8169"]
    assert {p["package"] for p in f["packages"]} == {"firmware-realtek"}
    plain = run("search", "rtl8168h-2.fw", "--plain").out
    assert "r8169" in plain and "firmware-realtek" in plain
    j = json.loads(run("search", "ixgb", "--json").out)
    assert [m["module"] for m in j["modules"]] == ["ixgb", "ixgbe", "ixgbevf"]
    j = json.loads(run("search", "QCA6390/hw2.0", "--json").out)
    glob = next(f for f in j["firmware"] if f["wildcard"])
    assert glob["file"] == "ath11k/QCA6390/hw2.0/*" and glob["modules"][0]["module"] == "ath11k_pci"
    amss = next(f for f in j["firmware"] if f["file"] == "ath11k/QCA6390/hw2.0/amss.bin")
    # declared by name in 6.1, by the wildcard in 6.12 and 7.2
    assert amss["modules"] == [{"module": "ath11k_pci", "series": ["6.1", "6.12", "7.2"]}]


def test_the_fingerprint_covers_the_driver_facts(tmp_path, monkeypatch):
    import shutil

    from nicdb.kb import paths

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", data)
    monkeypatch.setenv("NICDB_DATA", str(data))
    before = paths.fingerprint(None)
    with open(data / "driver-facts" / "aliases.tsv", "a") as f:
        f.write("pci:v0000FFFEd0000FFFEsv*sd*bc*sc*i*\tr8169\t7.2\n")
    assert paths.fingerprint(None) != before
    from nicdb.kb.store import KnowledgeBase

    with KnowledgeBase.open(tmp_path / "db.sqlite") as kb:
        rows = kb.shipped_alias_rows(0xFFFE, 0xFFFE)
        assert ("pci:v0000FFFEd0000FFFEsv*sd*bc*sc*i*", "r8169", "7.2", "") in rows

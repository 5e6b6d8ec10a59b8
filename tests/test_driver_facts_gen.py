"""scripts/gen_driver_facts.py on small Debian packages the tests build: two kernel series
(one package in 5.10; 7.x's split linux-modules + linux-base), firmware packages with a
symbolic link and files matching a wildcard, and the exact tables that come out."""

from __future__ import annotations

import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import fake_debian as F  # noqa: E402
import gen_driver_facts as G  # noqa: E402
from driver_facts import apt, deb, firmware, kernel, modinfo, tables  # noqa: E402

SCRIPT = REPO / "scripts" / "gen_driver_facts.py"
PARM_PROSE = "Link speed in Mb/s, words the generator must drop"

K510 = "lib/modules/5.10.0-9-amd64/"
K70 = "usr/lib/modules/7.0.1+deb14-amd64/"
GBE = "kernel/drivers/net/ethernet/acme/acme-gbe.ko"


def a(dev: str) -> str:
    return f"alias=pci:v00001234d0000{dev}sv*sd*bc*sc*i*"


VIRTIO = ["alias=pci:v00001AF4d*sv*sd*bc*sc*i*", "parmtype=force_legacy:bool"]


def make_packages(folder: Path, use_dpkg: bool | None = None) -> Path:
    """The test archive: kernels 5.10 and 7.0, firmware of bullseye and sid."""
    b = lambda *a, **k: F.build_deb(folder, *a, **k, use_dpkg=use_dpkg)  # noqa: E731
    b("linux-image-5.10.0-9-amd64-unsigned", "5.10.200-1", "amd64", {
        K510 + GBE: F.elf_module([
            "name=acme_gbe", a("0001"), a("0002"), "parmtype=speed:uint", f"parm=speed:{PARM_PROSE}",
            "parmtype=debug:int", "firmware=acme/gbe-1.fw", "firmware=acme/gbe-*.bin", "license=GPL",
        ]),
        # a network-folder helper without PCI aliases: ignored, firmware and all
        K510 + "kernel/drivers/net/phy/acme-phy.ko": F.elf_module([
            "name=acme_phy", "alias=mdio:0000000111*", "parmtype=x:int", "firmware=acme/phy.fw",
        ]),
        # a PCI driver outside drivers/net: ignored
        K510 + "kernel/drivers/usb/acme-usb.ko": F.elf_module(["name=acme_usb", a("0009")]),
        K510 + "kernel/drivers/virtio/virtio_pci.ko": F.elf_module(["name=virtio_pci", *VIRTIO]),
        K510 + "modules.builtin": b"kernel/drivers/net/ethernet/acme/acme-old.ko\nkernel/drivers/tty/acme-tty.ko\n",
        K510 + "modules.builtin.modinfo": F.builtin_modinfo({
            "acme_old": [a("0003"), "firmware=acme/old.fw", "parmtype=mode:charp"],
            "acme_tty": [a("0008")],
        }),
    })
    b("linux-modules-7.0.1+deb14-amd64", "7.0.1-1", "amd64", {
        K70 + GBE + ".xz": lzma.compress(F.elf_module([
            "name=acme_gbe", a("0001"), a("0002"), a("0004"), "parmtype=speed:bool", "parmtype=debug:int",
            "firmware=acme/gbe-1.fw", "firmware=acme/gbe-2.fw", "firmware=acme/gbe-*.bin",
        ])),
    })
    b("linux-base-7.0.1+deb14-amd64", "7.0.1-1", "amd64", {
        K70 + "modules.builtin": b"kernel/drivers/virtio/virtio_pci.ko\n",
        K70 + "modules.builtin.modinfo": F.builtin_modinfo({"virtio_pci": VIRTIO}),
    })
    b("firmware-acme", "20200101-1", "all", {
        "lib/firmware/acme/gbe-1.fw": b"1",
        "lib/firmware/acme/gbe-a.bin": b"a",
        "lib/firmware/acme/gbe-b.bin": b"b",
        "lib/firmware/acme/sub/gbe-c.bin": b"c",  # '*' does not cross '/'
        "lib/firmware/acme/old.fw": b"o",
        "lib/firmware/acme/unrelated.fw": b"u",
    })
    b("firmware-acme", "20260101-1", "all", {
        "usr/lib/firmware/acme/gbe-1.fw": b"1",
        "usr/lib/firmware/acme/gbe-2.fw": "->gbe-2-real.fw",
        "usr/lib/firmware/acme/gbe-2-real.fw": b"2",
        "usr/lib/firmware/acme/gbe-a.bin": b"a",
        "usr/lib/firmware/acme/phy.fw": b"p",  # declared only by the ignored helper
    })
    b("firmware-other", "20260101-1", "all", {"usr/lib/firmware/other/x.bin": b"x"})
    inputs = folder / "inputs.toml"
    inputs.write_text("""schema = 1
[[inputs]]
kind = "kernel"
release = "bullseye"
file = "linux-image-5.10.0-9-amd64-unsigned_5.10.200-1_amd64.deb"
[[inputs]]
kind = "kernel"
release = "sid"
file = "linux-modules-7.0.1+deb14-amd64_7.0.1-1_amd64.deb"
[[inputs]]
kind = "kernel"
release = "sid"
file = "linux-base-7.0.1+deb14-amd64_7.0.1-1_amd64.deb"
[[inputs]]
kind = "firmware"
release = "bullseye"
file = "firmware-acme_20200101-1_all.deb"
[[inputs]]
kind = "firmware"
release = "sid"
file = "firmware-acme_20260101-1_all.deb"
[[inputs]]
kind = "firmware"
release = "sid"
file = "firmware-other_20260101-1_all.deb"
""")
    return inputs


EXPECTED = {
    "modules.tsv": """# module\tseries\tpath
acme_gbe\t5.10 7.0\tkernel/drivers/net/ethernet/acme/acme-gbe.ko
acme_old\t5.10\tkernel/drivers/net/ethernet/acme/acme-old.ko
virtio_pci\t5.10 7.0\tkernel/drivers/virtio/virtio_pci.ko
""",
    "aliases.tsv": """# alias\tmodule\tseries
pci:v00001234d00000001sv*sd*bc*sc*i*\tacme_gbe\t5.10 7.0
pci:v00001234d00000002sv*sd*bc*sc*i*\tacme_gbe\t5.10 7.0
pci:v00001234d00000003sv*sd*bc*sc*i*\tacme_old\t5.10
pci:v00001234d00000004sv*sd*bc*sc*i*\tacme_gbe\t7.0
pci:v00001AF4d*sv*sd*bc*sc*i*\tvirtio_pci\t5.10 7.0
""",
    "params.tsv": """# module\tparameter\ttype\tseries
acme_gbe\tdebug\tint\t5.10 7.0
acme_gbe\tspeed\tuint\t5.10
acme_gbe\tspeed\tbool\t7.0
acme_old\tmode\tcharp\t5.10
virtio_pci\tforce_legacy\tbool\t5.10 7.0
""",
    "firmware.tsv": """# module\tfirmware\tseries
acme_gbe\tacme/gbe-*.bin\t5.10 7.0
acme_gbe\tacme/gbe-1.fw\t5.10 7.0
acme_gbe\tacme/gbe-2.fw\t7.0
acme_old\tacme/old.fw\t5.10
""",
    "firmware-packages.tsv": """# file\trelease\tpackage\tversion\ttarget
acme/gbe-1.fw\tbullseye\tfirmware-acme\t20200101-1\t
acme/gbe-1.fw\tsid\tfirmware-acme\t20260101-1\t
acme/gbe-2-real.fw\tsid\tfirmware-acme\t20260101-1\t
acme/gbe-2.fw\tsid\tfirmware-acme\t20260101-1\tacme/gbe-2-real.fw
acme/gbe-a.bin\tbullseye\tfirmware-acme\t20200101-1\t
acme/gbe-a.bin\tsid\tfirmware-acme\t20260101-1\t
acme/gbe-b.bin\tbullseye\tfirmware-acme\t20200101-1\t
acme/old.fw\tbullseye\tfirmware-acme\t20200101-1\t
""",
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("debs")
    return folder, make_packages(folder)


def generate(archive, out: Path, *extra: str) -> int:
    folder, inputs = archive
    return G.main(["--packages", str(folder), "--inputs", str(inputs), "-o", str(out), *extra])


def read_all(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_tables_are_exactly_the_modules_facts(archive, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert generate(archive, tmp_path / "out") == 0
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'out'} (5.10: 3 modules, 7.0: 2 modules; 6 packages)")
    for name, text in EXPECTED.items():
        assert (tmp_path / "out" / name).read_text() == text, name
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*EXPECTED, "PROVENANCE.toml"])


def test_provenance_lists_inputs_rules_and_date(archive, tmp_path, monkeypatch):
    import tomllib

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert generate(archive, tmp_path / "out") == 0
    doc = tomllib.loads((tmp_path / "out" / "PROVENANCE.toml").read_text())
    assert doc["schema"] == 1
    assert doc["generated"] == "2023-11-14"
    assert doc["series"] == ["5.10", "7.0"]
    assert doc["releases"] == ["bullseye", "sid"]
    assert doc["command"] == "python scripts/gen_driver_facts.py"
    assert set(doc["rules"]) >= {"modules", "aliases", "params", "firmware", "firmware_files", "date", "kernels"}
    folder = archive[0]
    got = [(i["kind"], i.get("series"), i["release"], i["package"], i["version"], i["sha256"], i.get("matched"))
           for i in doc["inputs"]]
    sha = {p.name: deb.sha256_file(p) for p in folder.glob("*.deb")}
    assert got == [
        ("kernel", "5.10", "bullseye", "linux-image-5.10.0-9-amd64-unsigned", "5.10.200-1",
         sha["linux-image-5.10.0-9-amd64-unsigned_5.10.200-1_amd64.deb"], None),
        ("kernel", "7.0", "sid", "linux-base-7.0.1+deb14-amd64", "7.0.1-1",
         sha["linux-base-7.0.1+deb14-amd64_7.0.1-1_amd64.deb"], None),
        ("kernel", "7.0", "sid", "linux-modules-7.0.1+deb14-amd64", "7.0.1-1",
         sha["linux-modules-7.0.1+deb14-amd64_7.0.1-1_amd64.deb"], None),
        ("firmware", None, "bullseye", "firmware-acme", "20200101-1", sha["firmware-acme_20200101-1_all.deb"], 4),
        ("firmware", None, "sid", "firmware-acme", "20260101-1", sha["firmware-acme_20260101-1_all.deb"], 4),
        ("firmware", None, "sid", "firmware-other", "20260101-1", sha["firmware-other_20260101-1_all.deb"], 0),
    ]
    assert doc["counts"]["series"]["5.10"] == {"modules": 3, "aliases": 4, "params": 4, "firmware_names": 3}
    assert doc["counts"]["release"] == {"bullseye": {"files": 4}, "sid": {"files": 4}}


def test_no_parameter_description_and_no_ignored_module_anywhere(archive, tmp_path):
    assert generate(archive, tmp_path / "out") == 0
    text = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    assert PARM_PROSE not in text
    for ignored in ("acme_phy", "acme_usb", "acme_tty", "acme/phy.fw", "mdio:", "d00000009", "d00000008"):
        assert ignored not in text


def test_rerun_is_byte_identical_and_keeps_the_date(archive, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert generate(archive, out) == 0
    first = read_all(out)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # a later day: same inputs keep the old date
    assert generate(archive, out) == 0
    assert read_all(out) == first
    # and the offline mode's default input list is the PROVENANCE.toml just written
    assert G.main(["--packages", str(archive[0]), "-o", str(out)]) == 0
    assert read_all(out) == first


def test_new_inputs_take_a_new_date(archive, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert generate(archive, out) == 0
    folder, inputs = archive
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(inputs.read_text().rsplit("[[inputs]]", 1)[0])  # without firmware-other
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert G.main(["--packages", str(folder), "--inputs", str(fewer), "-o", str(out)]) == 0
    assert 'generated = "2027-01-15"' in (out / "PROVENANCE.toml").read_text()
    assert (out / "firmware-packages.tsv").read_text() == EXPECTED["firmware-packages.tsv"]


def test_offline_mode_never_runs_apt(archive, tmp_path):
    """--packages as a user runs it, with an apt-get first on PATH that leaves a mark."""
    fake = tmp_path / "bin"
    fake.mkdir()
    mark = tmp_path / "apt-was-run"
    (fake / "apt-get").write_text(f"#!/bin/sh\ntouch {mark}\nexit 1\n")
    (fake / "apt-get").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ.get('PATH', '')}"}
    folder, inputs = archive
    r = subprocess.run([sys.executable, str(SCRIPT), "--packages", str(folder), "--inputs", str(inputs),
                        "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert not mark.exists()
    assert r.stdout.startswith("wrote ")
    assert (tmp_path / "out" / "aliases.tsv").read_text() == EXPECTED["aliases.tsv"]


def test_folder_without_debs_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as e:
        G.main(["--packages", str(tmp_path / "empty"), "-o", str(tmp_path / "out")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err == f"gen_driver_facts: --packages {tmp_path / 'empty'}: no .deb files there\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--packages", "{tmp}/nope"], "not a directory"),
    (["--inputs", "{tmp}/x.toml"], "--inputs goes with --packages"),
    (["--packages", "{debs}", "-o", "{tmp}/fresh"], "PROVENANCE.toml: no such file"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_arguments_are_one_line_errors(archive, tmp_path, capsys, argv, message):
    argv = [x.format(tmp=tmp_path, debs=archive[0]) for x in argv]
    with pytest.raises(SystemExit) as e:
        G.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gen_driver_facts: ") and message in err, err


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("firmware-other_20260101-1_all.deb", "firmware-gone_1_all.deb"),
     "firmware-gone_1_all.deb is missing"),
    (lambda t: t.replace('file = "firmware-other_20260101-1_all.deb"',
                         'file = "firmware-other_20260101-1_all.deb"\nsha256 = "' + "0" * 64 + '"'),
     "differs from the inputs'"),
    (lambda t: t.replace("schema = 1", "schema = 2"), "schema must be 1"),
    (lambda t: t.replace('kind = "firmware"', 'kind = "bios"', 1), "kind must be kernel or firmware"),
    (lambda t: t + "[[inputs]]\nkind = 'kernel'\nrelease = 'sid'\nfile = 'x.deb'\ncolour = 'red'\n",
     "unknown key 'colour'"),
    (lambda t: t.replace("[[inputs]]", "[[inputs", 1), "not TOML"),
])
def test_bad_input_lists_are_one_line_errors(archive, tmp_path, capsys, edit, message):
    folder, inputs = archive
    bad = tmp_path / "inputs.toml"
    bad.write_text(edit(inputs.read_text()))
    assert G.main(["--packages", str(folder), "--inputs", str(bad), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gen_driver_facts: ") and message in err, err


def test_help_explains_both_modes(capsys):
    with pytest.raises(SystemExit) as e:
        G.main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--packages DIR" in out and "Downloads:" in out and "Offline (no apt at all)" in out


# --------------------------------------------------------------------------- the parts


def test_python_reader_equals_dpkg_deb(tmp_path):
    """The same package read with dpkg-deb and with the Python ar/tar reader."""
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed")
    make_packages(tmp_path / "dpkg", use_dpkg=True)
    make_packages(tmp_path / "py", use_dpkg=False)
    for folder in ("dpkg", "py"):
        for use in (True, False):
            k = kernel.read_series([tmp_path / folder / "linux-image-5.10.0-9-amd64-unsigned_5.10.200-1_amd64.deb"],
                                   use_dpkg=use)
            assert sorted(k.modules) == ["acme_gbe", "acme_old", "virtio_pci"]
            assert k.release == "5.10.0-9-amd64" and k.read == 6  # 4 files + 2 built-ins
            fw = firmware.read_files(tmp_path / folder / "firmware-acme_20260101-1_all.deb", use_dpkg=use)
            assert fw["acme/gbe-2.fw"] == "acme/gbe-2-real.fw" and fw["acme/gbe-1.fw"] is None
            fields = deb.control_fields(tmp_path / folder / "firmware-acme_20260101-1_all.deb", use_dpkg=use)
            assert (fields["Package"], fields["Version"]) == ("firmware-acme", "20260101-1")


def test_ko_zst_modules_are_read(tmp_path):
    if shutil.which("zstd") is None:
        pytest.skip("zstd is not installed")
    elf = F.elf_module(["name=acme_wifi", a("00aa"), "firmware=acme/wifi.bin"])
    zst = subprocess.run(["zstd", "-q", "-c"], input=elf, capture_output=True, check=True).stdout
    d = F.build_deb(tmp_path, "linux-modules-7.1+deb14-amd64", "7.1-1", "amd64", {
        "usr/lib/modules/7.1/kernel/drivers/net/wireless/acme/acme-wifi.ko.zst": zst,
    })
    k = kernel.read_series([d])
    assert k.modules["acme_wifi"].path == "kernel/drivers/net/wireless/acme/acme-wifi.ko"
    assert k.modules["acme_wifi"].firmware == {"acme/wifi.bin"}


def test_a_module_without_pci_aliases_is_ignored(tmp_path):
    d = F.build_deb(tmp_path, "linux-image-6.1.0-1-amd64-unsigned", "6.1.1-1", "amd64", {
        "lib/modules/6.1.0-1-amd64/kernel/drivers/net/mii.ko": F.elf_module(["name=mii", "parmtype=x:int"]),
        "lib/modules/6.1.0-1-amd64/kernel/drivers/net/acme.ko": F.elf_module(["name=acme", a("0001")]),
    })
    k = kernel.read_series([d])
    assert list(k.modules) == ["acme"] and k.read == 2


def test_broken_elf_is_an_error_naming_the_module(tmp_path):
    d = F.build_deb(tmp_path, "linux-image-6.1.0-1-amd64-unsigned", "6.1.1-1", "amd64", {
        "lib/modules/6.1.0-1-amd64/kernel/drivers/net/bad.ko": b"\x7fELF\x02\x01 not really",
    })
    with pytest.raises(kernel.KernelError, match="kernel/drivers/net/bad.ko"):
        kernel.read_series([d])


def test_elf_section_reader_rejects_non_elf():
    with pytest.raises(modinfo.ElfError):
        modinfo.modinfo_section(b"MZ" + b"\0" * 100)
    assert modinfo.records(b"a=1\0\0\0b=2\0junk\0") == [("a", "1"), ("b", "2")]


def test_glob_does_not_cross_slashes_and_links_resolve_to_the_end():
    assert firmware.glob_match("acme/gbe-a.bin", "acme/gbe-*.bin")
    assert not firmware.glob_match("acme/sub/gbe-c.bin", "acme/gbe-*.bin")
    assert firmware.declared_match("acme/x.fw.zst", {"acme/x.fw"}, [])
    s = firmware.Shipped
    files = {"a": s("p", "1", "b"), "b": s("p", "1", "c"), "c": s("p", "1", None), "loop": s("p", "1", "loop")}
    assert firmware.final_target("a", files) == "c"
    assert firmware.final_target("c", files) is None
    assert firmware.final_target("loop", files) == "loop"


def test_series_cells_sort_by_version():
    assert tables.series_cell(["6.12", "5.10", "6.1", "7.0", "6.1"]) == "5.10 6.1 6.12 7.0"
    with pytest.raises(ValueError, match="tab"):
        tables.render("modules.tsv", [("a\tb", "5.10", "p")])


# --------------------------------------------------------------------------- choosing packages


def _pkg(name, version, release, suite=None, component="main", source="linux"):
    return apt.Pkg(name=name, version=version, release=release, suite=suite or release, component=component,
                   source=source, arch="amd64", sha256="")


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg compares the versions")
def test_kernel_choice_per_series():
    pkgs = [
        _pkg("linux-image-5.10.0-30-amd64-unsigned", "5.10.218-1", "bullseye"),
        _pkg("linux-image-5.10.0-32-amd64-unsigned", "5.10.223-1", "bullseye", "bullseye-security"),
        _pkg("linux-image-5.10.0-32-amd64", "5.10.223-1", "bullseye", source="linux-signed-amd64"),
        _pkg("linux-image-5.10.0-32-cloud-amd64-unsigned", "5.10.223-1", "bullseye"),
        _pkg("linux-image-6.1.0-50-amd64-unsigned", "6.1.176-1", "bookworm"),
        _pkg("linux-image-6.12.117+deb13-amd64-unsigned", "6.12.117-1", "trixie"),
        _pkg("linux-image-6.12.117+deb13-amd64-unsigned", "6.12.117-1", "sid"),  # old series in sid: not newest
        _pkg("linux-image-7.2.13+deb14-amd64", "7.2.13-1", "sid", source="linux-signed-amd64"),
        _pkg("linux-modules-7.2.13+deb14-amd64", "7.2.13-1", "sid"),
        _pkg("linux-base-7.2.13+deb14-amd64", "7.2.13-1", "sid"),
        _pkg("linux-modules-7.3-amd64", "7.3~rc7-1~exp1", "experimental"),  # a release candidate
        _pkg("linux-base-7.3-amd64", "7.3~rc7-1~exp1", "experimental"),
    ]
    got = {s: (r, [p.name for p in ps]) for s, (r, ps) in apt.choose_kernels(pkgs).items()}
    assert got == {
        "5.10": ("bullseye", ["linux-image-5.10.0-32-amd64-unsigned"]),
        "6.1": ("bookworm", ["linux-image-6.1.0-50-amd64-unsigned"]),
        "6.12": ("trixie", ["linux-image-6.12.117+deb13-amd64-unsigned"]),
        "7.2": ("sid", ["linux-modules-7.2.13+deb14-amd64", "linux-base-7.2.13+deb14-amd64"]),
    }


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg compares the versions")
def test_firmware_candidates_are_firmware_nonfree_of_the_firmware_component():
    pkgs = [
        _pkg("firmware-realtek", "20230210-5", "bookworm", component="non-free-firmware", source="firmware-nonfree"),
        _pkg("firmware-realtek", "20230210-6", "bookworm", "bookworm-security", "non-free-firmware",
             "firmware-nonfree"),
        _pkg("firmware-realtek", "20210315-3", "bullseye", component="non-free", source="firmware-nonfree"),
        _pkg("firmware-sof-signed", "2.2.4-1", "bookworm", component="non-free-firmware", source="firmware-sof"),
        _pkg("firmware-linux-free", "20200122-1", "bookworm", source="firmware-free"),
        _pkg("firmware-realtek", "20260916-1", "experimental", component="non-free-firmware",
             source="firmware-nonfree"),
    ]
    got = [(p.release, p.name, p.version) for p in apt.choose_firmware(pkgs, ["bullseye", "bookworm", "sid"])]
    assert got == [("bookworm", "firmware-realtek", "20230210-6"), ("bullseye", "firmware-realtek", "20210315-3")]


def test_a_corrupt_deb_is_a_one_line_error(archive, tmp_path, capsys):
    folder, inputs = archive
    bad = tmp_path / "debs"
    shutil.copytree(folder, bad)
    (bad / "firmware-other_20260101-1_all.deb").write_bytes(b"!<arch>\nnot really")
    assert G.main(["--packages", str(bad), "--inputs", str(inputs), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "firmware-other_20260101-1_all.deb" in err, err

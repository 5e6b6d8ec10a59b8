"""nicdb export: modprobe.d files, udev rules and hwdb files, each checked by the real tool
that reads it -- kmod's ``modprobe --showconfig -C DIR``, ``systemd-hwdb --root DIR
update``/``query`` and ``udevadm test`` on this machine's own network card (in a private
mount namespace, so the system's rules, hwdb and /run stay untouched)."""

from __future__ import annotations

import fnmatch
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from test_fleet_fast import host_text


def tool(name: str) -> str:
    """A system tool the tests need; .ci/run installs it (kmod, udev)."""
    for d in ("/usr/sbin", "/sbin", "/usr/bin", "/bin"):
        if os.access(f"{d}/{name}", os.X_OK):
            return f"{d}/{name}"
    path = shutil.which(name)
    assert path, f"{name} is not installed (.ci/run installs kmod and udev)"
    return path


def config_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def prose(text: str) -> str:
    """The comments of a file as one line of words (they are wrapped at 88 columns)."""
    return " ".join(" ".join(ln.lstrip("#").split()) for ln in text.splitlines() if ln.startswith("#"))


def showconfig(tmp_path: Path, text: str) -> list[str]:
    """What kmod makes of a modprobe.d folder holding ``text`` as nicdb.conf."""
    conf = tmp_path / "modprobe.d"
    conf.mkdir(exist_ok=True)
    (conf / "nicdb.conf").write_text(text)
    p = subprocess.run([tool("modprobe"), "--showconfig", "-C", str(conf)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert "nicdb.conf" not in p.stderr, p.stderr  # kmod says which lines of a file it could not parse
    return [" ".join(ln.split()) for ln in p.stdout.splitlines()]


def assert_kmod_reads(tmp_path: Path, text: str) -> list[str]:
    """Every line nicdb wrote is in what kmod read; returns nicdb's lines."""
    mine = config_lines(text)
    seen = showconfig(tmp_path, text)
    for line in mine:
        assert " ".join(line.split()) in seen, f"kmod did not read {line!r}"
    return mine


# ------------------------------------------------------------------ modprobe


def test_vendor_driver_choice_blacklists_the_in_tree_driver(run, shared_datadir, tmp_path):
    board = str(shared_datadir / "sysfs" / "vt6122-board")
    r = run("export", "modprobe", "--sysfs", board, "--kernel", "2.6.26")
    assert r.code == 0, r.err
    assert assert_kmod_reads(tmp_path, r.out) == ["blacklist via_velocity"]
    words = prose(r.out)
    assert "use velocityget" in words and "int_works" in words  # why
    assert "install it first" in words  # velocityget is out of tree
    assert "if you use via-velocity instead, it wants: options via_velocity DMA_length=6" in words


def test_current_kernel_needs_nothing(run, shared_datadir, tmp_path):
    r = run("export", "modprobe", "--sysfs", str(shared_datadir / "sysfs" / "vt6122-board"), "--kernel", "6.1")
    assert r.code == 0, r.err
    assert assert_kmod_reads(tmp_path, r.out) == []  # DMA_length 6 is the default there: never set a default
    assert "use via-velocity" in prose(r.out) and "nothing to choose" in prose(r.out)


def test_refusing_driver_needs_no_line(run, shared_datadir, tmp_path):
    r = run("export", "modprobe", "--from", str(shared_datadir / "lspci" / "rtl8139cplus-nnk.txt"))
    assert r.code == 0, r.err
    assert assert_kmod_reads(tmp_path, r.out) == []
    assert "8139too refuses this NIC by itself" in prose(r.out)


@pytest.fixture
def velocityget_hangs(run, tmp_path, monkeypatch):
    """Local knowledge: velocityget hangs on every kernel -- so via-velocity is recommended
    even on 2.6.30, where its DMA_length default is still 0."""
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    r = run("db", "add", "issue", "velocityget", "--id", "hangs-here", "--title", "hangs on this board",
            "--severity", "critical", "--affected", "*")
    assert r.code == 0, r.err


def test_options_only_where_the_value_differs_from_the_default(run, shared_datadir, tmp_path, velocityget_hangs):
    board = str(shared_datadir / "sysfs" / "vt6122-board")
    r = run("export", "modprobe", "--sysfs", board, "--kernel", "2.6.30")
    assert r.code == 0, r.err
    assert assert_kmod_reads(tmp_path, r.out) == ["options via_velocity DMA_length=6"]
    comments = prose(r.out.split("options via_velocity")[0])
    assert "6 instead of the default (0) on kernel 2.6.30" in comments
    assert "evidence: seed-001-vt6122-nuttcp" in comments and "confidence: measured" in comments
    assert "6 means: store and forward" in comments
    # from 2.6.33 on 6 is the default: nothing to write
    r = run("export", "modprobe", "--sysfs", board, "--kernel", "2.6.33")
    assert config_lines(r.out) == []


def test_an_array_parameter_gets_a_value_per_card(run, tmp_path, velocityget_hangs):
    """A VT6122 (wants 6) before a VT6130 (keeps the default, 0 on 2.6.30): one value per
    card in slot order; the other way round, the trailing default is left out."""
    host = tmp_path / "two-cards.txt"
    host.write_text(host_text(via_rev="11") + "\n" + host_text(
        via_rev="82", slots=("0000:01:00.0", "0000:01:01.0", "0000:01:02.0", "0000:01:03.0", "0000:01:04.0",
                             "0000:01:05.0", "0000:01:06.0")))
    r = run("export", "modprobe", "--from", str(host), "--kernel", "2.6.30")
    assert r.code == 0, r.err
    assert "options via_velocity DMA_length=6,0" in assert_kmod_reads(tmp_path, r.out)
    assert "0000:00:01.0=6, 0000:01:01.0=0" in prose(r.out)
    host.write_text(host_text(via_rev="82") + "\n" + host_text(
        via_rev="11", slots=("0000:01:00.0", "0000:01:01.0", "0000:01:02.0", "0000:01:03.0", "0000:01:04.0",
                             "0000:01:05.0", "0000:01:06.0")))
    r = run("export", "modprobe", "--from", str(host), "--kernel", "2.6.30")
    assert "options via_velocity DMA_length=0,6" in assert_kmod_reads(tmp_path, r.out)


def _report(kb, slot: str, rev: int, modules: list[str], driver: str, kernel: str):
    from nicdb.model import PciDevice
    from nicdb.report import Identifier

    dev = PciDevice(slot=slot, vendor=0x1106, device=0x3119, revision=rev, class_code=0x020000, driver=driver)
    return Identifier(kb, kernel=kernel).report(dev, modules, "test table")


def test_softdep_when_another_card_needs_the_other_driver(kb, tmp_path):
    """Card A is recommended velocityget; card B (by a local decision) via-velocity. If
    velocityget does not drive B, via_velocity cannot be blacklisted, but velocityget can
    be loaded before it; if velocityget would take B too, modprobe.d cannot choose."""
    from nicdb.render.export_modprobe import modprobe_conf
    from nicdb.report import Document

    def card_b(drives_b: bool):
        b = _report(kb, "0000:00:0b.0", 0x82, ["via_velocity"], "via-velocity", "2.6.26")
        b.drivers.recommended = "via-velocity"
        if not drives_b:
            b.drivers.options = [o for o in b.drivers.options if o.name != "velocityget"]
        return b

    a = _report(kb, "0000:00:0a.0", 0x11, ["via_velocity"], "via-velocity", "2.6.26")
    assert a.drivers.recommended == "velocityget"
    text = modprobe_conf(Document("test", "h", "2.6.26", [a, card_b(drives_b=False)]))
    assert assert_kmod_reads(tmp_path, text) == ["softdep via_velocity pre: velocityget"]
    assert "leaves 0000:00:0b.0 to via_velocity" in prose(text)
    text = modprobe_conf(Document("test", "h", "2.6.26", [a, card_b(drives_b=True)]))
    assert config_lines(text) == [] and "driver_override" in prose(text)


def test_fleet_writes_one_file_per_host(run, tmp_path, shared_datadir):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "old.txt").write_text(host_text(via_rev="11"))
    (fleet / "new.txt").write_text(host_text(via_rev="82"))
    out = tmp_path / "modprobe.d"
    r = run("export", "modprobe", "--from", str(fleet), "--kernel", "2.6.26", "-o", str(out))
    assert r.code == 0, r.err
    assert sorted(p.name for p in out.iterdir()) == ["new.conf", "old.conf"]
    for f in out.iterdir():
        text = f.read_text()
        assert f"network cards of {f.stem} " in prose(text)
        # velocityget for the VT6122; 8139cp for the RTL8139C+ (8139too does not refuse it before 2.6.28)
        assert assert_kmod_reads(tmp_path, text) == ["blacklist via_velocity", "blacklist 8139too"]
    # to standard output: every host, one after the other
    r = run("export", "modprobe", "--from", str(fleet), "--kernel", "2.6.26")
    assert r.code == 0 and r.out.index("# ==> new <==") < r.out.index("# ==> old <==")


# ------------------------------------------------------------------ bad input


def test_an_existing_file_is_kept_without_force(run, shared_datadir, tmp_path):
    (tmp_path / "etc").mkdir()
    target = tmp_path / "etc" / "nicdb.conf"
    target.write_text("mine\n")
    args = ("export", "modprobe", "--sysfs", str(shared_datadir / "sysfs" / "vt6122-board"), "--kernel", "2.6.26",
            "-o", str(target))
    r = run(*args)
    assert r.code == 2 and r.out == ""
    assert r.err == f"nicdb: error: {target}: exists (give --force to replace it)\n"
    assert target.read_text() == "mine\n" and os.listdir(tmp_path / "etc") == ["nicdb.conf"]
    r = run(*args, "--force")
    assert r.code == 0 and "blacklist via_velocity" in target.read_text()
    assert os.listdir(tmp_path / "etc") == ["nicdb.conf"]  # no temporary file left


def test_a_wrong_suffix_is_warned_about(run, tmp_path):
    r = run("export", "udev", "-o", str(tmp_path / "nicdb.txt"))
    assert r.code == 0 and "udev reads only *.rules files" in r.err


def test_fleet_with_an_unreadable_host_writes_nothing(run, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "a.txt").write_text(host_text())
    (fleet / "b.txt").write_text("garbage\n")
    (fleet / "c.txt").write_text(host_text())
    out = tmp_path / "out"
    r = run("export", "modprobe", "--from", str(fleet), "-o", str(out))
    assert r.code == 2 and r.out == "" and len(r.err.splitlines()) == 1
    assert "b.txt" in r.err and r.err.rstrip().endswith("nothing was written")
    assert not out.exists()
    out.mkdir()
    r = run("export", "udev", "--from", str(fleet), "-o", str(out))
    assert r.code == 2 and os.listdir(out) == []  # no staging folder left either
    r = run("export", "hwdb", "--from", str(fleet))
    assert r.code == 2 and r.out == ""  # standard output: all or nothing too


def test_fleet_target_that_exists_is_refused_before_any_work(run, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    (fleet / "a.txt").write_text(host_text())
    (fleet / "b.txt").write_text(host_text())
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.rules").write_text("keep\n")
    r = run("export", "udev", "--from", str(fleet), "-o", str(out))
    assert r.code == 2 and r.err == f"nicdb: error: {out / 'b.rules'}: exists (give --force to replace it)\n"
    assert sorted(os.listdir(out)) == ["b.rules"] and (out / "b.rules").read_text() == "keep\n"
    r = run("export", "udev", "--from", str(fleet), "-o", str(out / "b.rules"))
    assert r.code == 2 and "is a file" in r.err
    r = run("export", "udev", "--from", str(fleet), "-o", str(out), "--force")
    assert r.code == 0 and sorted(os.listdir(out)) == ["a.rules", "b.rules"]
    assert 'ATTR{vendor}=="0x1106"' in (out / "b.rules").read_text()


# ------------------------------------------------------------------ udev


def test_revision_globs_match_exactly_the_range():
    from nicdb.render.export_udev import rev_globs

    rnd = random.Random(15)
    pairs = [(0, 0), (0, 255), (255, 255), (0x10, 0x1f), (0x20, 0x7f), (0x80, 0xff), (0x0f, 0x10), (0x05, 0xfa)]
    pairs += [tuple(sorted((rnd.randrange(256), rnd.randrange(256)))) for _ in range(400)]
    for lo, hi in pairs:
        globs = rev_globs(lo, hi)
        got = {r for r in range(256) if any(fnmatch.fnmatchcase(f"0x{r:02x}", g) for g in globs)}
        assert got == set(range(lo, hi + 1)), (lo, hi, globs)


def test_udev_rules_for_every_chip_row(run, kb):
    r = run("export", "udev")
    assert r.code == 0, r.err
    rules = [ln for ln in config_lines(r.out) if "ID_NICDB_CHIP" in ln]
    rows = [c for v, d in kb.chip_ids() for c in kb.chips(v, d, any_subsystem=True)]
    assert len(rules) == len(rows) > 100
    via = [ln for ln in rules if 'ATTR{device}=="0x3119"' in ln]
    assert [ln.split('ID_NICDB_CHIP}="')[1].split('"')[0] for ln in via] == ["VT3119", "VT3216", "VT3284", "VT3286"]
    assert 'ATTR{revision}=="0x1[0-9a-f]"' in via[1]
    assert r.out.rstrip().endswith('LABEL="nicdb_end"')


def test_udev_rules_of_a_scope_cover_every_revision_of_its_ids(run, shared_datadir):
    r = run("export", "udev", "--sysfs", str(shared_datadir / "sysfs" / "vt6122-board"))
    rules = [ln for ln in config_lines(r.out) if "ID_NICDB_CHIP" in ln]
    assert len(rules) == 4 and all('ATTR{vendor}=="0x1106"' in ln for ln in rules)


def test_udev_values_are_taken_literally():
    from nicdb.render.export_udev import udev_value

    assert udev_value('a"b\\c%d$e\nf') == "a_b_c%%d$$e_f"


def _pci_nic() -> Path | None:
    """This machine's first PCI network function in sysfs."""
    base = Path("/sys/bus/pci/devices")
    for dev in sorted(base.iterdir()) if base.is_dir() else []:
        try:
            if (dev / "class").read_text().startswith("0x02"):
                return dev
        except OSError:
            continue
    return None


def _udevadm_test_in_private_namespace(tmp_path: Path, dev: Path, etc_udev: Path) -> str:
    """``udevadm test`` on ``dev`` with ``etc_udev`` as /etc/udev, no other rules, and a
    private /run -- in a mount namespace of its own, so nothing of the system changes."""
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    script = (f"mount -t tmpfs nicdb-test /run && mount --bind {empty} /usr/lib/udev/rules.d && "
              f"mount --bind {etc_udev} /etc/udev && exec {tool('udevadm')} test {dev}")
    if os.path.isdir("/etc/systemd/hwdb"):
        script = f"mount --bind {empty} /etc/systemd/hwdb && " + script
    p = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0 and ("unshare failed" in p.stderr or "Operation not permitted" in p.stderr):
        pytest.skip(f"the kernel refuses a private mount namespace here: {p.stderr.strip()[:200]}")
    assert p.returncode == 0, p.stderr
    return p.stdout + p.stderr


@pytest.fixture
def this_nic(run, tmp_path, monkeypatch):
    """This machine's network card, with local chip rows that split its ID by revision
    around the card's own revision: (sysfs path, the chip the card must be named)."""
    dev = _pci_nic()
    if dev is None:
        pytest.skip("this machine has no PCI network function in /sys to test the rules on")
    vendor, device = (int((dev / a).read_text(), 16) for a in ("vendor", "device"))
    rev = int((dev / "revision").read_text(), 16)
    monkeypatch.setenv("NICDB_OVERLAY", str(tmp_path / "overlay"))
    ranges = [(0, rev - 1, "BELOW"), (rev, rev, "THIS-ONE"), (rev + 1, 255, "ABOVE")]
    for lo, hi, name in ranges:
        if lo <= hi:
            r = run("db", "add", "chip", f"{vendor:04x}:{device:04x}", "--revs", f"{lo:02x}-{hi:02x}", "--chip", name)
            assert r.code == 0, r.err
    return dev, "THIS-ONE", f"local-{vendor:04x}{device:04x}"


def test_udev_names_this_machines_card_by_its_revision(run, tmp_path, this_nic):
    dev, chip, family = this_nic
    etc = tmp_path / "etc-udev"
    (etc / "rules.d").mkdir(parents=True)
    r = run("export", "udev", "-o", str(etc / "rules.d" / "70-nicdb.rules"))  # every row, ours among them
    assert r.code == 0, r.err
    out = _udevadm_test_in_private_namespace(tmp_path, dev, etc)
    assert "Reading rules file: /etc/udev/rules.d/70-nicdb.rules" in out
    assert not [ln for ln in out.splitlines() if ln.startswith("/etc/udev/rules.d/70-nicdb.rules:")], out  # no errors
    props = dict(ln.split("=", 1) for ln in out.splitlines() if ln.startswith("ID_NICDB_"))
    assert props == {"ID_NICDB_CHIP": chip, "ID_NICDB_FAMILY": family, "ID_NICDB_CONFIDENCE": "local"}


# ------------------------------------------------------------------ hwdb


def _hwdb_root(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "root"
    (root / "etc" / "udev" / "hwdb.d").mkdir(parents=True)
    (root / "etc" / "udev" / "hwdb.d" / "70-nicdb.hwdb").write_text(text)
    p = subprocess.run([tool("systemd-hwdb"), "--strict", "--root", str(root), "update"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return root


def _query(root: Path, modalias: str) -> dict:
    p = subprocess.run([tool("systemd-hwdb"), "--root", str(root), "query", modalias], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return dict(ln.split("=", 1) for ln in p.stdout.splitlines() if "=" in ln)


def test_hwdb_compiles_and_answers(run, tmp_path, kb):
    r = run("export", "hwdb")
    assert r.code == 0, r.err
    root = _hwdb_root(tmp_path, r.out)
    # one ID, four chips by revision: the family, and the split for the udev rules
    via = _query(root, "pci:v00001106d00003119sv00001106sd00000110bc02sc00i00")
    assert via == {"ID_NICDB_FAMILY": "via-velocity",
                   "ID_NICDB_REVISIONS": "00-0f VT3119, 10-1f VT3216, 20-7f VT3284, 80-ff VT3286"}
    # an ID with one chip for every revision: the chip too
    whole = [rows for rows in (kb.chips(v, d, any_subsystem=True) for v, d in kb.chip_ids())
             if len(rows) == 1 and (rows[0]["rev_lo"], rows[0]["rev_hi"]) == (0, 255)]
    assert len(whole) > 10
    for (c,) in whole:
        got = _query(root, f"pci:v{c['vendor']:08X}d{c['device']:08X}sv00000000sd00000000bc02sc00i00")
        assert got == {"ID_NICDB_FAMILY": c["family"], "ID_NICDB_CHIP": c["chip"],
                       "ID_NICDB_CONFIDENCE": c["confidence"]}
    assert _query(root, "pci:v0000FFFFd0000FFFFsv00000000sd00000000bc02sc00i00") == {}


def test_hwdb_reaches_this_machines_card_through_udev(run, tmp_path, this_nic, monkeypatch):
    """The exported file, compiled by systemd-hwdb, put on the card by udev's own
    50-udev-default.rules (IMPORT{builtin}="hwdb --subsystem=$env{SUBSYSTEM}")."""
    dev, _, family = this_nic
    r = run("export", "hwdb", "--this-machine")
    assert r.code == 0, r.err
    root = _hwdb_root(tmp_path, r.out)
    etc = root / "etc" / "udev"
    (etc / "rules.d").mkdir()
    shutil.copy("/usr/lib/udev/rules.d/50-udev-default.rules", etc / "rules.d")
    out = _udevadm_test_in_private_namespace(tmp_path, dev, etc)
    props = dict(ln.split("=", 1) for ln in out.splitlines() if ln.startswith("ID_NICDB_"))
    assert props["ID_NICDB_FAMILY"] == family
    assert "ID_NICDB_CHIP" not in props  # split by revision: the chip is the rules' job
    assert props["ID_NICDB_REVISIONS"].count(",") >= 1

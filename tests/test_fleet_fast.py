"""The fleet's fast path gives exactly what the general path gives.

``identify --from DIR`` without ``--all`` reads clean ``lspci -vmmnn[k]`` texts without
building their non-NIC records (nicdb.inputs.lspci_text.vmm_nn_nics) and writes each
host's JSON line with the text of repeated NICs reused (nicdb.render.json_out.FleetLines).
Anything odd must go the general way, with the same errors.
"""

from __future__ import annotations

import json
import shutil

import pytest

from nicdb.errors import InputError
from nicdb.inputs import read_path
from nicdb.inputs.lspci_text import parse_lspci_text, vmm_nn_nics
from nicdb.model import may_be_nic
from nicdb.report import Document


def read_file(path, nics_only=False):
    return read_path(str(path), nics_only).devices


def record(slot, cls, vendor, device, rev="00", driver=None, modules=(), sub=True, extra_before_rev=()):
    lines = [f"Slot:\t{slot}", f"Class:\t{cls}", f"Vendor:\t{vendor}", f"Device:\t{device}"]
    if sub:
        lines += [f"SVendor:\t{vendor}", "SDevice:\tDevice [0001]"]
    lines += list(extra_before_rev)
    if rev is not None:
        lines.append(f"Rev:\t{rev}")
    if driver:
        lines.append(f"Driver:\t{driver}")
    lines += [f"Module:\t{m}" for m in modules]
    return "\n".join(lines) + "\n"


BRIDGE = ("PCI bridge [0604]", "Intel Corporation [8086]", "100 Series/C230 Series PCI Express Root Port [a110]")
SATA = ("SATA controller [0106]", "Intel Corporation [8086]", "Q170/Q150/B150/H170/H110/Z170/CM236 SATA [a102]")
VIA = ("Ethernet controller [0200]", "VIA Technologies, Inc. [1106]",
       "VT6120/VT6121/VT6122 Gigabit Ethernet Adapter [3119]")
RTL = ("Ethernet controller [0200]", "Realtek Semiconductor Co., Ltd. [10ec]",
       "RTL-8100/8101L/8139 PCI Fast Ethernet Adapter [8139]")
E100 = ("Ethernet controller [0200]", "Intel Corporation [8086]", "82557/8/9/0/1 Ethernet Pro 100 [1229]")
WIFI = ("Network controller [0280]", "Intel Corporation [8086]", "Wireless 8265 / 8275 [24fd]")


def host_text(slots=("0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:04.0",
                     "0000:00:05.0", "0000:00:06.0"), via_rev="11", garble=None) -> str:
    recs = [
        record(slots[0], *BRIDGE, rev="f1", driver="pcieport"),
        record(slots[1], *VIA, rev=via_rev, driver="via-velocity", modules=["via_velocity"]),
        record(slots[2], *SATA, rev="31", driver="ahci", modules=["ahci"]),
        record(slots[3], *RTL, rev="20", driver="8139cp", modules=["8139too", "8139cp"]),
        record(slots[4], *BRIDGE, rev=None, sub=False),
        record(slots[5], *E100, rev="08", driver="e100", extra_before_rev=["PhySlot:\t3"]),
        record(slots[6], *WIFI, rev="3a"),
    ]
    if garble is not None:
        i, old, new = garble
        recs[i] = recs[i].replace(old, new)
    return "\n".join(recs)


CLEAN = {
    "plain": host_text(),
    "no final newline": host_text().rstrip("\n"),
    "blank lines at the end": host_text() + "\n\n\n",
    "short slots": host_text(slots=("00:00.0", "00:01.0", "00:02.0", "00:03.0", "00:04.0", "00:05.0", "00:06.0")),
    "upper-case slots": host_text(slots=("0000:00:0A.0", "0000:00:0B.0", "0000:00:0c.0", "0000:00:0D.0",
                                         "0000:00:0e.0", "0000:00:0F.0", "0000:00:10.0")),
    "long domain": host_text(slots=("00010000:00:00.0", "0000:00:00.0", "0001:00:00.0", "0000:01:00.0",
                                    "0000:00:01.0", "0000:00:01.1", "0000:00:1f.7")),
    "rev 82": host_text(via_rev="82"),
}

ODD = {
    "a slot twice": host_text(slots=("0000:00:00.0",) * 2 + ("0000:00:02.0", "0000:00:03.0", "0000:00:04.0",
                                                              "0000:00:05.0", "0000:00:06.0")),
    "one slot short and long": host_text(slots=("00:00.0", "0000:00:00.0", "0000:00:02.0", "0000:00:03.0",
                                                "0000:00:04.0", "0000:00:05.0", "0000:00:06.0")),
    "one slot in two cases": host_text(slots=("0000:00:0a.0", "0000:00:0A.0", "0000:00:02.0", "0000:00:03.0",
                                              "0000:00:04.0", "0000:00:05.0", "0000:00:06.0")),
    "the same output twice": host_text() + "\n" + host_text(),  # merged into one device per slot
    "garbled rev of a non-NIC": host_text(garble=(2, "Rev:\t31", "Rev:\tzz")),
    "non-hex vendor ID of a non-NIC": host_text(garble=(4, "[8086]", "[80g6]")),
    "truncated non-NIC": host_text(garble=(2, "Vendor:", "Vendor")),
    "record without a Slot line": host_text(garble=(4, "Slot:\t0000:00:04.0\n", "")),
    "malformed slot": host_text(garble=(4, "0000:00:04.0", "0000:00:4.0")),
    "two blank lines between records": host_text().replace("\n\nSlot:\t0000:00:03.0", "\n\n\nSlot:\t0000:00:03.0"),
    "CRLF": host_text().replace("\n", "\r\n"),
    "leading blank line": "\n" + host_text(),
    "an unknown key": host_text(garble=(2, "Driver:", "Firmware:\tx\nDriver:")),
}


def _nics(devices):
    """What a reader with nics_only must keep (nicdb.model.may_be_nic)."""
    return [d for d in devices if may_be_nic(d)]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_fast_reader_gives_the_general_readers_nics(name):
    text = CLEAN[name]
    fast = vmm_nn_nics(text, "host.txt")
    assert fast is not None, "a clean -vmmnn text must take the fast path"
    slow = _nics(parse_lspci_text(text, "host.txt"))
    assert len(slow) == 4  # VIA, RTL, e100, wifi (class 0280 is a NIC too)
    assert fast == slow  # every field, origin (file and line) included
    assert vmm_nn_nics(text, "host.txt") == slow  # and again, from what it learned the first time


@pytest.mark.parametrize("name", sorted(ODD))
def test_fast_reader_leaves_odd_texts_to_the_general_reader(name):
    assert vmm_nn_nics(ODD[name], "host.txt") is None


def _outcome(fn, *args):
    try:
        return "devices", fn(*args)
    except InputError as e:
        return "error", str(e)


def _fixture_files(shared_datadir, tmp_path):
    files = sorted((shared_datadir / "lspci").glob("*.txt"))
    for name, text in {**CLEAN, **ODD}.items():
        p = tmp_path / (name.replace(" ", "-") + ".txt")
        p.write_text(text, newline="")
        files.append(p)
    return files


def test_read_file_nics_only_agrees_on_every_input(shared_datadir, tmp_path):
    """Same NICs in the same order, or the same error, for every lspci fixture and every
    text above: with nics_only a reader may only leave out devices that are not NICs."""
    for p in _fixture_files(shared_datadir, tmp_path):
        kind, full = _outcome(read_file, p)
        kind2, fast = _outcome(read_file, p, True)
        assert kind == kind2, p
        if kind == "error":
            assert fast == full, p
        else:
            assert _nics(fast) == _nics(full), p


def test_garbled_record_in_the_middle_names_file_and_line(tmp_path):
    p = tmp_path / "host.txt"
    p.write_text(ODD["garbled rev of a non-NIC"])
    with pytest.raises(InputError) as e:
        read_file(p, True)
    assert str(e.value) == f"{p} line 20: Rev 'zz' is not a hex byte"  # the third record, a SATA controller


@pytest.fixture
def fleet_dir(tmp_path, shared_datadir):
    d = tmp_path / "fleet"
    d.mkdir()
    (d / "a.txt").write_text(CLEAN["plain"])
    (d / "b-garbled.txt").write_text(ODD["garbled rev of a non-NIC"])
    (d / "c.txt").write_text(CLEAN["rev 82"])
    (d / "d-merged.txt").write_text(ODD["the same output twice"])
    (d / "e.txt").write_text(CLEAN["short slots"])
    (d / "f-truncated.txt").write_text(ODD["truncated non-NIC"])
    (d / "g.txt").write_text(CLEAN["upper-case slots"])
    shutil.copy(shared_datadir / "lspci" / "nics-Dvmmnnk.txt", d / "h.txt")
    shutil.copy(shared_datadir / "lspci" / "rtl8139cplus-nnk.txt", d / "i.txt")
    (d / "j.txt").write_text(CLEAN["plain"])  # a second host just like a: text reused
    return d


@pytest.mark.parametrize("all_devices", [False, True])
def test_fleet_json_is_each_hosts_own_json(run, fleet_dir, all_devices):
    """Each JSON line of a fleet holds what identify --from FILE --json says of that host
    alone, broken hosts are named on one line each, and the others still answer."""
    extra = ["--all"] if all_devices else []
    r = run("identify", "--from", str(fleet_dir), "--json", *extra)
    assert r.code == 2
    errors = r.err.strip().splitlines()
    assert len(errors) == 2
    for line, name in zip(errors, ("b-garbled.txt", "f-truncated.txt")):
        path = fleet_dir / name
        with pytest.raises(InputError) as e:
            parse_lspci_text(path.read_text(), str(path))
        assert line == f"nicdb: error: {e.value}" and " line " in line
    lines = r.out.splitlines()
    docs = [json.loads(x) for x in lines[:-1]]
    assert [d["host"] for d in docs] == ["a", "c", "d-merged", "e", "g", "h", "i", "j"]
    total = 0
    for doc in docs:
        alone = run("identify", "--from", doc["source"], "--json", *extra)
        assert alone.code == 0, alone.err
        want = json.loads(alone.out)
        assert doc["nics"] == want["nics"]
        assert doc["kernel"] == want["kernel"]
        total += len(doc["nics"])
        if not all_devices:
            assert all(n["class"]["code"].startswith("02") for n in doc["nics"])
    summary = json.loads(lines[-1])["summary"]
    assert summary["nics"] == total and summary["hosts"] == 8 and summary["hosts_failed"] == 2
    # a and j are the same machine in two files: the same line but for source and host
    assert lines[0].replace("/a.txt", "/j.txt").replace('"host":"a"', '"host":"j"') == lines[len(docs) - 1]


def test_fleet_plain_and_json_agree(run, fleet_dir):
    j = run("identify", "--from", str(fleet_dir), "--json")
    p = run("identify", "--from", str(fleet_dir), "--plain")
    assert j.code == p.code == 2
    out = p.out.splitlines()
    rows = out[1:next(i for i, ln in enumerate(out) if ln.startswith("Fleet: "))]
    assert len(rows) == sum(len(json.loads(x)["nics"]) for x in j.out.splitlines()[:-1])


def test_identify_fleet_streams_only_nics_without_all(kb, fleet_dir):
    from nicdb.fleet import identify_fleet

    got = {host: doc.nics for host, _, doc, err in identify_fleet(fleet_dir, kb, kernel="2.6.26") if err is None}
    assert all(r.device.is_nic for reps in got.values() for r in reps)
    every = {host: doc.nics for host, _, doc, err in identify_fleet(fleet_dir, kb, kernel="2.6.26",
                                                                    nics_only=False) if err is None}
    assert len(every["a"]) == 7 and len(got["a"]) == 4


def _reports_of_many_kinds(kb, shared_datadir):
    from nicdb.inputs.sysfs import read_tree
    from nicdb.report import Identifier, build_reports

    ident = Identifier(kb, kernel="2.6.26")
    hosts = [parse_lspci_text(t, f"{n}.txt") for n, t in sorted(CLEAN.items())]
    for name in ("nics-Dvmmnnk.txt", "via-vt6122-vvnnk.txt", "i82576-dual-vvnnk-xxx.txt", "nics-plain.txt"):
        hosts.append(read_file(shared_datadir / "lspci" / name))
    for tree in ("vt6122-board", "vt6130-pcie", "multiport"):
        hosts.append(read_tree(shared_datadir / "sysfs" / tree))  # interfaces, PCIe links
    mods = {"1106": (["via_velocity"], "test table"), "10ec": (["8139too", "8139cp"], "test table")}
    out = []
    for i, devs in enumerate(hosts):
        if i % 2:
            devs[0].notes.append("a note")
        out.append(build_reports(devs, kb, kernel="2.6.26", nics_only=False, identifier=ident,
                                 modules=lambda d: mods.get(f"{d.vendor:04x}" if d.vendor else "", (None, None))))
    return out


def test_fleet_lines_are_byte_for_byte_host_lines(kb, shared_datadir):
    from nicdb.render.json_out import FleetLines, host_line

    hosts = _reports_of_many_kinds(kb, shared_datadir)
    lines = FleetLines("2.6.26")
    for _ in range(2):  # the second time round from the cache
        for i, reps in enumerate(hosts):
            want = host_line(Document(f"dir/h{i}.txt", f"h{i}", "2.6.26", reps))
            assert lines.host(reps, source=f"dir/h{i}.txt", host=f"h{i}") == want
            assert want.endswith("\n") and "\n" not in want[:-1]
    assert lines.summary({"hosts": 1}) == '{"summary":{"hosts":1}}\n'


def test_fleet_lines_tell_apart_what_compares_equal(kb, shared_datadir):
    """1 == True and "x" == "x" whatever object holds it: texts are keyed by type too, and
    a changed name, driver or note is a different text."""
    from nicdb.render.json_out import FleetLines, host_line

    (reps,) = _reports_of_many_kinds(kb, shared_datadir)[:1]
    lines = FleetLines("2.6.26")
    rep = reps[1]
    for change in (lambda: setattr(rep.device, "is_pcie", 1), lambda: setattr(rep.device, "is_pcie", True),
                   lambda: setattr(rep.device, "driver", "velocityget"), lambda: rep.device.notes.append("n"),
                   lambda: setattr(rep, "device_name", "Another name"), lambda: setattr(rep.device, "revision", 0x82),
                   lambda: setattr(rep, "summary", "changed")):
        change()
        assert lines.host(reps, source="s", host="h") == host_line(Document("s", "h", "2.6.26", reps))


def test_fleet_output_is_the_same_on_every_run(session_db, fleet_dir):
    """Counts that tie in the summary keep one order (not the hash order of a set)."""
    import os
    import subprocess
    import sys

    outs = set()
    for seed in ("1", "2", "3"):
        p = subprocess.run([sys.executable, "-m", "nicdb", "identify", "--from", str(fleet_dir), "--json", "--all"],
                           capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONHASHSEED=seed))
        assert p.returncode == 2, p.stderr
        outs.add(p.stdout)
    assert len(outs) == 1

"""Snapshot archives: round trip, and hostile archives refused."""

import io
import json
import os
import tarfile

import pytest

from nicdb.errors import InputError
from nicdb.inputs.snapshot import read_snapshot, write_snapshot


def test_round_trip_of_a_fixture_tree(shared_datadir, tmp_path):
    out = tmp_path / "snap.tar.gz"
    meta = write_snapshot(out, str(shared_datadir / "sysfs" / "virtio"))
    assert meta["functions"] == 3 and meta["interfaces"] == 1
    devices, meta2 = read_snapshot(out)
    (nic,) = [d for d in devices if d.is_nic]
    assert (nic.slot, nic.vendor, nic.device, nic.revision, nic.driver) == ("0000:00:03.0", 0x1AF4, 0x1041, 1, "virtio-pci")
    assert [(i.name, i.driver) for i in nic.interfaces] == [("eth0", "virtio_net")]
    assert meta2["kernel"] == meta["kernel"]


def test_round_trip_of_this_machine(tmp_path, run):
    if not os.path.isdir("/sys/bus/pci/devices"):
        pytest.skip("no PCI sysfs")
    out = tmp_path / "me.tar.gz"
    r = run("snapshot", str(out))
    assert r.code == 0, r.err
    live = json.loads(run("identify", "--json").out)
    snap = json.loads(run("identify", "--sysfs", str(out), "--json").out)
    strip = lambda doc: [{k: n[k] for k in ("slot", "vendor", "device", "revision", "driver_in_use", "chip")}
                         for n in doc["nics"]]
    assert strip(snap) == strip(live)
    assert snap["kernel"] == live["kernel"]  # the snapshot carries its kernel for the advice


def _tar(tmp_path, members):
    p = tmp_path / "evil.tar.gz"
    with tarfile.open(p, "w:gz") as t:
        for info, data in members:
            t.addfile(info, io.BytesIO(data) if data is not None else None)
    return p


def _file(name, data=b"x"):
    i = tarfile.TarInfo(name)
    i.size = len(data)
    return i, data


@pytest.mark.parametrize("member", [
    _file("nicdb-snapshot/../../escape"),
    _file("/etc/passwd"),
    _file("other-top/bus/pci/devices/x"),
])
def test_unsafe_paths_are_refused(tmp_path, member):
    p = _tar(tmp_path, [member])
    with pytest.raises(InputError, match="refusing member"):
        read_snapshot(p)
    assert not (tmp_path.parent / "escape").exists()


def test_links_are_refused(tmp_path):
    link = tarfile.TarInfo("nicdb-snapshot/bus")
    link.type = tarfile.SYMTYPE
    link.linkname = "/"
    with pytest.raises(InputError, match="only regular files"):
        read_snapshot(_tar(tmp_path, [(link, None)]))


def test_truncated_archive(tmp_path, shared_datadir):
    good = tmp_path / "good.tar.gz"
    write_snapshot(good, str(shared_datadir / "sysfs" / "vt6122-board"))
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(InputError, match="bad.tar.gz"):
        read_snapshot(bad)


def test_not_an_archive(tmp_path):
    p = tmp_path / "x.tar.gz"
    p.write_text("hello")
    with pytest.raises(InputError, match="not a readable snapshot archive"):
        read_snapshot(p)

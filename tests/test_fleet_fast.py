"""The fleet's fast path gives exactly what the general path gives.

``identify --from DIR`` without ``--all`` reads clean ``lspci -vmmnn[k]`` texts without
building their non-NIC records (nicdb.inputs.lspci_text.vmm_nn_nics). Anything odd must
go the general way, with the same errors.
"""

from __future__ import annotations

import pytest

from nicdb.errors import InputError
from nicdb.inputs.files import read_file
from nicdb.inputs.lspci_text import parse_lspci_text, vmm_nn_nics


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
    return [d for d in devices if d.is_nic]


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
